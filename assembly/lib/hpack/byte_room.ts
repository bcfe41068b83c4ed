// Writing a known number of bytes straight into a ByteBuffer: the Huffman coder and decoder write a byte per symbol,
// and a call per byte (appendU8 checks the capacity each time) cost them half their time.
import { ByteBuffer } from "../bytes";

const ZEROS_SIZE: i32 = 256;
const ZEROS = memory.data(ZEROS_SIZE);

/**
 * Appends `size` zero bytes to `out` (which grows as appends make it) and returns where they start: the caller
 * writes them, then sets `out.length` to where it stopped.
 */
export function appendRoom(out: ByteBuffer, size: i32): usize {
  const start = out.length;
  for (let left = size; left > 0; left -= ZEROS_SIZE) out.append(ZEROS, min(left, ZEROS_SIZE));
  return out.ptr + <usize>start;
}

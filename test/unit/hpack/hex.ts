// Hex helpers for the HPACK and HTTP/2 unit tests: vectors in, bytes out for comparison.
import { ByteBuffer } from "../../../assembly/lib/bytes";

export function fromHex(text: string): ByteBuffer {
  const out = new ByteBuffer();
  for (let i = 0; i + 1 < text.length; i += 2) out.appendU8(<u32>I32.parseInt(text.substr(i, 2), 16));
  return out;
}

export function toHex(ptr: usize, length: i32): string {
  let text = "";
  for (let i = 0; i < length; i++) {
    const b = load<u8>(ptr + <usize>i);
    text += (b < 16 ? "0" : "") + b.toString(16);
  }
  return text;
}

export function bufferHex(buffer: ByteBuffer): string {
  return toHex(buffer.ptr, buffer.length);
}

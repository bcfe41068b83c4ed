// Huffman encoding of HPACK string literals (RFC 7541 Section 5.2), with the code derived in huffman_code.ts.
import { ByteBuffer } from "../bytes";
import { appendRoom } from "./byte_room";
import { codeLength, CODES } from "./huffman_code";

/** Bytes the Huffman coding of `length` bytes at `src` takes. */
export function huffmanEncodedLength(src: usize, length: i32): i32 {
  let bits: i64 = 0;
  for (let i = 0; i < length; i++) bits += codeLength(<i32>load<u8>(src + <usize>i));
  return <i32>((bits + 7) >> 3);
}

/**
 * Appends the Huffman coding of `length` bytes at `src` to `out` (`encodedLength` bytes: huffmanEncodedLength's
 * answer), the last byte padded with the EOS code's ones.
 */
export function huffmanEncode(src: usize, length: i32, encodedLength: i32, out: ByteBuffer): void {
  let written = appendRoom(out, encodedLength);
  let bits: u64 = 0;
  let count: i32 = 0; // pending bits, in the low end of `bits`: at most 7 + 30
  for (let i = 0; i < length; i++) {
    const symbol = <i32>load<u8>(src + <usize>i);
    const size = codeLength(symbol);
    bits = (bits << <u64>size) | <u64>unchecked(CODES[symbol]);
    count += size;
    while (count >= 8) {
      count -= 8;
      store<u8>(written++, <u8>(bits >> <u64>count));
    }
  }
  if (count > 0) store<u8>(written++, <u8>((bits << <u64>(8 - count)) | ((<u64>1 << <u64>(8 - count)) - 1)));
  out.length = <i32>(written - out.ptr);
}

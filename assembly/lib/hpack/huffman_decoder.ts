// Huffman decoding of HPACK string literals (RFC 7541 Section 5.2) with the canonical code's tables: the next byte
// of bits gives the commonest symbols (codes of up to 8 bits) at once; for the others, a window of the next 30 bits
// is compared with the per-length limits to find the code's length, which then indexes the symbols directly. No
// bit-by-bit tree walk, and no state table (nghttp2 decodes 4 bits at a time with a 16 KiB table:
// lib/nghttp2_hd_huffman_data.c, huff_decode_table).
import { ByteBuffer } from "../bytes";
import { appendRoom } from "./byte_room";
import { EOS, LIMITS, LONGEST_CODE, OFFSETS, SHORT_CODE_BITS, SHORT_CODES, SHORTEST_CODE, SYMBOLS_IN_CODE_ORDER } from "./huffman_code";

const WINDOW_MASK: u64 = (1 << LONGEST_CODE) - 1;
/** The shortest code longer than SHORT_CODE_BITS (there are no 9-bit codes). */
const FIRST_LONG_CODE: i32 = 10;

/**
 * Appends the decoding of `length` Huffman-coded bytes at `src` to `out`. False when they are not a valid string:
 * the EOS symbol inside, or padding longer than 7 bits or not made of ones (what RFC 7541 Section 5.2 requires a
 * decoder to reject). `out` then holds a partial string.
 */
export function huffmanDecode(src: usize, length: i32, out: ByteBuffer): bool {
  // A symbol takes at least 5 bits: the string decodes to at most 8/5 of its length.
  let written = appendRoom(out, <i32>((<i64>length * 8) / SHORTEST_CODE));
  const end = src + <usize>length;
  let at = src;
  let bits: u64 = 0;
  let count: i32 = 0; // valid bits, in the low end of `bits`
  let ok = true;
  while (count > 0 || at < end) {
    while (count <= 56 && at < end) {
      bits = (bits << 8) | <u64>load<u8>(at++);
      count += 8;
    }
    if (at == end && count < 8) {
      const padding: u64 = (<u64>1 << <u64>count) - 1;
      if ((bits & padding) == padding) break;
    }
    const window = <u32>(
      (count >= LONGEST_CODE ? bits >> <u64>(count - LONGEST_CODE) : bits << <u64>(LONGEST_CODE - count)) & WINDOW_MASK
    );
    const short = <i32>unchecked(SHORT_CODES[window >> <u32>(LONGEST_CODE - SHORT_CODE_BITS)]);
    let symbol: i32;
    let codeLength: i32;
    if (short != 0) {
      symbol = short >> 4;
      codeLength = short & 15;
    } else {
      codeLength = FIRST_LONG_CODE;
      while (window >= unchecked(LIMITS[codeLength])) codeLength++; // ends: every window is below LIMITS[LONGEST_CODE]
      symbol = <i32>unchecked(SYMBOLS_IN_CODE_ORDER[unchecked(OFFSETS[codeLength]) + <i32>(window >> <u32>(LONGEST_CODE - codeLength))]);
    }
    if (codeLength > count || symbol == EOS) {
      ok = false; // the string ends inside a code, or holds EOS
      break;
    }
    store<u8>(written++, <u8>symbol);
    count -= codeLength;
  }
  out.length = <i32>(written - out.ptr);
  return ok;
}

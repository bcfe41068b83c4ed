// Huffman decoding of HPACK string literals (RFC 7541 Section 5.2) with the canonical code's tables: a window of the
// next 30 bits is compared with the per-length limits to find the code's length, which then indexes the symbols
// directly: a few comparisons per symbol, no bit-by-bit tree walk, and no state table (nghttp2 decodes 4 bits at a
// time with a 16 KiB table: lib/nghttp2_hd_huffman_data.c, huff_decode_table).
import { ByteBuffer } from "../bytes";
import { EOS, LIMITS, LONGEST_CODE, OFFSETS, SHORTEST_CODE, SYMBOLS_IN_CODE_ORDER } from "./huffman_code";

const WINDOW_MASK: u64 = (1 << LONGEST_CODE) - 1;

/**
 * Appends the decoding of `length` Huffman-coded bytes at `src` to `out`. False when they are not a valid string:
 * the EOS symbol inside, or padding longer than 7 bits or not made of ones (what RFC 7541 Section 5.2 requires a
 * decoder to reject). `out` then holds a partial string.
 */
export function huffmanDecode(src: usize, length: i32, out: ByteBuffer): bool {
  const end = src + <usize>length;
  let at = src;
  let bits: u64 = 0;
  let count: i32 = 0; // valid bits, in the low end of `bits`
  while (count > 0 || at < end) {
    while (count <= 56 && at < end) {
      bits = (bits << 8) | <u64>load<u8>(at++);
      count += 8;
    }
    if (at == end && count < 8) {
      const padding: u64 = (<u64>1 << <u64>count) - 1;
      if ((bits & padding) == padding) return true;
    }
    const window = <u32>(
      (count >= LONGEST_CODE ? bits >> <u64>(count - LONGEST_CODE) : bits << <u64>(LONGEST_CODE - count)) & WINDOW_MASK
    );
    let codeLength = SHORTEST_CODE;
    while (window >= unchecked(LIMITS[codeLength])) codeLength++; // ends: every window is below LIMITS[LONGEST_CODE]
    if (codeLength > count) return false; // the string ends inside a code
    const symbol = <i32>unchecked(SYMBOLS_IN_CODE_ORDER[unchecked(OFFSETS[codeLength]) + <i32>(window >> <u32>(LONGEST_CODE - codeLength))]);
    if (symbol == EOS) return false;
    out.appendU8(<u32>symbol);
    count -= codeLength;
  }
  return true;
}

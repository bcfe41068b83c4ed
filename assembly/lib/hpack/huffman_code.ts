// The Huffman code of HPACK (RFC 7541 Appendix B). The code is canonical: codes are handed out in order of length,
// and within a length in order of symbol, each one more than the previous (shifted left when the length grows). So
// the 257 code lengths below are the whole code; the tables the decoder and the encoder use are derived from them
// once, when the module starts (about 2 KiB of memory, 257 bytes of data in the module).

/** The end-of-string symbol: never valid inside a string, its code's prefix pads the last byte. */
export const EOS: i32 = 256;
export const SHORTEST_CODE: i32 = 5;
export const LONGEST_CODE: i32 = 30;

/** Code length of every symbol, 0x00 to 0xff, then EOS (RFC 7541 Appendix B, "len in bits"). */
const CODE_LENGTHS = memory.data<u8>([
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, //   0x00-0x0f
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, //   0x10-0x1f
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //         0x20-0x2f
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //              0x30-0x3f
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //                0x40-0x4f
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //             0x50-0x5f
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //                0x60-0x6f
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //            0x70-0x7f
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80-0x8f
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90-0x9f
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0-0xaf
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0-0xbf
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0-0xcf
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0-0xdf
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0-0xef
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0-0xff
  30, //                                                             EOS
]);

/** Symbols in code order (by length, then symbol). */
export const SYMBOLS_IN_CODE_ORDER = new StaticArray<u16>(257);
/**
 * Per length L: one past the last code of length L, shifted left to LONGEST_CODE bits. A LONGEST_CODE-bit window
 * below LIMITS[L] (and not below LIMITS[L - 1]) starts with a code of length L.
 */
export const LIMITS = new StaticArray<u32>(LONGEST_CODE + 1);
/** Per length L: where the codes of length L start in SYMBOLS_IN_CODE_ORDER, minus the first code of length L. */
export const OFFSETS = new StaticArray<i32>(LONGEST_CODE + 1);
/** Every symbol's code, in its low bits (the encoder's table). */
export const CODES = new StaticArray<u32>(257);
/** Codes of at most 8 bits (the 74 commonest symbols) by their first byte: symbol << 4 | length; 0 for longer codes. */
export const SHORT_CODES = new StaticArray<u16>(256);
export const SHORT_CODE_BITS: i32 = 8;

// @ts-ignore: decorator
@inline
export function codeLength(symbol: i32): i32 {
  return <i32>load<u8>(CODE_LENGTHS + <usize>symbol);
}

function deriveTables(): void {
  let at = 0;
  let code: u32 = 0;
  for (let length = SHORTEST_CODE; length <= LONGEST_CODE; length++) {
    unchecked((OFFSETS[length] = at - <i32>code));
    for (let symbol = 0; symbol <= EOS; symbol++) {
      if (codeLength(symbol) != length) continue;
      unchecked((SYMBOLS_IN_CODE_ORDER[at++] = <u16>symbol));
      if (length <= SHORT_CODE_BITS) {
        const first = <i32>code << (SHORT_CODE_BITS - length);
        for (let i = 0; i < 1 << (SHORT_CODE_BITS - length); i++) unchecked((SHORT_CODES[first + i] = <u16>((symbol << 4) | length)));
      }
      unchecked((CODES[symbol] = code++));
    }
    unchecked((LIMITS[length] = code << <u32>(LONGEST_CODE - length)));
    code <<= 1;
  }
}

deriveTables();

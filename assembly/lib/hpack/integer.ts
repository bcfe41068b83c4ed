// HPACK's integers (RFC 7541 Section 5.1): a value that fits the N-bit prefix of the first byte, or the prefix all
// ones followed by the rest in 7-bit groups, least significant first.
import { ByteBuffer } from "../bytes";
import { ByteReader } from "../byte_reader";

/** The largest integer the decoder accepts: every length, index and table size HPACK needs fits. */
export const MAX_INTEGER: i32 = 0x7fffffff;

/**
 * Reads an integer whose first byte's low `prefixBits` bits start it; -1 when it runs past the end, exceeds
 * MAX_INTEGER, or takes more than the 5 continuation bytes a value under 2^31 needs.
 */
export function readInteger(reader: ByteReader, prefixBits: i32): i64 {
  const prefixMax: u32 = (1 << prefixBits) - 1;
  let value = <u64>(reader.u8() & prefixMax);
  if (value < prefixMax) return reader.failed ? -1 : <i64>value;
  for (let shift: u64 = 0; shift <= 28; shift += 7) {
    const b = reader.u8();
    if (reader.failed) return -1;
    value += <u64>(b & 0x7f) << shift;
    if (value > <u64>MAX_INTEGER) return -1;
    if ((b & 0x80) == 0) return <i64>value;
  }
  return -1;
}

/** Appends `value` with a `prefixBits`-bit prefix; `flags` holds the first byte's bits above the prefix. */
export function writeInteger(out: ByteBuffer, flags: u32, prefixBits: i32, value: u32): void {
  const prefixMax: u32 = (1 << prefixBits) - 1;
  if (value < prefixMax) {
    out.appendU8(flags | value);
    return;
  }
  out.appendU8(flags | prefixMax);
  let rest = value - prefixMax;
  while (rest >= 0x80) {
    out.appendU8((rest & 0x7f) | 0x80);
    rest >>= 7;
  }
  out.appendU8(rest);
}

// The little of the protocol buffers wire format the filters write by hand: varints, and length-delimited fields
// with a one-byte tag (field numbers 1 to 15).
import { ByteBuffer } from "./bytes";

export function varintLength(value: u32): i32 {
  let n = 1;
  while (value >= 0x80) {
    value >>= 7;
    n++;
  }
  return n;
}

export function appendVarint(out: ByteBuffer, value: u32): void {
  while (value >= 0x80) {
    out.appendU8((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out.appendU8(value);
}

/** Bytes of a length-delimited field of `length` bytes. */
export function fieldLength(length: i32): i32 {
  return 1 + varintLength(<u32>length) + length;
}

export function appendField(out: ByteBuffer, tag: u32, ptr: usize, length: i32): void {
  out.appendU8(tag);
  appendVarint(out, <u32>length);
  out.append(ptr, length);
}

/** A string field (UTF-8; allocates: for what is written once per connection or configuration). */
export function appendStringField(out: ByteBuffer, tag: u32, text: string): void {
  const bytes = String.UTF8.encode(text);
  appendField(out, tag, changetype<usize>(bytes), bytes.byteLength);
}

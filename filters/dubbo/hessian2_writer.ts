// Hessian 2 encodings the Dubbo codec writes: strings (attachment keys and values, error messages) and small ints
// (response flags).
import { ByteBuffer } from "../../assembly/lib/bytes";

/** Longest chunk a Hessian string may have, in UTF-16 code units. */
const MAX_CHUNK = 0x8000;

/**
 * Appends `text` as a Hessian 2 string. The length counts UTF-16 code units, and each unit is written on its own
 * (a surrogate pair as two 3-byte sequences), as Java's Hessian2Output and hessian.js do.
 */
export function writeString(out: ByteBuffer, text: string): void {
  let n = text.length;
  if (n <= 31) {
    out.appendU8(<u32>n);
    appendUnits(out, text, 0, n);
    return;
  }
  if (n <= 1023) {
    out.appendU8(0x30 + (<u32>n >> 8));
    out.appendU8(<u32>n & 0xff);
    appendUnits(out, text, 0, n);
    return;
  }
  let at = 0;
  while (n - at > MAX_CHUNK) {
    out.appendU8(0x52); // R: a chunk, more follow
    out.appendU16be(MAX_CHUNK);
    appendUnits(out, text, at, at + MAX_CHUNK);
    at += MAX_CHUNK;
  }
  out.appendU8(0x53); // S: the final chunk
  out.appendU16be(<u32>(n - at));
  appendUnits(out, text, at, n);
}

/** Appends an int from -16 to 47 in the one-byte form Java's Hessian2Output and hessian.js write for it. */
export function writeCompactInt(out: ByteBuffer, value: i32): void {
  out.appendU8(<u32>(0x90 + value));
}

/** UTF-8 of each UTF-16 code unit of `text[from, to)`, surrogates included, without allocating. */
function appendUnits(out: ByteBuffer, text: string, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const c = <u32>text.charCodeAt(i);
    if (c < 0x80) {
      out.appendU8(c);
    } else if (c < 0x800) {
      out.appendU8(0xc0 | (c >> 6));
      out.appendU8(0x80 | (c & 0x3f));
    } else {
      out.appendU8(0xe0 | (c >> 12));
      out.appendU8(0x80 | ((c >> 6) & 0x3f));
      out.appendU8(0x80 | (c & 0x3f));
    }
  }
}

// Hessian 2 encodings the Dubbo codec writes: strings (attachment keys and values, error messages).
import { ByteBuffer } from "../../assembly/framework/bytes";

/** Longest chunk a Hessian string may have, in UTF-16 code units. */
const MAX_CHUNK = 0x8000;

/** Appends `text` as a Hessian 2 string: the length counts UTF-16 code units, as Java's does. */
export function writeString(out: ByteBuffer, text: string): void {
  let n = text.length;
  if (n <= 31) {
    out.appendU8(<u32>n);
    out.appendUtf8(text);
    return;
  }
  if (n <= 1023) {
    out.appendU8(0x30 + (<u32>n >> 8));
    out.appendU8(<u32>n & 0xff);
    out.appendUtf8(text);
    return;
  }
  let at = 0;
  while (n - at > MAX_CHUNK) {
    out.appendU8(0x52); // R: a chunk, more follow
    out.appendU16be(MAX_CHUNK);
    out.appendUtf8(text.substring(at, at + MAX_CHUNK));
    at += MAX_CHUNK;
  }
  out.appendU8(0x53); // S: the final chunk
  out.appendU16be(<u32>(n - at));
  out.appendUtf8(text.substring(at));
}

// Helpers for the Dubbo codec and Hessian 2 reader tests: views on the generated vectors, frame surgery, metadata checks.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Metadata } from "../../assembly/core/metadata";
import { Hessian2Reader } from "../../filters/dubbo/hessian2";
import { toArray } from "./support";

export const HEADER_SIZE = 16;

/** A view on a vector (read only: copy it before patching). */
export function bytesOf(vector: StaticArray<u8>): Bytes {
  return new Bytes().set(changetype<usize>(vector), vector.length);
}

export function view(bytes: Uint8Array): Bytes {
  return new Bytes().set(bytes.dataStart, bytes.length);
}

/** A copy of a vector that a test may patch. */
export function copyOf(vector: StaticArray<u8>): Uint8Array {
  const out = new Uint8Array(vector.length);
  memory.copy(out.dataStart, changetype<usize>(vector), <usize>vector.length);
  return out;
}

export function bufferBytes(buffer: ByteBuffer): Uint8Array {
  return toArray(buffer.ptr, buffer.length);
}

/** Bytes from hex digits, spaces allowed ("58 49 7f ff"): for hand-built malformed input only. */
export function hexBytes(text: string): Uint8Array {
  const digits = text.replaceAll(" ", "");
  const out = new Uint8Array(digits.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>parseInt(digits.substr(i * 2, 2), 16);
  return out;
}

/** A reader over the first `length` bytes of `bytes` (all of them when `length` is -1). */
export function readerOver(bytes: Uint8Array, length: i32 = -1): Hessian2Reader {
  const r = new Hessian2Reader();
  r.reset(bytes.dataStart, length < 0 ? bytes.length : length);
  return r;
}

export function readerOverVector(vector: StaticArray<u8>, length: i32 = -1): Hessian2Reader {
  const r = new Hessian2Reader();
  r.reset(changetype<usize>(vector), length < 0 ? vector.length : length);
  return r;
}

/** The string `readString` pointed at. */
export function lastString(r: Hessian2Reader): string {
  return String.UTF8.decodeUnsafe(r.stringPtr, <usize>r.stringLength);
}

/** Big-endian u32 at `at`. */
export function u32At(bytes: Uint8Array, at: i32): u32 {
  return (<u32>bytes[at] << 24) | (<u32>bytes[at + 1] << 16) | (<u32>bytes[at + 2] << 8) | <u32>bytes[at + 3];
}

export function setU32At(bytes: Uint8Array, at: i32, value: u32): void {
  bytes[at] = <u8>(value >> 24);
  bytes[at + 1] = <u8>(value >> 16);
  bytes[at + 2] = <u8>(value >> 8);
  bytes[at + 3] = <u8>value;
}

/** The first `length` bytes of a frame, with the header's body length patched to match. */
export function truncatedFrame(frame: StaticArray<u8>, length: i32): Uint8Array {
  const out = new Uint8Array(length);
  memory.copy(out.dataStart, changetype<usize>(frame), <usize>length);
  setU32At(out, 12, <u32>(length - HEADER_SIZE));
  return out;
}

/** `frame` with body bytes [from, to) replaced by `replacement`, and the body length patched. */
export function spliceBody(frame: StaticArray<u8>, from: i32, to: i32, replacement: Uint8Array): Uint8Array {
  const body = frame.length - HEADER_SIZE;
  const out = new Uint8Array(frame.length - (to - from) + replacement.length);
  const base = changetype<usize>(frame);
  memory.copy(out.dataStart, base, <usize>(HEADER_SIZE + from));
  out.set(replacement, HEADER_SIZE + from);
  memory.copy(out.dataStart + <usize>(HEADER_SIZE + from + replacement.length), base + <usize>(HEADER_SIZE + to), <usize>(body - to));
  setU32At(out, 12, <u32>(out.length - HEADER_SIZE));
  return out;
}

/** Whether `a` is byte for byte `vector`. */
export function sameAsVector(a: Uint8Array, vector: StaticArray<u8>): bool {
  if (a.length != vector.length) return false;
  return memory.compare(a.dataStart, changetype<usize>(vector), <usize>a.length) == 0;
}

/** Index of the first differing byte of `a` and `vector`, or -1 (to make byte-comparison failures readable). */
export function firstDifference(a: Uint8Array, vector: StaticArray<u8>): i32 {
  const n = a.length < vector.length ? a.length : vector.length;
  for (let i = 0; i < n; i++) if (a[i] != vector[i]) return i;
  return a.length == vector.length ? -1 : n;
}

export function hasKey(md: Metadata, key: string): bool {
  const bytes = String.UTF8.encode(key);
  return md.find(changetype<usize>(bytes), bytes.byteLength) >= 0;
}

// What a codec learns from a frame. Key/values are copied into one reusable byte arena so that decoding a
// request allocates nothing; strings are made only when a log line needs them.
import { ByteBuffer } from "../lib/bytes";
import { MessageType, ResponseStatus } from "./codec";

// Each entry is four i32 in `entries`: key offset, key length, value offset, value length in the arena. Entry
// indices come from `find` or from 0..size-1, so they are read without checks.
const ENTRY_BYTES = 16;

@final
export class Metadata {
  messageType: MessageType = MessageType.Request;
  responseStatus: ResponseStatus = ResponseStatus.Ok;
  requestId: u64 = 0;
  /** Size of the whole frame on the wire. */
  frameSize: i32 = 0;
  /** False when the codec could read only the header (for example an unsupported serialization). */
  bodyDecoded: bool = true;

  private arena: ByteBuffer = new ByteBuffer();
  private entries: ByteBuffer = new ByteBuffer();

  reset(): void {
    this.messageType = MessageType.Request;
    this.responseStatus = ResponseStatus.Ok;
    this.requestId = 0;
    this.frameSize = 0;
    this.bodyDecoded = true;
    this.arena.clear();
    this.entries.clear();
  }

  get size(): i32 {
    return this.entries.length / ENTRY_BYTES;
  }

  /**
   * Adds a key/value whose value is `length` bytes of wasm memory at `value` (for example inside the frame). The key
   * is UTF-8, encoded once by the caller (`String.UTF8.encode` of a constant), not on every frame.
   */
  putBytes(key: ArrayBuffer, value: usize, length: i32): void {
    this.putRawKey(changetype<usize>(key), key.byteLength, value, length);
  }

  /** Adds a key/value whose key too is UTF-8 bytes in wasm memory (keys read from the frame). */
  putRawKey(key: usize, keyLength: i32, value: usize, valueLength: i32): void {
    const keyAt = this.arena.length;
    this.arena.append(key, keyLength);
    const valueAt = this.arena.length;
    this.arena.append(value, valueLength);
    this.addEntry(keyAt, keyLength, valueAt, valueLength);
  }

  putString(key: string, value: string): void {
    const keyAt = this.arena.length;
    this.arena.appendUtf8(key);
    const valueAt = this.arena.length;
    this.arena.appendUtf8(value);
    this.addEntry(keyAt, valueAt - keyAt, valueAt, this.arena.length - valueAt);
  }

  /** Adds a key (UTF-8, as for `putBytes`) whose value is `value` in decimal (how MetaProtocol exposes numeric keys). */
  putDecimal(key: ArrayBuffer, value: i64): void {
    const keyAt = this.arena.length;
    this.arena.append(changetype<usize>(key), key.byteLength);
    const valueAt = this.arena.length;
    this.arena.appendDecimal(value);
    this.addEntry(keyAt, valueAt - keyAt, valueAt, this.arena.length - valueAt);
  }

  /** Index of the entry whose key is the UTF-8 `key` (`length` bytes at `key`), or -1. */
  find(key: usize, length: i32): i32 {
    const base = this.arena.ptr;
    let entry = this.entries.ptr;
    for (let i = 0, n = this.size; i < n; i++, entry += ENTRY_BYTES) {
      if (load<i32>(entry, 4) == length && memory.compare(base + <usize>load<i32>(entry), key, <usize>length) == 0) return i;
    }
    return -1;
  }

  keyPtr(index: i32): usize {
    return this.arena.ptr + <usize>this.field(index, 0);
  }

  keyLength(index: i32): i32 {
    return this.field(index, 1);
  }

  valuePtr(index: i32): usize {
    return this.arena.ptr + <usize>this.field(index, 2);
  }

  valueLength(index: i32): i32 {
    return this.field(index, 3);
  }

  /** The value of entry `index` as a string (allocates: for logs, not for matching). */
  valueString(index: i32): string {
    return String.UTF8.decodeUnsafe(this.valuePtr(index), <usize>this.valueLength(index));
  }

  /** The value for `key` as a string, or "" (allocates: for logs). */
  get(key: string): string {
    const bytes = String.UTF8.encode(key);
    const at = this.find(changetype<usize>(bytes), bytes.byteLength);
    return at < 0 ? "" : this.valueString(at);
  }

  /** Makes this a copy of `other` (reusing this object's memory). */
  copyFrom(other: Metadata): void {
    this.copyMessageFieldsFrom(other);
    this.arena.append(other.arena.ptr, other.arena.length);
    this.entries.append(other.entries.ptr, other.entries.length);
  }

  /** Makes this a copy of `other`'s message type, request id, status and sizes, without its key/values. */
  copyMessageFieldsFrom(other: Metadata): void {
    this.messageType = other.messageType;
    this.responseStatus = other.responseStatus;
    this.requestId = other.requestId;
    this.frameSize = other.frameSize;
    this.bodyDecoded = other.bodyDecoded;
    this.arena.clear();
    this.entries.clear();
  }

  private addEntry(keyAt: i32, keyLength: i32, valueAt: i32, valueLength: i32): void {
    const entries = this.entries;
    entries.appendI32(keyAt);
    entries.appendI32(keyLength);
    entries.appendI32(valueAt);
    entries.appendI32(valueLength);
  }

  @inline private field(index: i32, at: i32): i32 {
    return load<i32>(this.entries.ptr + <usize>(index * ENTRY_BYTES + (at << 2)));
  }

}

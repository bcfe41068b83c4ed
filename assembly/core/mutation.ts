// A flat list of key/values to set on a message (MetaProtocol's Mutation). The codec decides what a key means
// (a Dubbo attachment, a THeader info header). Keys are also kept as UTF-8 so codecs compare them with frame bytes
// without allocating.
import { bytesEqual } from "../lib/bytes";

@final
export class Mutation {
  keys: Array<string> = [];
  values: Array<string> = [];
  private keyBytes: Array<ArrayBuffer> = [];

  get size(): i32 {
    return this.keys.length;
  }

  set(key: string, value: string): void {
    this.put(key, value, null);
  }

  /** Adds every key/value of `other` (later values win), without allocating once this mutation has grown. */
  setAll(other: Mutation): void {
    for (let i = 0; i < other.size; i++) this.put(other.keys[i], other.values[i], other.keyBytes[i]);
  }

  /** Adds every key/value of `other` with copies of its values (their owner may rewrite them in place later). */
  setAllCopied(other: Mutation): void {
    for (let i = 0; i < other.size; i++) this.put(other.keys[i], String.UTF8.decode(String.UTF8.encode(other.values[i])), other.keyBytes[i]);
  }

  private put(key: string, value: string, keyBytes: ArrayBuffer | null): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) {
      this.values[at] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    this.keyBytes.push(keyBytes !== null ? keyBytes : String.UTF8.encode(key));
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
    this.keyBytes.length = 0;
  }

  /** Whether the UTF-8 `key` (`length` bytes at `key`) is one this mutation sets. */
  has(key: usize, length: i32): bool {
    for (let i = 0; i < this.keyBytes.length; i++) {
      const k = unchecked(this.keyBytes[i]);
      if (bytesEqual(changetype<usize>(k), k.byteLength, key, length)) return true;
    }
    return false;
  }
}

// A flat list of key/values to set on a message (MetaProtocol's Mutation). The codec decides what a key means
// (a Dubbo attachment, a THeader info header). Keys are also kept as UTF-8 so codecs compare them with frame bytes
// without allocating.
import { bytesEqual } from "./bytes";

@final
export class Mutation {
  keys: Array<string> = [];
  values: Array<string> = [];
  private keyBytes: Array<ArrayBuffer> = [];

  get size(): i32 {
    return this.keys.length;
  }

  set(key: string, value: string): void {
    const at = this.keys.indexOf(key);
    if (at >= 0) {
      this.values[at] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    this.keyBytes.push(String.UTF8.encode(key));
  }

  /** Adds every key/value of `other` (later values win). */
  setAll(other: Mutation): void {
    for (let i = 0; i < other.size; i++) this.set(other.keys[i], other.values[i]);
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

// Which request and response key/values a plugin's filters read, as each filter declares it. When nothing but the
// service and the method is read, codecs may leave the rest of a frame unread (a Dubbo body's arguments and
// attachments, THeader info headers): per-method metrics and the core's counters need nothing more.
import { bytesEqual } from "../lib/bytes";
import { MetadataMatcher } from "./matcher";

@final
export class KeyUsage {
  private keys: Array<ArrayBuffer> = [];
  private all: bool = false;

  /** The filter reads `key` (UTF-8). */
  reads(key: ArrayBuffer): void {
    this.keys.push(key);
  }

  /** The filter matches requests with `matchers`. */
  readsMatched(matchers: Array<MetadataMatcher>): void {
    for (let i = 0; i < matchers.length; i++) this.keys.push(matchers[i].key);
  }

  /** The filter reads key/values it cannot name in advance (every one, or whichever a frame has). */
  readsAll(): void {
    this.all = true;
  }

  /** Whether any filter reads a key other than `serviceKey` and `methodKey` (UTF-8). */
  readsOtherThan(serviceKey: ArrayBuffer, methodKey: ArrayBuffer): bool {
    if (this.all) return true;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (!sameKey(key, serviceKey) && !sameKey(key, methodKey)) return true;
    }
    return false;
  }
}

function sameKey(a: ArrayBuffer, b: ArrayBuffer): bool {
  return bytesEqual(changetype<usize>(a), a.byteLength, changetype<usize>(b), b.byteLength);
}

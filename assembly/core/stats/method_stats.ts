// The per-method metric groups of a plugin, found from a request's service and method keys. A method's metrics are
// defined the first time it is seen (a few host calls, once); their number is bounded.
import { bytesEqual } from "../../lib/bytes";
import { Metadata } from "../metadata";
import { Group, Metric, MetricSink } from "./metric";
import { MetricGroup } from "./metric_group";
import { METHOD_TAG, SERVICE_TAG, tagged } from "./stat_tags";

/** Distinct (service, method) pairs given their own metrics; later ones are only counted as overflow. */
export const MAX_METHODS = 1000;
const MAX_NAME_BYTES = 128;

@final
export class MethodStats {
  private byHash: Map<u32, Array<MethodKeyed>> = new Map();
  private count: i32 = 0;
  /** The metrics `of` returned last. */
  private last: MethodKeyed | null = null;

  /**
   * `root`: the start of every per-method metric name, tags of the plugin included; `serviceKey`/`methodKey`: the
   * metadata keys naming a request's service and method (UTF-8; an empty method key means the protocol has none);
   * `touched`: where groups changed since the last flush are queued.
   */
  constructor(
    private readonly sink: MetricSink,
    private readonly root: string,
    private readonly serviceKey: ArrayBuffer,
    private readonly methodKey: ArrayBuffer,
    private readonly overflow: Metric,
    private readonly touched: Array<MetricGroup>,
  ) {}

  /** The metrics of `md`'s service and method, or null when it names no method or the bound is reached. */
  of(md: Metadata): MetricGroup | null {
    if (this.methodKey.byteLength == 0) return null;
    const method = md.find(changetype<usize>(this.methodKey), this.methodKey.byteLength);
    if (method < 0) return null;
    const service = this.serviceKey.byteLength > 0 ? md.find(changetype<usize>(this.serviceKey), this.serviceKey.byteLength) : -1;
    const serviceLength = service >= 0 ? md.valueLength(service) : 0;
    const keyLength = serviceLength + 1 + md.valueLength(method);
    // Consecutive requests mostly call the same method: try the last one before hashing.
    const last = this.last;
    if (last !== null && last.key.byteLength == keyLength && sameKey(last.key, md, service, method)) return last.group;
    let hash: u32 = 2166136261;
    if (service >= 0) hash = fnv1a(hash, md.valuePtr(service), md.valueLength(service));
    hash = fnv1a(hash ^ 0xff, md.valuePtr(method), md.valueLength(method));
    let bucket: Array<MethodKeyed> | null = this.byHash.has(hash) ? this.byHash.get(hash) : null;
    if (bucket !== null) {
      for (let i = 0; i < bucket.length; i++) {
        const m = unchecked(bucket[i]);
        if (m.key.byteLength == keyLength && sameKey(m.key, md, service, method)) return (this.last = m).group;
      }
    }
    if (this.count >= MAX_METHODS) {
      this.overflow.pending++;
      return null;
    }
    const serviceTag = service >= 0 ? tagged(SERVICE_TAG, safeName(md.valueString(service))) : "";
    const name = this.root + serviceTag + tagged(METHOD_TAG, safeName(md.valueString(method)));
    const keyed = new MethodKeyed(keyOf(md, service, method, keyLength), new MetricGroup(Group.Method, this.sink, name, this.touched));
    if (bucket === null) {
      bucket = [];
      this.byHash.set(hash, bucket);
    }
    bucket.push(keyed);
    this.count++;
    return (this.last = keyed).group;
  }
}

/** A method's metrics with their key (`service \0 method`). */
@final
class MethodKeyed {
  constructor(public readonly key: ArrayBuffer, public readonly group: MetricGroup) {}
}

/** Compares a stored key (`service \0 method`) with the metadata's values without building one. */
function sameKey(key: ArrayBuffer, md: Metadata, service: i32, method: i32): bool {
  const base = changetype<usize>(key);
  let at: i32 = 0;
  if (service >= 0) {
    const n = md.valueLength(service);
    if (!bytesEqual(base, n, md.valuePtr(service), n)) return false;
    at = n;
  }
  if (load<u8>(base + <usize>at) != 0) return false;
  const n = md.valueLength(method);
  return bytesEqual(base + <usize>(at + 1), n, md.valuePtr(method), n);
}

function keyOf(md: Metadata, service: i32, method: i32, length: i32): ArrayBuffer {
  const key = new ArrayBuffer(length);
  const base = changetype<usize>(key);
  let at: usize = 0;
  if (service >= 0) {
    memory.copy(base, md.valuePtr(service), <usize>md.valueLength(service));
    at = <usize>md.valueLength(service);
  }
  store<u8>(base + at, 0);
  memory.copy(base + at + 1, md.valuePtr(method), <usize>md.valueLength(method));
  return key;
}

function fnv1a(hash: u32, ptr: usize, length: i32): u32 {
  for (let i = 0; i < length; i++) hash = (hash ^ <u32>load<u8>(ptr + <usize>i)) * 16777619;
  return hash;
}

/** Keeps a tag value to characters that cannot break the stat name or the tag regex (`|` is kept for Istio's cluster names). */
export function safeName(value: string): string {
  let out = "";
  const n = value.length < MAX_NAME_BYTES ? value.length : MAX_NAME_BYTES;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x5f || c == 0x2d || c == 0x24 || c == 0x2f || c == 0x7c;
    out += ok ? String.fromCharCode(c) : "_";
  }
  return out.length > 0 ? out : "_";
}

// Metrics per protocol, listener, service and method, named in Istio's stat-tag form (stat_tags.ts)
//   meta_protocol.by_method.protocol=.=<protocol>;.;stat_prefix=.=<stat_prefix>;.;[service=.=<service>;.;]method=.=<method>;.;<name>
// so that every protocol and listener shares one metric family per name
// (`meta_protocol_by_method_request{protocol=…,stat_prefix=…,service=…,method=…}`). A method's metrics are
// defined the first time it is seen (a few host calls, once); their number is bounded.
import { bytesEqual } from "../../lib/bytes";
import { Metadata } from "../metadata";
import { Metric, MetricKind, MetricSink, perMethodMetrics } from "./metric";
import { METHOD_TAG, METRIC_ROOT, SERVICE_TAG, tagged } from "./stat_tags";

/** Distinct (service, method) pairs given their own metrics; later ones are only counted as overflow. */
export const MAX_METHODS = 1000;
const MAX_NAME_BYTES = 128;

/**
 * One method's metrics, by `MetricDef.methodIndex`. They are flushed only when touched since the last flush (there
 * may be thousands): every change goes through `touch` first (Stats does it).
 */
@final
export class MethodMetrics {
  readonly metrics: StaticArray<Metric>;
  private queued: bool = false;

  /** `name`: the metric name up to the last part (`…method=.=<method>;.;`). */
  constructor(public readonly key: ArrayBuffer, sink: MetricSink, name: string, private readonly touched: Array<MethodMetrics>) {
    const defs = perMethodMetrics();
    const metrics = new StaticArray<Metric>(defs.length);
    for (let i = 0; i < defs.length; i++) metrics[i] = new Metric(sink.define(defs[i].kind, name + defs[i].name));
    this.metrics = metrics;
  }

  /** Queues these metrics for the next flush (call before changing them). */
  @inline touch(): void {
    if (!this.queued) {
      this.queued = true;
      this.touched.push(this);
    }
  }

  flushTo(sink: MetricSink): void {
    const metrics = this.metrics;
    const defs = perMethodMetrics();
    for (let i = 0, n = metrics.length; i < n; i++) {
      if (unchecked(defs[i]).kind != MetricKind.Histogram) unchecked(metrics[i]).flushTo(sink);
    }
    this.queued = false;
  }
}

@final
export class MethodStats {
  private byHash: Map<u32, Array<MethodMetrics>> = new Map();
  private count: i32 = 0;
  /** The metrics `of` returned last. */
  private last: MethodMetrics | null = null;
  /** The methods whose metrics changed since the last flush. */
  private touched: Array<MethodMetrics> = [];

  /**
   * `root`: the start of every per-method metric name (`methodMetricRoot`); `serviceKey`/`methodKey`: the metadata
   * keys naming a request's service and method (UTF-8; an empty method key means the protocol has no methods).
   */
  constructor(
    private readonly sink: MetricSink,
    private readonly root: string,
    private readonly serviceKey: ArrayBuffer,
    private readonly methodKey: ArrayBuffer,
    private readonly overflow: Metric,
  ) {}

  /** The metrics of `md`'s service and method, or null when it names no method or the bound is reached. */
  of(md: Metadata): MethodMetrics | null {
    if (this.methodKey.byteLength == 0) return null;
    const method = md.find(changetype<usize>(this.methodKey), this.methodKey.byteLength);
    if (method < 0) return null;
    const service = this.serviceKey.byteLength > 0 ? md.find(changetype<usize>(this.serviceKey), this.serviceKey.byteLength) : -1;
    const serviceLength = service >= 0 ? md.valueLength(service) : 0;
    const keyLength = serviceLength + 1 + md.valueLength(method);
    // Consecutive requests mostly call the same method: try the last one before hashing.
    const last = this.last;
    if (last !== null && last.key.byteLength == keyLength && sameKey(last.key, md, service, method)) return last;
    let hash: u32 = 2166136261;
    if (service >= 0) hash = fnv1a(hash, md.valuePtr(service), md.valueLength(service));
    hash = fnv1a(hash ^ 0xff, md.valuePtr(method), md.valueLength(method));
    let bucket: Array<MethodMetrics> | null = this.byHash.has(hash) ? this.byHash.get(hash) : null;
    if (bucket !== null) {
      for (let i = 0; i < bucket.length; i++) {
        const m = unchecked(bucket[i]);
        if (m.key.byteLength == keyLength && sameKey(m.key, md, service, method)) return (this.last = m);
      }
    }
    if (this.count >= MAX_METHODS) {
      this.overflow.pending++;
      return null;
    }
    const serviceTag = service >= 0 ? tagged(SERVICE_TAG, safeName(md.valueString(service))) : "";
    const name = this.root + serviceTag + tagged(METHOD_TAG, safeName(md.valueString(method)));
    const metrics = new MethodMetrics(keyOf(md, service, method, keyLength), this.sink, name, this.touched);
    if (bucket === null) {
      bucket = [];
      this.byHash.set(hash, bucket);
    }
    bucket.push(metrics);
    this.count++;
    return (this.last = metrics);
  }

  /** Hands the pending changes of the methods touched since the last flush to the sink. */
  flush(): void {
    const touched = this.touched;
    for (let i = 0, n = touched.length; i < n; i++) unchecked(touched[i]).flushTo(this.sink);
    touched.length = 0;
  }
}

/** The start of per-method metric names: `meta_protocol.by_method.protocol=.=<protocol>;.;stat_prefix=.=<stat_prefix>;.;`. */
export function methodMetricRoot(protocolTag: string, statPrefixTag: string): string {
  return METRIC_ROOT + "by_method." + protocolTag + statPrefixTag;
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

/** Keeps a tag value to characters that cannot break the stat name or the tag regex. */
export function safeName(value: string): string {
  let out = "";
  const n = value.length < MAX_NAME_BYTES ? value.length : MAX_NAME_BYTES;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x5f || c == 0x2d || c == 0x24 || c == 0x2f;
    out += ok ? String.fromCharCode(c) : "_";
  }
  return out.length > 0 ? out : "_";
}

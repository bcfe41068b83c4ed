// Metrics per protocol, listener, service and method, named in Istio's stat-tag form
//   meta_protocol.by_method.protocol=.=<protocol>;.;stat_prefix=.=<stat_prefix>;.;[service=.=<service>;.;]method=.=<method>;.;<name>
// so that `stats_tags` (Envoy) or extraStatTags (Istio) turn each into a label and every protocol and listener shares
// one metric family per name (`meta_protocol_by_method_request{protocol=…,stat_prefix=…,service=…,method=…}`).
// Metrics are defined the first time a method is seen (a few host calls, once); their number is bounded. A request
// looks its method up once (RequestObserver, first in the chain) and keeps it (`InFlightRequest.method`).
import { bytesEqual } from "../../lib/bytes";
import { Metadata } from "../metadata";
import { Metric, MetricKind, MetricRegistry, MetricSink } from "./metric";

/** Distinct (service, method) pairs given their own metrics; later ones are only counted as overflow. */
export const MAX_METHODS = 1000;
const MAX_NAME_BYTES = 128;

/** The last part of every per-method metric name: seven counters, a gauge, a histogram (in MethodMetrics' order). */
export const METHOD_METRIC_NAMES: Array<string> = [
  "request", "response_success", "response_error", "local_response_error", "rate_limited", "route_not_found",
  "route_mismatch", "request_active", "request_time_ms",
];

/**
 * One method's metrics. They are flushed only when touched since the last flush (there may be thousands): every
 * change goes through `Stats.beginRequest` / `Stats.requestEnded` or `RequestTable.clear`, which `touch` them first.
 */
@final
export class MethodMetrics {
  readonly request: Metric;
  readonly responseSuccess: Metric;
  readonly responseError: Metric;
  readonly localResponseError: Metric;
  readonly rateLimited: Metric;
  readonly routeNotFound: Metric;
  readonly routeMismatch: Metric;
  /** Requests of this method awaiting their response (gauge). */
  readonly requestActive: Metric;
  /** Histogram id (recorded straight to the host). */
  readonly requestTimeMs: u32;
  /** The counters and the gauge, for `flushTo`. */
  private readonly all: Array<Metric>;
  private queued: bool = false;

  /** `name`: the metric name up to the last part (`…method=.=<method>;.;`). */
  constructor(public readonly key: ArrayBuffer, registry: MetricRegistry, name: string, private readonly touched: Array<MethodMetrics>) {
    const all: Array<Metric> = [];
    for (let i = 0; i < 8; i++) {
      all.push(registry.untracked(i < 7 ? MetricKind.Counter : MetricKind.Gauge, name + METHOD_METRIC_NAMES[i]));
    }
    this.request = all[0];
    this.responseSuccess = all[1];
    this.responseError = all[2];
    this.localResponseError = all[3];
    this.rateLimited = all[4];
    this.routeNotFound = all[5];
    this.routeMismatch = all[6];
    this.requestActive = all[7];
    this.requestTimeMs = registry.sink.define(MetricKind.Histogram, name + METHOD_METRIC_NAMES[8]);
    this.all = all;
  }

  /** Queues these metrics for the next flush (call before changing them). */
  @inline touch(): void {
    if (!this.queued) {
      this.queued = true;
      this.touched.push(this);
    }
  }

  flushTo(sink: MetricSink): void {
    const all = this.all;
    for (let i = 0, n = all.length; i < n; i++) unchecked(all[i]).flushTo(sink);
    this.queued = false;
  }
}

/**
 * The start of per-method metric names for metrics whose plain names start with `prefix`
 * (`meta_protocol.<protocol>.<stat_prefix>.`): `meta_protocol.by_method.protocol=.=<protocol>;.;stat_prefix=.=<stat_prefix>;.;`.
 * Any other prefix gets `<prefix>by_method.`.
 */
export function methodMetricRoot(prefix: string): string {
  const root = "meta_protocol.";
  const dot = prefix.indexOf(".", root.length);
  if (!prefix.startsWith(root) || dot < 0 || !prefix.endsWith(".") || dot == prefix.length - 1) return prefix + "by_method.";
  const protocol = prefix.substring(root.length, dot);
  const statPrefix = prefix.substring(dot + 1, prefix.length - 1);
  return root + "by_method.protocol=.=" + safeName(protocol) + ";.;stat_prefix=.=" + safeName(statPrefix) + ";.;";
}

@final
export class MethodStats {
  private byHash: Map<u32, Array<MethodMetrics>> = new Map();
  private count: i32 = 0;
  /** The metrics `of` returned last. */
  private last: MethodMetrics | null = null;
  /** The methods whose metrics changed since the last flush. */
  private touched: Array<MethodMetrics> = [];
  private readonly serviceKey: ArrayBuffer;
  private readonly methodKey: ArrayBuffer;

  /** `root`: the start of every per-method metric name (`methodMetricRoot`). */
  constructor(
    private readonly registry: MetricRegistry,
    private readonly root: string,
    serviceKey: string,
    methodKey: string,
    private readonly overflow: Metric,
  ) {
    this.serviceKey = String.UTF8.encode(serviceKey);
    this.methodKey = String.UTF8.encode(methodKey);
  }

  /** The metadata key naming a request's service (UTF-8; empty when the protocol has none). */
  get serviceKeyBytes(): ArrayBuffer {
    return this.serviceKey;
  }

  /** The metadata key naming a request's method (UTF-8; empty when the protocol has none). */
  get methodKeyBytes(): ArrayBuffer {
    return this.methodKey;
  }

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
    if (last !== null && last.key.byteLength == keyLength && this.sameKey(last.key, md, service, method)) return last;
    let hash: u32 = 2166136261;
    if (service >= 0) hash = fnv1a(hash, md.valuePtr(service), md.valueLength(service));
    hash = fnv1a(hash ^ 0xff, md.valuePtr(method), md.valueLength(method));
    let bucket: Array<MethodMetrics> | null = this.byHash.has(hash) ? this.byHash.get(hash) : null;
    if (bucket !== null) {
      for (let i = 0; i < bucket.length; i++) {
        const m = unchecked(bucket[i]);
        if (m.key.byteLength == keyLength && this.sameKey(m.key, md, service, method)) return (this.last = m);
      }
    }
    if (this.count >= MAX_METHODS) {
      this.overflow.inc();
      return null;
    }
    const serviceName = service >= 0 ? safeName(md.valueString(service)) : "";
    const methodName = safeName(md.valueString(method));
    const name = this.root + (service >= 0 ? "service=.=" + serviceName + ";.;" : "") + "method=.=" + methodName + ";.;";
    const metrics = new MethodMetrics(this.keyOf(md, service, method, keyLength), this.registry, name, this.touched);
    if (bucket === null) {
      bucket = [];
      this.byHash.set(hash, bucket);
    }
    bucket.push(metrics);
    this.count++;
    return (this.last = metrics);
  }

  /** Hands the pending deltas of the methods touched since the last flush to `sink`. */
  flush(sink: MetricSink): void {
    const touched = this.touched;
    for (let i = 0, n = touched.length; i < n; i++) unchecked(touched[i]).flushTo(sink);
    touched.length = 0;
  }

  /** Compares a stored key (`service \0 method`) with the metadata's values without building one. */
  private sameKey(key: ArrayBuffer, md: Metadata, service: i32, method: i32): bool {
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

  private keyOf(md: Metadata, service: i32, method: i32, length: i32): ArrayBuffer {
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
}

function fnv1a(hash: u32, ptr: usize, length: i32): u32 {
  for (let i = 0; i < length; i++) hash = (hash ^ <u32>load<u8>(ptr + <usize>i)) * 16777619;
  return hash;
}

/** Keeps a tag value to characters that cannot break the stat name or the tag regex. */
function safeName(value: string): string {
  let out = "";
  const n = value.length < MAX_NAME_BYTES ? value.length : MAX_NAME_BYTES;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x5f || c == 0x2d || c == 0x24 || c == 0x2f;
    out += ok ? String.fromCharCode(c) : "_";
  }
  return out.length > 0 ? out : "_";
}

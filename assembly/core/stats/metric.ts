// Metrics as the core and the filters declare them, and the counters that sum their changes in wasm until a flush.
//
// Every metric is declared once, at the top level of its owner's `metrics.ts`, one per line and in this exact form
// (test/docs/metrics_doc.test.ts reads these lines to write and check the metric list in docs/metrics.md):
//
//   export const NAME = counter("name", Scope.Plugin); // what it counts, in one sentence
//
// `Scope.PluginAndMethod` metrics exist twice: per plugin, and per protocol, listener, service and method
// (method_stats.ts). Declaring a metric defines it for every plugin of the module.

export enum MetricKind {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

export enum Scope {
  /** One per plugin: `meta_protocol.<protocol>.<stat_prefix>.<name>`. */
  Plugin = 0,
  /** Per plugin, and per method as well. */
  PluginAndMethod = 1,
}

@final
export class MetricDef {
  constructor(
    public readonly kind: MetricKind,
    public readonly name: string,
    /** Position among all metrics. */
    public readonly index: i32,
    /** Position among the per-method metrics, or -1. */
    public readonly methodIndex: i32,
  ) {}
}

const ALL: Array<MetricDef> = [];
const PER_METHOD: Array<MetricDef> = [];

function declare(kind: MetricKind, name: string, scope: Scope): MetricDef {
  const perMethod = scope == Scope.PluginAndMethod;
  const def = new MetricDef(kind, name, ALL.length, perMethod ? PER_METHOD.length : -1);
  ALL.push(def);
  if (perMethod) PER_METHOD.push(def);
  return def;
}

export function counter(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Counter, name, scope);
}

export function gauge(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Gauge, name, scope);
}

export function histogram(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Histogram, name, scope);
}

/** Every metric declared in the module, in declaration order. */
export function declaredMetrics(): Array<MetricDef> {
  return ALL;
}

/** The metrics that also exist per method. */
export function perMethodMetrics(): Array<MetricDef> {
  return PER_METHOD;
}

/** Where metrics go: proxy_define_metric & co in Envoy, a plain recorder in unit tests. */
export abstract class MetricSink {
  abstract define(kind: MetricKind, name: string): u32;
  abstract add(id: u32, delta: i64): void;
  abstract record(id: u32, value: u64): void;
}

/** One defined metric: the host's id, and for counters and gauges the change not yet handed to the host. */
@final
export class Metric {
  pending: i64 = 0;
  constructor(public readonly id: u32) {}

  /** Hands the pending change to `sink`, if any. */
  @inline flushTo(sink: MetricSink): void {
    const pending = this.pending;
    if (pending != 0) {
      sink.add(this.id, pending);
      this.pending = 0;
    }
  }
}

// A plugin's metrics: every declared metric (metric.ts), defined once per plugin, and the per-method family.
// Changes are summed in wasm and handed to the host once per data event (`flush`), so a read carrying 64 requests
// costs a few host calls, not hundreds.
import { Metadata } from "../metadata";
import { declaredMetrics, Metric, MetricDef, MetricKind, MetricSink } from "./metric";
import { MethodMetrics, MethodStats, methodMetricRoot, safeName } from "./method_stats";
import { METRIC_ROOT, PROTOCOL_TAG, STAT_PREFIX_TAG, tagged } from "./stat_tags";
import { BY_METHOD_OVERFLOW } from "../metrics";

@final
export class Stats {
  /** By `MetricDef.index`; histograms keep only their id. */
  private readonly metrics: StaticArray<Metric>;
  /** The counters and gauges, which `flush` visits. */
  private readonly flushed: Array<Metric> = [];
  private readonly methods: MethodStats;

  /**
   * Names follow MetaProtocol's (`meta_protocol.<protocol>.<stat_prefix>.<name>`) so that dashboards port over;
   * `serviceKey` / `methodKey` are the metadata keys naming a request's service and method (UTF-8).
   */
  constructor(private readonly sink: MetricSink, protocol: string, statPrefix: string, serviceKey: ArrayBuffer, methodKey: ArrayBuffer) {
    const metrics = defineAll(sink, METRIC_ROOT + protocol + "." + statPrefix + ".");
    this.metrics = metrics;
    const root = methodMetricRoot(tagged(PROTOCOL_TAG, safeName(protocol)), tagged(STAT_PREFIX_TAG, safeName(statPrefix)));
    this.methods = new MethodStats(sink, root, serviceKey, methodKey, metrics[BY_METHOD_OVERFLOW.index]);
    const defs = declaredMetrics();
    for (let i = 0; i < defs.length; i++) if (defs[i].kind != MetricKind.Histogram) this.flushed.push(metrics[i]);
  }

  /** The per-method metrics of a request (null when it names no method or the bound is reached). */
  methodOf(request: Metadata): MethodMetrics | null {
    return this.methods.of(request);
  }

  /** Counts one, for the plugin and, when the metric is per method, for `method`. */
  @inline inc(def: MetricDef, method: MethodMetrics | null = null): void {
    this.add(def, 1, method);
  }

  add(def: MetricDef, delta: i64, method: MethodMetrics | null = null): void {
    unchecked(this.metrics[def.index]).pending += delta;
    const at = def.methodIndex;
    if (method !== null && at >= 0) {
      method.touch();
      unchecked(method.metrics[at]).pending += delta;
    }
  }

  /** Records a histogram sample, for the plugin and, when the metric is per method, for `method`. */
  record(def: MetricDef, value: u64, method: MethodMetrics | null = null): void {
    this.sink.record(unchecked(this.metrics[def.index]).id, value);
    const at = def.methodIndex;
    if (method !== null && at >= 0) this.sink.record(unchecked(method.metrics[at]).id, value);
  }

  /** Hands every pending change to the host (only the methods changed since the last flush are visited). */
  flush(): void {
    const flushed = this.flushed;
    const sink = this.sink;
    for (let i = 0, n = flushed.length; i < n; i++) unchecked(flushed[i]).flushTo(sink);
    this.methods.flush();
  }
}

/** Defines every declared metric with its name after `prefix`. */
function defineAll(sink: MetricSink, prefix: string): StaticArray<Metric> {
  const defs = declaredMetrics();
  const metrics = new StaticArray<Metric>(defs.length);
  for (let i = 0; i < defs.length; i++) metrics[i] = new Metric(sink.define(defs[i].kind, prefix + defs[i].name));
  return metrics;
}

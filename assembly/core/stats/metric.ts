// Metric definitions through the host (proxy_define_metric & co), with increments summed in wasm until `flush`.

export enum MetricKind {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** Where metrics go: proxy_define_metric & co in Envoy, a plain recorder in unit tests. */
export abstract class MetricSink {
  abstract define(kind: MetricKind, name: string): u32;
  abstract add(id: u32, delta: i64): void;
  abstract record(id: u32, value: u64): void;
}

/** A counter or gauge whose pending delta is flushed to the host. */
@final
export class Metric {
  pending: i64 = 0;
  constructor(public readonly id: u32) {}

  @inline inc(): void {
    this.pending++;
  }

  @inline add(delta: i64): void {
    this.pending += delta;
  }

  /** Hands the pending delta to `sink`, if any. */
  @inline flushTo(sink: MetricSink): void {
    const pending = this.pending;
    if (pending != 0) {
      sink.add(this.id, pending);
      this.pending = 0;
    }
  }
}

/**
 * Defines metrics. Counters and gauges made with `counter`/`gauge` are remembered and visited by every `flush`;
 * those made with `untracked…` are flushed by their owner (per-method metrics, flushed only when touched).
 */
@final
export class MetricRegistry {
  readonly metrics: Array<Metric> = [];

  constructor(readonly sink: MetricSink, private readonly prefix: string) {}

  counter(name: string): Metric {
    return this.track(new Metric(this.sink.define(MetricKind.Counter, this.prefix + name)));
  }

  gauge(name: string): Metric {
    return this.track(new Metric(this.sink.define(MetricKind.Gauge, this.prefix + name)));
  }

  histogram(name: string): u32 {
    return this.sink.define(MetricKind.Histogram, this.prefix + name);
  }

  /** A counter or gauge (`kind`) with the full name given (no prefix), left for its owner to flush. */
  untracked(kind: MetricKind, fullName: string): Metric {
    return new Metric(this.sink.define(kind, fullName));
  }

  /** Hands every pending delta of the tracked metrics to the sink. */
  flush(): void {
    const metrics = this.metrics;
    const sink = this.sink;
    for (let i = 0, n = metrics.length; i < n; i++) unchecked(metrics[i]).flushTo(sink);
  }

  private track(m: Metric): Metric {
    this.metrics.push(m);
    return m;
  }
}

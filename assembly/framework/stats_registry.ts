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

/**
 * A counter or gauge whose pending delta is flushed to the host. The first change after a flush puts it on its
 * registry's list of changed metrics, so a flush visits only those (there may be thousands of per-method metrics).
 */
@final
export class Metric {
  pending: i64 = 0;
  /** On the registry's list of metrics changed since the last flush. */
  queued: bool = false;

  constructor(public readonly id: u32, private readonly changed: Array<Metric>) {}

  @inline inc(): void {
    if (!this.queued) this.enqueue();
    this.pending++;
  }

  @inline add(delta: i64): void {
    if (!this.queued) this.enqueue();
    this.pending += delta;
  }

  private enqueue(): void {
    this.queued = true;
    this.changed.push(this);
  }
}

/** Defines metrics and keeps the list of counters and gauges changed since the last flush (`Stats.flush`). */
@final
export class MetricRegistry {
  /** Every counter and gauge defined, in definition order. */
  readonly metrics: Array<Metric> = [];
  /** The counters and gauges changed since the last `takeChanged`; each at most once. */
  readonly changed: Array<Metric> = [];

  constructor(private readonly sink: MetricSink, private readonly prefix: string) {}

  counter(name: string): Metric {
    return this.track(this.sink.define(MetricKind.Counter, this.prefix + name));
  }

  gauge(name: string): Metric {
    return this.track(this.sink.define(MetricKind.Gauge, this.prefix + name));
  }

  histogram(name: string): u32 {
    return this.sink.define(MetricKind.Histogram, this.prefix + name);
  }

  /** Same as the above, with the full name given (no prefix). */
  counterNamed(fullName: string): Metric {
    return this.track(this.sink.define(MetricKind.Counter, fullName));
  }

  gaugeNamed(fullName: string): Metric {
    return this.track(this.sink.define(MetricKind.Gauge, fullName));
  }

  histogramNamed(fullName: string): u32 {
    return this.sink.define(MetricKind.Histogram, fullName);
  }

  /** Hands every pending delta to the sink and empties the list of changed metrics. */
  flush(): void {
    const changed = this.changed;
    const sink = this.sink;
    for (let i = 0, n = changed.length; i < n; i++) {
      const m = unchecked(changed[i]);
      if (m.pending != 0) {
        sink.add(m.id, m.pending);
        m.pending = 0;
      }
      m.queued = false;
    }
    changed.length = 0;
  }

  private track(id: u32): Metric {
    const m = new Metric(id, this.changed);
    this.metrics.push(m);
    return m;
  }
}

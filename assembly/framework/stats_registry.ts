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
}

/** Defines metrics and remembers every counter and gauge so that `Stats.flush` can walk them. */
@final
export class MetricRegistry {
  readonly metrics: Array<Metric> = [];

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

  private track(id: u32): Metric {
    const m = new Metric(id);
    this.metrics.push(m);
    return m;
  }
}

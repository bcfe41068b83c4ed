// The plugin's metrics. Increments are summed in wasm and handed to the host once per data event
// (`flush`), so a read carrying 64 requests costs a few host calls, not hundreds.

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
class MetricRegistry {
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

@final
export class Stats {
  private readonly metrics: Array<Metric>;

  // Names follow MetaProtocol's (stats.h) so that dashboards port over.
  readonly request: Metric;
  readonly requestOneway: Metric;
  readonly requestTwoway: Metric;
  readonly requestEvent: Metric;
  readonly requestDecodingError: Metric;
  readonly requestActive: Metric;
  readonly requestUntracked: Metric;
  readonly requestBodyNotDecoded: Metric;
  readonly response: Metric;
  readonly responseSuccess: Metric;
  readonly responseError: Metric;
  readonly responseDecodingError: Metric;
  readonly responseUnmatched: Metric;
  readonly localResponseError: Metric;
  readonly mutationUnsupported: Metric;
  readonly cxDestroyLocalWithActiveRq: Metric;
  readonly cxDestroyRemoteWithActiveRq: Metric;
  readonly cxIncompleteFrameAtClose: Metric;
  readonly requestTimeMs: u32;

  constructor(private readonly sink: MetricSink, prefix: string) {
    const r = new MetricRegistry(sink, prefix);
    this.request = r.counter("request");
    this.requestOneway = r.counter("request_oneway");
    this.requestTwoway = r.counter("request_twoway");
    this.requestEvent = r.counter("request_event");
    this.requestDecodingError = r.counter("request_decoding_error");
    this.requestActive = r.gauge("request_active");
    this.requestUntracked = r.counter("request_untracked");
    this.requestBodyNotDecoded = r.counter("request_body_not_decoded");
    this.response = r.counter("response");
    this.responseSuccess = r.counter("response_success");
    this.responseError = r.counter("response_error");
    this.responseDecodingError = r.counter("response_decoding_error");
    this.responseUnmatched = r.counter("response_unmatched");
    this.localResponseError = r.counter("local_response_error");
    this.mutationUnsupported = r.counter("mutation_unsupported");
    this.cxDestroyLocalWithActiveRq = r.counter("cx_destroy_local_with_active_rq");
    this.cxDestroyRemoteWithActiveRq = r.counter("cx_destroy_remote_with_active_rq");
    this.cxIncompleteFrameAtClose = r.counter("cx_incomplete_frame_at_close");
    this.requestTimeMs = r.histogram("request_time_ms");
    this.metrics = r.metrics;
  }

  recordRequestTime(ms: u64): void {
    this.sink.record(this.requestTimeMs, ms);
  }

  /** Hands every pending delta to the host. */
  flush(): void {
    const metrics = this.metrics;
    for (let i = 0, n = metrics.length; i < n; i++) {
      const m = unchecked(metrics[i]);
      if (m.pending != 0) {
        this.sink.add(m.id, m.pending);
        m.pending = 0;
      }
    }
  }
}

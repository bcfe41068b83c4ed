// The plugin's metrics. Increments are summed in wasm and handed to the host once per data event
// (`flush`), so a read carrying 64 requests costs a few host calls, not hundreds.
import { Metadata } from "./metadata";
import { MethodMetrics, MethodStats } from "./method_stats";
import { Metric, MetricRegistry, MetricSink } from "./stats_registry";

export { Metric, MetricKind, MetricSink } from "./stats_registry";

@final
export class Stats {
  private readonly registry: MetricRegistry;
  private readonly methods: MethodStats;

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
  readonly routeNotFound: Metric;
  readonly routeMismatch: Metric;
  readonly rateLimited: Metric;
  readonly ratelimitOk: Metric;
  readonly globalRatelimitOk: Metric;
  readonly globalRatelimitOverLimit: Metric;
  readonly globalRatelimitError: Metric;
  readonly globalRatelimitFailureModeAllowed: Metric;
  readonly cxDestroyLocalWithActiveRq: Metric;
  readonly cxDestroyRemoteWithActiveRq: Metric;
  readonly cxIncompleteFrameAtClose: Metric;
  readonly requestTimeMs: u32;

  /** `serviceKey` / `methodKey`: the metadata keys naming a request's service and method, for per-method metrics. */
  constructor(private readonly sink: MetricSink, prefix: string, serviceKey: string = "", methodKey: string = "") {
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
    this.routeNotFound = r.counter("route_not_found");
    this.routeMismatch = r.counter("route_mismatch");
    this.rateLimited = r.counter("rate_limited");
    this.ratelimitOk = r.counter("ratelimit_ok");
    this.globalRatelimitOk = r.counter("global_ratelimit_ok");
    this.globalRatelimitOverLimit = r.counter("global_ratelimit_over_limit");
    this.globalRatelimitError = r.counter("global_ratelimit_error");
    this.globalRatelimitFailureModeAllowed = r.counter("global_ratelimit_failure_mode_allowed");
    this.cxDestroyLocalWithActiveRq = r.counter("cx_destroy_local_with_active_rq");
    this.cxDestroyRemoteWithActiveRq = r.counter("cx_destroy_remote_with_active_rq");
    this.cxIncompleteFrameAtClose = r.counter("cx_incomplete_frame_at_close");
    this.requestTimeMs = r.histogram("request_time_ms");
    this.methods = new MethodStats(r, serviceKey, methodKey, r.counter("by_method_overflow"));
    this.registry = r;
  }

  /** Per-method counters of a request (null when it names no method). */
  ofMethod(request: Metadata): MethodMetrics | null {
    return this.methods.of(request);
  }

  recordRequestTime(ms: u64): void {
    this.sink.record(this.requestTimeMs, ms);
  }

  /** Hands every pending delta to the host. */
  flush(): void {
    const metrics = this.registry.metrics;
    for (let i = 0, n = metrics.length; i < n; i++) {
      const m = unchecked(metrics[i]);
      if (m.pending != 0) {
        this.sink.add(m.id, m.pending);
        m.pending = 0;
      }
    }
  }
}

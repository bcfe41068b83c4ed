// The plugin's metrics. Increments are summed in wasm and handed to the host once per data event
// (`flush`), so a read carrying 64 requests costs a few host calls, not hundreds.
import { Metadata } from "../metadata";
import { MethodMetrics, MethodStats, methodMetricRoot } from "./method_stats";
import { InFlightRequest } from "../request_table";
import { Metric, MetricRegistry, MetricSink } from "./metric";

export { Metric, MetricKind, MetricSink } from "./metric";
export { MethodMetrics } from "./method_stats";

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
  readonly cxFrameTimeout: Metric;
  readonly requestTimeMs: u32;

  /**
   * The per-method metrics of the request going through the filter chain now (null: it names no method). Set by
   * `beginRequest` (RequestObserver, first in the chain); the `…Request()` counters below also count it per method.
   */
  method: MethodMetrics | null = null;

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
    this.cxFrameTimeout = r.counter("cx_frame_timeout");
    this.requestTimeMs = r.histogram("request_time_ms");
    this.methods = new MethodStats(r, methodMetricRoot(prefix), serviceKey, methodKey, r.counter("by_method_overflow"));
    this.registry = r;
  }

  /** Per-method metrics of a request (null when it names no method or the bound is reached). */
  ofMethod(request: Metadata): MethodMetrics | null {
    return this.methods.of(request);
  }

  /** Looks up the per-method metrics of the request entering the chain, once, and makes them `method`. */
  beginRequest(request: Metadata): MethodMetrics | null {
    const method = this.methods.of(request);
    if (method !== null) method.touch();
    this.method = method;
    return method;
  }

  /** The metadata keys of a request's service and method (UTF-8; empty when the protocol has none). */
  get serviceKey(): ArrayBuffer {
    return this.methods.serviceKeyBytes;
  }

  get methodKey(): ArrayBuffer {
    return this.methods.methodKeyBytes;
  }

  /** The current request was rejected by a rate limit (local or global). */
  /** Makes `method` the current request's again: a paused request taken up again (`Connection.resume`). */
  resumeRequest(method: MethodMetrics | null): void {
    if (method !== null) method.touch();
    this.method = method;
  }

  rateLimitedRequest(): void {
    this.rateLimited.inc();
    const m = this.method;
    if (m !== null) m.rateLimited.inc();
  }

  /** No route matches the current request. */
  routeNotFoundRequest(): void {
    this.routeNotFound.inc();
    const m = this.method;
    if (m !== null) m.routeNotFound.inc();
  }

  /** The current request's route leads elsewhere than its connection. */
  routeMismatchRequest(): void {
    this.routeMismatch.inc();
    const m = this.method;
    if (m !== null) m.routeMismatch.inc();
  }

  /** The current request is answered by the filter (an error reply through a carrier, or dropped if one-way). */
  localResponseErrorRequest(): void {
    this.localResponseError.inc();
    const m = this.method;
    if (m !== null) m.localResponseError.inc();
  }

  /** The current request now awaits its response as `entry` (which keeps its per-method metrics). */
  requestStarted(entry: InFlightRequest): void {
    this.requestActive.inc();
    const m = this.method;
    entry.method = m;
    if (m !== null) m.requestActive.inc();
  }

  /** `entry`'s response arrived. */
  requestEnded(entry: InFlightRequest): void {
    this.requestActive.add(-1);
    const m = entry.method;
    if (m !== null) {
      m.touch();
      m.requestActive.add(-1);
    }
  }

  /** Records a request's time, overall and for its method. */
  recordRequestTime(ms: u64, method: MethodMetrics | null = null): void {
    this.sink.record(this.requestTimeMs, ms);
    if (method !== null) this.sink.record(method.requestTimeMs, ms);
  }

  /** Hands every pending delta to the host (only metrics changed since the last flush are visited). */
  flush(): void {
    this.registry.flush();
    this.methods.flush(this.sink);
  }
}

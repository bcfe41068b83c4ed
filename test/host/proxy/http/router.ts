// envoy.filters.http.router for one request (source/common/router/router.cc Filter::decodeHeaders,
// onUpstreamHeaders, onUpstreamReset, onResponseTimeout, onPerTryTimeout, doRetry; shadow_writer_impl.cc):
// - no route: 404 (NR, `no_route`); direct_response: its status and body plus the route's response headers
//   (`rq_direct_response`); a cluster without endpoints: 503 "no healthy upstream" (UH);
// - the upstream request carries the downstream headers, x-envoy-expected-rq-timeout-ms (per-try timeout, else route
//   timeout, minus the time already spent on earlier tries; absent when there is no timeout), then the
//   request_headers_to_add of route, virtual host and route_config in that order (the last one wins);
// - the route timeout runs from the end of the downstream request: 504 "upstream request timeout" (UT); a per-try
//   timeout resets the attempt and retries like a reset would, else 504 too;
// - a reset before response headers retries (retry_state.ts) or answers 503 "upstream connect error or
//   disconnect/reset before headers. ..." with UF/UC/UR;
// - the response forwarded gets x-envoy-upstream-service-time, then the response_headers_to_add of route, virtual
//   host and route_config;
// - each request_mirror_policies cluster gets a copy with "-shadow" appended to the authority's host; its response is
//   read and dropped, and it is bounded by the route timeout.
// This host hands the router the whole request body at once (the connection manager buffers it), so every try and
// mirror resends it.
import http2, { type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { LogLevel, type Counter, type LogSink } from "../../api.ts";
import { hostPort } from "../bootstrap.ts";
import type { ClusterEntry, StaticClusterManager } from "../clusters.ts";
import { pickWeighted } from "../tcp_proxy.ts";
import { splitPort } from "./authority.ts";
import { applyHeaderMutations, type Headers } from "./header_mutation.ts";
import type { PooledConnection } from "./http2_conn_pool.ts";
import { LOCAL_REPLIES, ResetReason, type LocalReply } from "./local_reply.ts";
import type { RouteAction, RouteConfig } from "./route_config.ts";
import type { RouteSelection } from "./route_matcher.ts";
import { RetryState } from "./retry_state.ts";

/** The downstream stream as the router answers it. */
export interface DownstreamStream {
  localReply(reply: LocalReply): void;
  respond(headers: Headers, endStream: boolean): void;
  write(chunk: Buffer): void;
  end(): void;
  /** The response had started: all that can be done is resetting the stream. */
  reset(): void;
}

/** Router stats in the connection manager's `http.<stat_prefix>.` scope. */
export interface RouterStats {
  readonly rqTotal: Counter;
  readonly noRoute: Counter;
  readonly rqDirectResponse: Counter;
}

export interface RouterContext {
  readonly clusters: StaticClusterManager;
  readonly worker: number;
  readonly routeConfig: RouteConfig;
  readonly stats: RouterStats;
  /** Envoy's "router" logger. */
  readonly log: LogSink;
}

interface Attempt {
  readonly stream: ClientHttp2Stream;
  readonly connection: PooledConnection;
  perTryTimer?: NodeJS.Timeout;
  responded: boolean;
  /** Ended by the router (retry, timeout): its close says nothing more. */
  abandoned: boolean;
}

export class RouterFilter {
  private action?: RouteAction;
  private selection?: RouteSelection;
  private cluster?: ClusterEntry;
  private headers: Headers = {};
  private body: Buffer = Buffer.alloc(0);
  private requestCompleteAt = 0;
  private retry?: RetryState;
  private retried = false;
  private attempt?: Attempt;
  private retryTimer?: NodeJS.Timeout;
  private routeTimer?: NodeJS.Timeout;
  private readonly shadows: ClientHttp2Stream[] = [];
  private done = false;

  constructor(
    private readonly context: RouterContext,
    private readonly downstream: DownstreamStream,
  ) {}

  /** Decides from the request headers; a local reply here ends the request. */
  decodeHeaders(headers: Headers, selection: RouteSelection | undefined): LocalReply | undefined {
    const { stats, clusters, routeConfig } = this.context;
    stats.rqTotal.add(1);
    if (selection === undefined) {
      stats.noRoute.add(1);
      this.context.log(LogLevel.Debug, `no route match for URL '${headers[":path"]}'`);
      return LOCAL_REPLIES.noRoute();
    }
    const { route, virtualHost } = selection;
    if ("directResponse" in route.action) {
      stats.rqDirectResponse.add(1);
      const { status, body } = route.action.directResponse;
      const mutations = [route.responseHeadersToAdd, virtualHost.responseHeadersToAdd, routeConfig.responseHeadersToAdd];
      return { status, body, modifyHeaders: (response) => applyHeaderMutations(response, ...mutations) };
    }
    const action = route.action.route;
    const target = action.target;
    const clusterName = "cluster" in target ? target.cluster : pickWeighted(target.weightedClusters);
    // The bootstrap refuses a route_config naming a cluster that does not exist (validate_clusters).
    const cluster = clusters.get(clusterName)!;
    this.action = action;
    this.selection = selection;
    this.cluster = cluster;
    this.retry = new RetryState(action.retryPolicy);
    this.headers = { ...headers };
    const mutations = [route.requestHeadersToAdd, virtualHost.requestHeadersToAdd, routeConfig.requestHeadersToAdd];
    applyHeaderMutations(this.headers, ...mutations);
    return undefined;
  }

  /** The downstream request is complete: send it upstream. */
  decodeBody(body: Buffer): void {
    const action = this.action!;
    this.body = body;
    this.requestCompleteAt = performance.now();
    if (action.timeoutMs > 0) this.routeTimer = setTimeout(() => this.onRouteTimeout(), action.timeoutMs);
    // Envoy samples each policy's runtime_fraction per request (FilterUtility::shouldShadow).
    for (const mirror of action.mirrors) if (mirror.fraction >= 1 || Math.random() < mirror.fraction) this.shadow(mirror.cluster);
    this.sendAttempt();
  }

  /** The downstream stream went away: drop everything upstream. */
  onDownstreamReset(): void {
    this.finish();
    for (const shadow of this.shadows) shadow.close(http2.constants.NGHTTP2_CANCEL);
  }

  private sendAttempt(): void {
    const cluster = this.cluster!;
    if (cluster.endpoints.length === 0) {
      cluster.stats.upstreamCxNoneHealthy.add(1);
      this.replyLocally(LOCAL_REPLIES.noHealthyUpstream());
      return;
    }
    const endpoint = this.retry!.chooseHost(() => this.context.clusters.pickEndpoint(cluster), hostPort);
    const connection = this.context.clusters.http2Pools.connection(cluster, endpoint, this.context.worker);
    cluster.stats.upstreamRqTotal.add(1);
    const headers = { ...this.headers };
    const expectedTimeoutMs = this.expectedTimeoutMs();
    if (expectedTimeoutMs !== undefined) headers["x-envoy-expected-rq-timeout-ms"] = String(expectedTimeoutMs);
    const stream = connection.session.request(headers, { endStream: this.body.length === 0 });
    if (this.body.length > 0) stream.end(this.body);
    const attempt: Attempt = { stream, connection, responded: false, abandoned: false };
    this.attempt = attempt;
    this.context.log(LogLevel.Debug, `cluster '${cluster.name}' attempt to ${hostPort(endpoint)}`);
    const perTryMs = this.action!.retryPolicy?.perTryTimeoutMs ?? 0;
    if (perTryMs > 0 && !this.perTryCoversRouteTimeout(perTryMs)) {
      attempt.perTryTimer = setTimeout(() => this.onPerTryTimeout(attempt), perTryMs);
    }
    stream.on("error", () => {}); // "close" follows, with the RST_STREAM code
    stream.on("response", (response) => this.onResponseHeaders(attempt, response));
    stream.on("data", (chunk: Buffer) => attempt.responded && !attempt.abandoned && this.downstream.write(chunk));
    stream.on("end", () => attempt.responded && !attempt.abandoned && this.onUpstreamComplete());
    stream.on("close", () => this.onAttemptClosed(attempt));
  }

  /** FilterUtility::finalTimeout: a per-try timeout at or above the route timeout is ignored. */
  private perTryCoversRouteTimeout(perTryMs: number): boolean {
    const routeMs = this.action!.timeoutMs;
    return routeMs > 0 && perTryMs >= routeMs;
  }

  /** FilterUtility::setTimeoutHeaders. */
  private expectedTimeoutMs(): number | undefined {
    const routeMs = this.action!.timeoutMs;
    const perTryMs = this.action!.retryPolicy?.perTryTimeoutMs ?? 0;
    let expected = perTryMs > 0 && !this.perTryCoversRouteTimeout(perTryMs) ? perTryMs : routeMs;
    if (expected === 0) return undefined;
    if (routeMs > 0) {
      const elapsed = Math.floor(performance.now() - this.requestCompleteAt);
      expected = elapsed >= routeMs ? 1 : Math.min(expected, routeMs - elapsed);
    }
    return expected;
  }

  private onResponseHeaders(attempt: Attempt, response: IncomingHttpHeaders): void {
    if (attempt.abandoned || this.done) return;
    clearTimeout(attempt.perTryTimer);
    const status = Number(response[":status"]);
    const verdict = this.retry!.fromHeaders(status, response);
    if (verdict === "retry") {
      this.abandon(attempt);
      this.scheduleRetry();
      return;
    }
    const stats = this.cluster!.stats;
    if (verdict === "limit-exceeded") stats.upstreamRqRetryLimitExceeded.add(1);
    else if (this.retried) stats.upstreamRqRetrySuccess.add(1);
    attempt.responded = true;
    const { route, virtualHost } = this.selection!;
    const headers: Headers = { ...response, ":status": String(status) };
    headers["x-envoy-upstream-service-time"] = String(Math.floor(performance.now() - this.requestCompleteAt));
    applyHeaderMutations(headers, route.responseHeadersToAdd, virtualHost.responseHeadersToAdd, this.context.routeConfig.responseHeadersToAdd);
    const endStream = attempt.stream.endAfterHeaders;
    this.downstream.respond(headers, endStream);
    if (endStream) this.onUpstreamComplete();
  }

  private onUpstreamComplete(): void {
    if (this.done) return;
    this.finish();
    this.downstream.end();
  }

  private onAttemptClosed(attempt: Attempt): void {
    clearTimeout(attempt.perTryTimer);
    if (attempt.abandoned || this.done) return;
    if (attempt.responded) {
      // The response had started and the upstream stream ended without finishing it.
      this.finish();
      this.downstream.reset();
      return;
    }
    this.onAttemptReset(attempt.connection.resetReason(attempt.stream.rstCode ?? 0));
  }

  private onAttemptReset(reason: ResetReason): void {
    const verdict = this.retry!.fromReset(reason);
    if (verdict === "retry") {
      this.scheduleRetry();
      return;
    }
    if (verdict === "limit-exceeded") this.cluster!.stats.upstreamRqRetryLimitExceeded.add(1);
    this.replyLocally(LOCAL_REPLIES.upstreamReset(reason, this.retried));
  }

  private onPerTryTimeout(attempt: Attempt): void {
    if (attempt.abandoned || this.done) return;
    this.cluster!.stats.upstreamRqPerTryTimeout.add(1);
    this.abandon(attempt);
    const verdict = this.retry!.fromReset(ResetReason.LocalReset);
    if (verdict === "retry") {
      this.scheduleRetry();
      return;
    }
    if (verdict === "limit-exceeded") this.cluster!.stats.upstreamRqRetryLimitExceeded.add(1);
    this.replyLocally(LOCAL_REPLIES.timeout());
  }

  private onRouteTimeout(): void {
    if (this.done) return;
    this.cluster!.stats.upstreamRqTimeout.add(1);
    const responded = this.attempt?.responded ?? false;
    this.finish();
    if (responded) this.downstream.reset();
    else this.downstream.localReply(LOCAL_REPLIES.timeout());
  }

  private scheduleRetry(): void {
    this.cluster!.stats.upstreamRqRetry.add(1);
    this.retried = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.done) this.sendAttempt();
    }, this.retry!.backOffMs());
  }

  private replyLocally(reply: LocalReply): void {
    this.finish();
    this.downstream.localReply(reply);
  }

  /** Stops every timer and the current attempt: the request has its answer (or no one waits for one). */
  private finish(): void {
    this.done = true;
    clearTimeout(this.routeTimer);
    clearTimeout(this.retryTimer);
    const attempt = this.attempt;
    if (attempt !== undefined && !attempt.stream.closed) {
      clearTimeout(attempt.perTryTimer);
      if (!attempt.stream.readableEnded) this.abandon(attempt);
    }
  }

  private abandon(attempt: Attempt): void {
    attempt.abandoned = true;
    clearTimeout(attempt.perTryTimer);
    attempt.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  /** ShadowWriterImpl::shadow: a copy to `clusterName`, its response dropped, bounded by the route timeout. */
  private shadow(clusterName: string): void {
    const cluster = this.context.clusters.get(clusterName);
    if (cluster === undefined || cluster.endpoints.length === 0) {
      this.context.log(LogLevel.Debug, `shadow cluster '${clusterName}' does not exist or has no endpoint`);
      return;
    }
    const connection = this.context.clusters.http2Pools.connection(cluster, this.context.clusters.pickEndpoint(cluster), this.context.worker);
    cluster.stats.upstreamRqTotal.add(1);
    const headers = { ...this.headers, ":authority": shadowAuthority(String(this.headers[":authority"] ?? "")) };
    const stream = connection.session.request(headers, { endStream: this.body.length === 0 });
    if (this.body.length > 0) stream.end(this.body);
    stream.on("error", () => {});
    stream.resume(); // read and drop the response
    this.shadows.push(stream);
    const timeoutMs = this.action!.timeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), timeoutMs) : undefined;
    stream.on("close", () => {
      clearTimeout(timer);
      this.shadows.splice(this.shadows.indexOf(stream), 1);
    });
  }
}

/** shadowAppendedHost: "host:port" becomes "host-shadow:port". */
function shadowAuthority(authority: string): string {
  const { host, port } = splitPort(authority);
  return `${host}-shadow${port}`;
}

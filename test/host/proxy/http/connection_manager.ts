// envoy.filters.network.http_connection_manager for one downstream connection (source/common/http/
// conn_manager_impl.cc ConnectionManagerImpl::onData, ActiveStream::decodeHeaders, encodeHeaders, chargeStats;
// conn_manager_utility.cc determineNextProtocol, mutateRequestHeaders), the terminal read filter of its chain:
// - the codec is created on the first bytes: HTTP/2 for codec_type HTTP2, and for AUTO when the bytes start with
//   "PRI * HTTP/2" (Envoy would pick HTTP/1 otherwise, which this host does not implement: it closes the
//   connection, counts downstream_cx_protocol_error and logs why);
// - the HTTP/2 server is Node's (nghttp2, Envoy's default codec), with Envoy's default settings (max concurrent
//   streams 2^31-1, stream and connection windows 256 MiB); it reads the bytes the filter chain hands to this
//   filter, and everything it writes goes out through the connection's write path, so the write filters before
//   this one (in reverse order) see and may rewrite every byte, as they do in Envoy, where the codec writes each
//   frame fragment through Network::Connection::write from a transient buffer (codec_impl.cc onSend): bytes a
//   write filter stops are dropped, not presented again;
// - each stream: x-forwarded-proto "http" and x-request-id (random UUID) added when absent, the downstream remote
//   address detected (the last x-forwarded-for address, else the connection's peer), the http filters in order
//   (local_ratelimit, rbac) then the router; the response gets `date` when absent and `server` (server_name) always.
// Stats: `http.<stat_prefix>.downstream_cx_total`, `downstream_cx_active`, `downstream_cx_http2_total`,
// `downstream_cx_protocol_error`, `downstream_rq_total`, `downstream_rq_completed`, `downstream_rq_<N>xx`.
import { randomUUID } from "node:crypto";
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";
import { ByteBuffer, CloseType, ConnectionEvent, FilterStatus, LogLevel, type Counter, type Gauge, type LogSink, type StatsStore } from "../../api.ts";
import type { StaticClusterManager } from "../clusters.ts";
import type { Connection } from "../connection.ts";
import type { ReadFilter } from "../filter_manager.ts";
import type { HttpConnectionManagerConfig } from "./hcm_config.ts";
import type { Headers } from "./header_mutation.ts";
import type { DecodedRequest, DecoderFilter } from "./http_filter.ts";
import { localReplyHeaders, type LocalReply } from "./local_reply.ts";
import { LocalRateLimiter } from "./local_ratelimit.ts";
import { RbacFilter } from "./rbac.ts";
import { RouteMatcher } from "./route_matcher.ts";
import { RouterFilter, type DownstreamStream, type RouterStats } from "./router.ts";

/** The first bytes of an HTTP/2 client connection preface that Envoy's AUTO codec looks for (CLIENT_MAGIC_PREFIX). */
const HTTP2_MAGIC_PREFIX = Buffer.from("PRI * HTTP/2");
/** Envoy's Http2ProtocolOptions defaults. */
const DEFAULT_WINDOW_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_CONCURRENT_STREAMS = 2 ** 31 - 1;
const PAYLOAD_TOO_LARGE: LocalReply = { status: 413, body: "Payload Too Large" };

interface HttpConnectionManagerStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxActive: Gauge;
  readonly downstreamCxHttp2Total: Counter;
  readonly downstreamCxProtocolError: Counter;
  readonly downstreamRqTotal: Counter;
  readonly downstreamRqCompleted: Counter;
  /** downstream_rq_1xx … downstream_rq_5xx, by the status's first digit. */
  readonly downstreamRqByClass: readonly Counter[];
  readonly router: RouterStats;
}

/** What every connection of one listener's connection manager shares: config, stats, route table, http filters. */
export class HttpConnectionManagerConfigInstance {
  readonly stats: HttpConnectionManagerStats;
  readonly routes: RouteMatcher;
  /** The http filters before the router, in order. */
  readonly httpFilters: readonly DecoderFilter[];

  constructor(
    readonly config: HttpConnectionManagerConfig,
    readonly clusters: StaticClusterManager,
    store: StatsStore,
    /** per_connection_buffer_limit_bytes of the listener: the most request body a stream may buffer. */
    readonly bufferLimitBytes: number,
    /** Envoy's "http" logger. */
    readonly log: LogSink,
  ) {
    const counter = (name: string) => store.counter(`http.${config.statPrefix}.${name}`);
    this.stats = {
      downstreamCxTotal: counter("downstream_cx_total"),
      downstreamCxActive: store.gauge(`http.${config.statPrefix}.downstream_cx_active`),
      downstreamCxHttp2Total: counter("downstream_cx_http2_total"),
      downstreamCxProtocolError: counter("downstream_cx_protocol_error"),
      downstreamRqTotal: counter("downstream_rq_total"),
      downstreamRqCompleted: counter("downstream_rq_completed"),
      downstreamRqByClass: [1, 2, 3, 4, 5].map((digit) => counter(`downstream_rq_${digit}xx`)),
      router: {
        rqTotal: counter("rq_total"),
        noRoute: counter("no_route"),
        rqDirectResponse: counter("rq_direct_response"),
      },
    };
    this.routes = new RouteMatcher(config.routeConfig);
    // Http filters get the connection manager's stat prefix (http_connection_manager/config.cc stats_prefix_).
    const filterStatPrefix = `http.${config.statPrefix}.`;
    this.httpFilters = config.httpFilters.map((filter) =>
      "localRateLimit" in filter ? new LocalRateLimiter(filter.localRateLimit, store) : new RbacFilter(filter.rbac, filterStatPrefix, store),
    );
  }
}

export class HttpConnectionManagerFilter implements ReadFilter {
  private session?: ServerHttp2Session;
  private transport?: Duplex;
  private readonly routers = new Set<RouterFilter>();

  constructor(
    private readonly shared: HttpConnectionManagerConfigInstance,
    private readonly downstream: Connection,
    private readonly worker: number,
  ) {}

  initializeReadFilterCallbacks(): void {
    const { stats } = this.shared;
    stats.downstreamCxTotal.add(1);
    stats.downstreamCxActive.add(1);
    this.downstream.addConnectionCallbacks({
      onEvent: (event) => {
        if (event === ConnectionEvent.Connected) return;
        stats.downstreamCxActive.add(-1);
        for (const router of [...this.routers]) router.onDownstreamReset();
        this.session?.destroy();
      },
    });
  }

  onNewConnection(): FilterStatus {
    return FilterStatus.Continue;
  }

  onData(data: ByteBuffer, endStream: boolean): FilterStatus {
    if (this.transport === undefined && !this.createCodec(data)) return FilterStatus.StopIteration;
    if (data.length > 0) this.transport!.push(Buffer.from(data.takeAll()));
    if (endStream) this.transport!.push(null);
    return FilterStatus.StopIteration;
  }

  /** False (and the connection closed) when the bytes are not HTTP/2. */
  private createCodec(data: ByteBuffer): boolean {
    const { config, stats, log } = this.shared;
    const head = data.view().subarray(0, HTTP2_MAGIC_PREFIX.length);
    if (config.codecType === "AUTO" && !Buffer.from(head).equals(HTTP2_MAGIC_PREFIX)) {
      stats.downstreamCxProtocolError.add(1);
      log(LogLevel.Warn, `[C${this.downstream.info.id}] HTTP/1 is not implemented by this host: closing the connection`);
      this.downstream.close(CloseType.NoFlush);
      return false;
    }
    stats.downstreamCxHttp2Total.add(1);
    this.transport = this.connectionTransport();
    const session = http2.performServerHandshake(this.transport, {
      settings: { initialWindowSize: DEFAULT_WINDOW_BYTES, maxConcurrentStreams: DEFAULT_MAX_CONCURRENT_STREAMS },
    });
    session.setLocalWindowSize(DEFAULT_WINDOW_BYTES);
    session.on("error", (error) => log(LogLevel.Debug, `[C${this.downstream.info.id}] HTTP/2 session error: ${error.message}`));
    // Node passes the header fields as received as a fourth argument, which its typings leave out.
    session.on("stream", ((stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) =>
      this.onStream(stream, headers, rawHeaders)) as (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void);
    this.session = session;
    return true;
  }

  /** The byte stream the HTTP/2 server reads and writes: the filter chain on one side, the connection's writes on the other. */
  private connectionTransport(): Duplex {
    const downstream = this.downstream;
    return new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        downstream.write(new ByteBuffer(chunk), false);
        done();
      },
      final(done) {
        downstream.close(CloseType.FlushWrite);
        done();
      },
      destroy(error, done) {
        downstream.close(CloseType.FlushWrite);
        done(error);
      },
    });
  }

  private onStream(stream: ServerHttp2Stream, incoming: IncomingHttpHeaders, rawHeaders: readonly string[]): void {
    const { stats, config, routes, httpFilters, clusters, bufferLimitBytes } = this.shared;
    stats.downstreamRqTotal.add(1);
    stream.on("error", () => {}); // "close" follows
    const headers = requestHeaders(incoming, config.generateRequestId);
    const downstream = this.downstreamStream(stream);
    const request: DecodedRequest = {
      headers,
      headerValues: headerValues(rawHeaders, headers),
      connection: this.downstream.info,
      remoteAddress: lastForwardedForAddress(headers) ?? this.downstream.info.sourceAddress,
    };
    for (const filter of httpFilters) {
      const reply = filter.decodeHeaders(request);
      if (reply !== undefined) {
        downstream.localReply(reply);
        return;
      }
    }
    const router = new RouterFilter({ clusters, worker: this.worker, routeConfig: config.routeConfig, stats: stats.router, log: this.shared.log }, downstream);
    const reply = router.decodeHeaders(headers, routes.route(headers));
    if (reply !== undefined) {
      downstream.localReply(reply);
      return;
    }
    this.routers.add(router);
    stream.on("close", () => {
      if (this.routers.delete(router) && !stream.writableFinished) router.onDownstreamReset();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      if (!this.routers.has(router)) return;
      size += chunk.length;
      if (size > bufferLimitBytes) {
        this.routers.delete(router);
        downstream.localReply(PAYLOAD_TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => {
      if (this.routers.has(router)) router.decodeBody(Buffer.concat(chunks));
    });
  }

  private downstreamStream(stream: ServerHttp2Stream): DownstreamStream {
    const { config, stats } = this.shared;
    const respond = (headers: Headers, endStream: boolean) => {
      if (stream.closed || stream.headersSent) return;
      headers["date"] ??= new Date().toUTCString();
      headers["server"] = config.serverName;
      stats.downstreamRqCompleted.add(1);
      stats.downstreamRqByClass[Math.floor(Number(headers[":status"]) / 100) - 1]?.add(1);
      stream.respond(headers, { endStream });
    };
    return {
      respond,
      localReply(reply) {
        if (stream.closed || stream.headersSent) return;
        const headers = localReplyHeaders(reply);
        respond(headers, reply.body === "");
        if (reply.body !== "" && !stream.closed) stream.end(reply.body);
      },
      write: (chunk) => !stream.closed && stream.write(chunk),
      end: () => !stream.closed && stream.end(),
      reset: () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR),
    };
  }
}

/** The request as the router forwards it: HTTP/2 header names are lowercase already. */
function requestHeaders(incoming: IncomingHttpHeaders, generateRequestId: boolean): Headers {
  const headers: Headers = { ...incoming };
  headers["x-forwarded-proto"] ??= "http";
  if (generateRequestId) headers["x-request-id"] ??= randomUUID();
  return headers;
}

/**
 * Each header's values as HTTP/2 delivered them (Node's rawHeaders: name, value, name, value ...), cookie crumbs
 * joined with "; " as Envoy's HTTP/2 codec does (codec_impl.cc Utility::reconstituteCrumbledCookies), plus the
 * headers the connection manager added.
 */
function headerValues(rawHeaders: readonly string[], headers: Headers): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index];
    const list = values.get(name) ?? [];
    values.set(name, list);
    if (name === "cookie" && list.length > 0) list[0] += `; ${rawHeaders[index + 1]}`;
    else list.push(rawHeaders[index + 1]);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!values.has(name) && value !== undefined) values.set(name, [String(value)]);
  }
  return values;
}

/**
 * The original IP detection of a connection manager without use_remote_address: the default XFF extension with
 * xff_num_trusted_hops 0 (http_connection_manager/config.cc, original_ip_detection/xff/xff.cc XffIPDetection::detect,
 * http/utility.cc Utility::getLastAddressFromXFF) takes the last x-forwarded-for entry if it is an IP address;
 * ConnectionManagerUtility::mutateRequestHeaders falls back to the connection's peer.
 */
function lastForwardedForAddress(headers: Headers): string | undefined {
  const forwardedFor = headers["x-forwarded-for"];
  if (forwardedFor === undefined) return undefined;
  const last = String(forwardedFor).split(",").at(-1)!.trim();
  return net.isIP(last) === 0 ? undefined : last;
}

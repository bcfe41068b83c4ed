// Helpers for the connection manager's tests: a bootstrap whose listener ends in the HTTP connection manager,
// HTTP/2 upstream servers that record what they get, and an HTTP/2 client.
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { NetworkFilter } from "../../api.ts";
import { runHost, type RunningHost } from "../host.ts";
import { afterEach } from "node:test";
import { address, singleListenerBootstrap, testComponents } from "../test_support.ts";

const HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

export interface HcmProxyOptions {
  /** The route_config (virtual_hosts, ...). */
  readonly routeConfig: Record<string, unknown>;
  /** Cluster name to its endpoints' ports; every cluster speaks HTTP/2. */
  readonly clusters: Record<string, number[]>;
  /** http_filters before the router. */
  readonly httpFilters?: Record<string, unknown>[];
  /** More typed_config fields of the connection manager. */
  readonly hcm?: Record<string, unknown>;
  /** Test network filters before the connection manager, one "wasm" entry each. */
  readonly filters?: readonly (() => NetworkFilter)[];
  readonly cluster?: Record<string, unknown>;
  /** More fields of the listener (its address, ...). */
  readonly listener?: Record<string, unknown>;
}

export function hcmBootstrap(options: HcmProxyOptions): object {
  return singleListenerBootstrap({
    filters: options.filters,
    listener: options.listener,
    terminal: {
      name: "envoy.filters.network.http_connection_manager",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        stat_prefix: "ingress",
        codec_type: "HTTP2",
        route_config: options.routeConfig,
        http_filters: [
          ...(options.httpFilters ?? []),
          { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
        ],
        ...options.hcm,
      },
    },
    clusters: Object.entries(options.clusters).map(([name, ports]) => ({
      name,
      connect_timeout: "1s",
      typed_extension_protocol_options: {
        [HTTP_PROTOCOL_OPTIONS]: { "@type": `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`, explicit_http_config: { http2_protocol_options: {} } },
      },
      ...options.cluster,
      load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: ports.map((port) => ({ endpoint: { address: address(port) } })) }] },
    })),
  });
}

export interface HcmProxy {
  readonly host: RunningHost;
  readonly port: number;
  /** A counter or gauge's value in the host's stats store. */
  stat(name: string): number;
}

export async function startHcmProxy(options: HcmProxyOptions): Promise<HcmProxy> {
  const host = await runHost({ config: hcmBootstrap(options), concurrency: 1, log: () => {} }, testComponents(options.filters));
  return {
    host,
    port: host.listenerPort("main"),
    stat: (name) => {
      const line = host.stats.renderText().split("\n").find((entry) => entry.startsWith(`${name}: `));
      return line === undefined ? 0 : Number(line.slice(name.length + 2));
    },
  };
}

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What an upstream does with a request: answer it (status, headers, body), or act on the stream itself. */
export type UpstreamHandler = (request: ReceivedRequest, stream: ServerHttp2Stream) => { status: number; headers?: OutgoingHttpHeaders; body?: string } | void;

export interface Http2Upstream {
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** HTTP/2 connections accepted. */
  sessions: number;
  close(): Promise<void>;
}

/** An HTTP/2 server on 127.0.0.1:0; answers 200 with body `name` unless `handler` says otherwise. */
export async function startHttp2Upstream(name: string, handler?: UpstreamHandler): Promise<Http2Upstream> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  const upstream = { port: 0, requests: [] as ReceivedRequest[], sessions: 0, close: async () => {} };
  server.on("session", (session) => {
    upstream.sessions++;
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    let body = "";
    stream.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    stream.on("end", () => {
      const request = { headers, body };
      upstream.requests.push(request);
      const answer = handler ? handler(request, stream) : { status: 200, body: name };
      if (answer === undefined || stream.closed) return;
      stream.respond({ ":status": answer.status, ...answer.headers });
      stream.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.port = (server.address() as { port: number }).port;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return upstream;
}

export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTP/2 client connection to the proxy. */
export class Http2Client {
  private constructor(readonly session: http2.ClientHttp2Session) {
    session.on("error", () => {});
  }

  static connect(port: number): Http2Client {
    return new Http2Client(http2.connect(`http://127.0.0.1:${port}`));
  }

  /** A POST to `path`; resolves with the response, rejects if the stream is reset. */
  request(path: string, headers: OutgoingHttpHeaders = {}, body = "request"): Promise<Response> {
    const stream = this.session.request({ ":method": "POST", ":path": path, ":authority": "service", ...headers });
    stream.end(body);
    return new Promise((resolve, reject) => {
      let responseHeaders: IncomingHttpHeaders = {};
      let text = "";
      stream.on("response", (received) => (responseHeaders = received));
      stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      stream.on("end", () => resolve({ status: Number(responseHeaders[":status"]), headers: responseHeaders, body: text }));
      stream.on("error", reject);
    });
  }

  close(): void {
    this.session.destroy();
  }
}

/** Per-test fixtures (upstreams, proxy, clients), all closed after each test of the enclosing describe. */
export function hcmFixtures(): {
  upstream(name: string, handler?: UpstreamHandler): Promise<Http2Upstream>;
  proxy(options: HcmProxyOptions): Promise<HcmProxy>;
  client(port: number): Http2Client;
  onCleanup(cleanup: () => Promise<void> | void): void;
} {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const track = <T>(value: T, cleanup: (value: T) => Promise<void> | void): T => {
    cleanups.push(() => cleanup(value));
    return value;
  };
  return {
    upstream: async (name, handler) => track(await startHttp2Upstream(name, handler), (server) => server.close()),
    proxy: async (options) => track(await startHcmProxy(options), (proxy) => proxy.host.stop()),
    client: (port) => track(Http2Client.connect(port), (client) => client.close()),
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };
}

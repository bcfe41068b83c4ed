// The admin HTTP server (bootstrap `admin.address`), with the endpoints tests and run scripts use:
//   GET  /stats              the stats store as Envoy's text format (or ?format=prometheus)
//   GET  /stats/prometheus   Prometheus exposition
//   GET  /ready              "LIVE"
//   GET  /server_info        a minimal Envoy ServerInfo JSON
//   POST /quitquitquit       clean shutdown ("OK"); like Envoy, state-changing endpoints require POST
import http from "node:http";
import type { StatsStore } from "../api.ts";
import { hostPort, type SocketAddress } from "./bootstrap.ts";

export interface AdminContext {
  readonly stats: StatsStore;
  /** Runs before stats are rendered (Envoy's stats_flush_on_admin). */
  beforeStatsRender(): void;
  /** The JSON /server_info answers, built when asked (uptime changes). */
  serverInfo(): object;
  /** Called after /quitquitquit has been answered. */
  quit(): void;
}

interface Reply {
  readonly status: number;
  readonly type?: string;
  readonly body: string;
  /** Runs once the reply has been sent. */
  readonly afterSent?: () => void;
}

const TEXT = "text/plain; charset=UTF-8";
const PROMETHEUS = "text/plain; version=0.0.4; charset=UTF-8";
const ENDPOINTS = ["/stats", "/stats/prometheus", "/ready", "/server_info", "/quitquitquit (POST)"];

export class AdminServer {
  private constructor(private readonly server: http.Server) {}

  static async start(address: SocketAddress, context: AdminContext): Promise<AdminServer> {
    const server = http.createServer((request, response) => {
      const reply = route(request, context);
      response.writeHead(reply.status, { "content-type": reply.type ?? TEXT });
      response.end(reply.body, () => reply.afterSent?.());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(new Error(`admin: cannot bind ${hostPort(address)}: ${error.message}`)));
      server.listen(address.port, address.address, resolve);
    });
    return new AdminServer(server);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function route(request: http.IncomingMessage, context: AdminContext): Reply {
  const url = new URL(request.url ?? "/", "http://admin");
  const method = request.method ?? "GET";
  const mutates = url.pathname === "/quitquitquit";
  if (mutates && method !== "POST") return { status: 405, body: `Method ${method} not allowed, POST required.\n` };
  if (!mutates && method !== "GET" && method !== "HEAD") return { status: 405, body: `Method ${method} not allowed.\n` };

  switch (url.pathname) {
    case "/stats":
      context.beforeStatsRender();
      return stats(url.searchParams, context.stats);
    case "/stats/prometheus":
      context.beforeStatsRender();
      return { status: 200, type: PROMETHEUS, body: context.stats.renderPrometheus() };
    case "/ready":
      return { status: 200, body: "LIVE\n" };
    case "/server_info":
      return { status: 200, type: "application/json", body: JSON.stringify(context.serverInfo(), null, 2) + "\n" };
    case "/quitquitquit":
      return { status: 200, body: "OK\n", afterSent: () => context.quit() };
    default:
      return { status: 404, body: `invalid path. admin commands are:\n${ENDPOINTS.map((e) => `  ${e}\n`).join("")}` };
  }
}

function stats(params: URLSearchParams, store: StatsStore): Reply {
  const unsupported = [...params.keys()].find((key) => key !== "format");
  if (unsupported !== undefined) return { status: 400, body: `/stats: parameter '${unsupported}' is not supported by this host\n` };
  switch (params.get("format") ?? "text") {
    case "text":
      return { status: 200, body: store.renderText() };
    case "prometheus":
      return { status: 200, type: PROMETHEUS, body: store.renderPrometheus() };
    default:
      return { status: 400, body: `/stats: format '${params.get("format")}' is not supported by this host (text, prometheus)\n` };
  }
}

// Envoy's cluster manager for static_resources.clusters: STATIC clusters as configured, STRICT_DNS / LOGICAL_DNS
// clusters resolved once at start-up with Node's resolver (Envoy re-resolves every dns_refresh_rate; names used
// with this host, such as localhost, do not change), and the choice of an endpoint by the cluster's lb_policy
// (ROUND_ROBIN or RANDOM, over all endpoints: every endpoint is healthy and of weight 1 here).
import dns from "node:dns/promises";
import { LogLevel, type Cluster, type ClusterManager, type Counter, type Endpoint, type Gauge, type LogSink, type StatsStore } from "../api.ts";
import type { ClusterConfig, DnsLookupFamily, LbPolicy, SocketAddress } from "./bootstrap.ts";
import { Http2ConnectionPools } from "./http/http2_conn_pool.ts";

/** The `cluster.<name>.*` stats this host keeps, named as Envoy names them. */
export interface ClusterStats {
  readonly upstreamCxTotal: Counter;
  readonly upstreamCxActive: Gauge;
  readonly upstreamCxConnectFail: Counter;
  readonly upstreamCxConnectTimeout: Counter;
  readonly upstreamCxConnectAttemptsExceeded: Counter;
  readonly upstreamCxNoneHealthy: Counter;
  readonly upstreamCxRxBytesTotal: Counter;
  readonly upstreamCxTxBytesTotal: Counter;
  /** Requests the HTTP router sent (each try counts). */
  readonly upstreamRqTotal: Counter;
  readonly upstreamRqRetry: Counter;
  readonly upstreamRqRetrySuccess: Counter;
  readonly upstreamRqRetryLimitExceeded: Counter;
  readonly upstreamRqTimeout: Counter;
  readonly upstreamRqPerTryTimeout: Counter;
}

export interface ClusterEntry extends Cluster {
  /** per_connection_buffer_limit_bytes of connections to this cluster's endpoints. */
  readonly bufferLimitBytes: number;
  readonly lbPolicy: LbPolicy;
  readonly stats: ClusterStats;
}

export class StaticClusterManager implements ClusterManager {
  /** The HTTP/2 connections the HTTP router opens, shared by every listener as Envoy's cluster manager does. */
  readonly http2Pools = new Http2ConnectionPools();
  private readonly clusters = new Map<string, ClusterEntry>();
  /** Next round-robin index, per cluster. */
  private readonly cursors = new Map<string, number>();

  private constructor(entries: ClusterEntry[]) {
    for (const entry of entries) this.clusters.set(entry.name, entry);
  }

  static async create(configs: readonly ClusterConfig[], stats: StatsStore, log: LogSink): Promise<StaticClusterManager> {
    const entries = await Promise.all(
      configs.map(async (config) => ({
        name: config.name,
        endpoints: await resolveEndpoints(config, log),
        connectTimeoutMs: config.connectTimeoutMs,
        http2: config.http2,
        bufferLimitBytes: config.bufferLimitBytes,
        lbPolicy: config.lbPolicy,
        stats: clusterStats(stats, config.name),
      })),
    );
    return new StaticClusterManager(entries);
  }

  get(name: string): ClusterEntry | undefined {
    return this.clusters.get(name);
  }

  /** An endpoint chosen by the cluster's lb_policy; throws if it has none. */
  pickEndpoint(cluster: Cluster): Endpoint {
    if (cluster.endpoints.length === 0) throw new Error(`cluster ${cluster.name} has no endpoint`);
    if (this.clusters.get(cluster.name)?.lbPolicy === "RANDOM") {
      return cluster.endpoints[Math.floor(Math.random() * cluster.endpoints.length)];
    }
    const index = (this.cursors.get(cluster.name) ?? 0) % cluster.endpoints.length;
    this.cursors.set(cluster.name, index + 1);
    return cluster.endpoints[index];
  }
}

function clusterStats(store: StatsStore, cluster: string): ClusterStats {
  const counter = (name: string) => store.counter(`cluster.${cluster}.${name}`);
  return {
    upstreamCxTotal: counter("upstream_cx_total"),
    upstreamCxActive: store.gauge(`cluster.${cluster}.upstream_cx_active`),
    upstreamCxConnectFail: counter("upstream_cx_connect_fail"),
    upstreamCxConnectTimeout: counter("upstream_cx_connect_timeout"),
    upstreamCxConnectAttemptsExceeded: counter("upstream_cx_connect_attempts_exceeded"),
    upstreamCxNoneHealthy: counter("upstream_cx_none_healthy"),
    upstreamCxRxBytesTotal: counter("upstream_cx_rx_bytes_total"),
    upstreamCxTxBytesTotal: counter("upstream_cx_tx_bytes_total"),
    upstreamRqTotal: counter("upstream_rq_total"),
    upstreamRqRetry: counter("upstream_rq_retry"),
    upstreamRqRetrySuccess: counter("upstream_rq_retry_success"),
    upstreamRqRetryLimitExceeded: counter("upstream_rq_retry_limit_exceeded"),
    upstreamRqTimeout: counter("upstream_rq_timeout"),
    upstreamRqPerTryTimeout: counter("upstream_rq_per_try_timeout"),
  };
}

async function resolveEndpoints(config: ClusterConfig, log: LogSink): Promise<Endpoint[]> {
  if (config.type === "STATIC") return config.endpoints.map(({ address, port }) => ({ address, port }));
  const resolved = await Promise.all(
    config.endpoints.map((endpoint) =>
      resolve(endpoint, config.dnsLookupFamily).catch((error: Error) => {
        // Like Envoy, a failed resolution leaves the cluster without these hosts instead of failing start-up.
        log(LogLevel.Warn, `cluster ${config.name}: DNS resolution of ${endpoint.address} failed: ${error.message}`);
        return [];
      }),
    ),
  );
  const hosts = resolved.flat();
  // A LOGICAL_DNS cluster connects to the first address of its only name.
  return config.type === "LOGICAL_DNS" ? hosts.slice(0, 1) : hosts;
}

async function resolve({ address, port }: SocketAddress, family: DnsLookupFamily): Promise<Endpoint[]> {
  const results = await dns.lookup(address, { all: true });
  const v4 = results.filter((result) => result.family === 4).map((result) => result.address);
  const v6 = results.filter((result) => result.family === 6).map((result) => result.address);
  const chosen = {
    V4_ONLY: v4,
    V6_ONLY: v6,
    AUTO: v6.length > 0 ? v6 : v4, // Envoy's AUTO: IPv6 first, IPv4 as fallback
    V4_PREFERRED: v4.length > 0 ? v4 : v6,
    ALL: [...v4, ...v6],
  }[family];
  if (chosen.length === 0) throw new Error(`no ${family} address`);
  return chosen.map((host) => ({ address: host, port }));
}

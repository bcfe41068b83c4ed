// Envoy's tcp_proxy network filter (source/common/tcp_proxy/tcp_proxy.cc), the terminal read filter of a listener:
// - at filter-chain build time it read-disables the downstream, unless max_early_data_bytes is set: then the chain
//   receives bytes before the upstream exists, and tcp_proxy buffers them (reading pauses once that many are held);
// - onNewConnection picks the cluster (filter state `envoy.tcp_proxy.cluster`, ignored with weighted_clusters, else
//   `cluster`, else a weighted pick) and connects, unless upstream_connect_mode waits for the first downstream bytes;
// - an unknown cluster, a cluster without endpoints or a failed connection closes the downstream (NoFlush);
// - bytes then flow both ways, upstream bytes through the downstream's write filters; FINs are passed on (half-close);
//   an upstream close flushes then closes the downstream; a downstream close closes the upstream (flushing it first
//   if the client closed); no traffic either way for idle_timeout closes both.
import { ByteBuffer, CloseType, ConnectionEvent, FilterStatus, LogLevel, type Counter, type Gauge, type LogSink, type ReadFilterCallbacks, type StatsStore } from "../api.ts";
import { hostPort, type TcpProxyConfig, type UpstreamConnectMode, type WeightedCluster } from "./bootstrap.ts";
import type { StaticClusterManager } from "./clusters.ts";
import type { Connection, ConnectionCallbacks } from "./connection.ts";
import type { ReadFilter } from "./filter_manager.ts";
import { newConnection, type PendingConnection } from "./tcp_conn_pool.ts";

/** The filter state key a preceding filter sets to choose the cluster of this connection. */
export const PER_CONNECTION_CLUSTER_KEY = "envoy.tcp_proxy.cluster";

/** The `tcp.<stat_prefix>.*` stats this host keeps, named as Envoy names them. */
export interface TcpProxyStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxNoRoute: Counter;
  readonly downstreamCxRxBytesTotal: Counter;
  readonly downstreamCxTxBytesTotal: Counter;
  readonly earlyDataReceivedCountTotal: Counter;
  readonly idleTimeout: Counter;
  readonly upstreamFlushTotal: Counter;
  readonly upstreamFlushActive: Gauge;
}

export function tcpProxyStats(store: StatsStore, statPrefix: string): TcpProxyStats {
  const counter = (name: string) => store.counter(`tcp.${statPrefix}.${name}`);
  return {
    downstreamCxTotal: counter("downstream_cx_total"),
    downstreamCxNoRoute: counter("downstream_cx_no_route"),
    downstreamCxRxBytesTotal: counter("downstream_cx_rx_bytes_total"),
    downstreamCxTxBytesTotal: counter("downstream_cx_tx_bytes_total"),
    earlyDataReceivedCountTotal: counter("early_data_received_count_total"),
    idleTimeout: counter("idle_timeout"),
    upstreamFlushTotal: counter("upstream_flush_total"),
    upstreamFlushActive: store.gauge(`tcp.${statPrefix}.upstream_flush_active`),
  };
}

export interface TcpProxyContext {
  readonly downstream: Connection;
  readonly clusters: StaticClusterManager;
  readonly stats: TcpProxyStats;
  /** Envoy's "filter" logger. */
  readonly log: LogSink;
}

export class TcpProxyFilter implements ReadFilter {
  private callbacks!: ReadFilterCallbacks;
  private readonly receiveBeforeConnect: boolean;
  private readonly connectMode: UpstreamConnectMode;
  private clusterName = "";
  private pending?: PendingConnection;
  private upstream?: Connection;
  private readonly earlyData = new ByteBuffer();
  private earlyDataEndStream = false;
  private initialDataReceived = false;
  private readDisabledForEarlyData = false;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: TcpProxyConfig,
    private readonly context: TcpProxyContext,
  ) {
    this.receiveBeforeConnect = config.maxEarlyDataBytes !== undefined;
    // Downstream connections are plaintext here, and Envoy treats the TLS-handshake mode as IMMEDIATE on those.
    this.connectMode = config.upstreamConnectMode === "ON_DOWNSTREAM_TLS_HANDSHAKE" ? "IMMEDIATE" : config.upstreamConnectMode;
  }

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.callbacks = callbacks;
    const { downstream, stats } = this.context;
    downstream.addConnectionCallbacks(this.downstreamCallbacks);
    downstream.enableHalfClose();
    // Without early data nothing may be read before there is an upstream to write it to.
    if (!this.receiveBeforeConnect) callbacks.readDisable(true);
    stats.downstreamCxTotal.add(1);
    downstream.setByteCounters({ received: stats.downstreamCxRxBytesTotal, sent: stats.downstreamCxTxBytesTotal });
  }

  onNewConnection(): FilterStatus {
    this.resetIdleTimer(); // runs even before the upstream exists, so that a silent upstream times out too
    this.clusterName = this.pickCluster();
    if (this.connectMode === "IMMEDIATE") return this.establishUpstreamConnection();
    return this.receiveBeforeConnect ? FilterStatus.Continue : FilterStatus.StopIteration;
  }

  onData(data: ByteBuffer, endStream: boolean): FilterStatus {
    if (this.upstream) {
      this.upstream.write(data, endStream);
      this.resetIdleTimer();
    } else if (this.config.maxEarlyDataBytes !== undefined) {
      this.bufferEarlyData(data, endStream, this.config.maxEarlyDataBytes);
    }
    return FilterStatus.StopIteration;
  }

  private pickCluster(): string {
    const route = this.config.route;
    if ("weightedClusters" in route) return pickWeighted(route.weightedClusters);
    return this.callbacks.filterState.get(PER_CONNECTION_CLUSTER_KEY) ?? route.cluster;
  }

  private establishUpstreamConnection(): FilterStatus {
    const cluster = this.context.clusters.get(this.clusterName);
    if (cluster === undefined) {
      this.debug(`Cluster not found ${this.clusterName} and no on demand cluster set.`);
      this.context.stats.downstreamCxNoRoute.add(1);
      return this.onInitFailure();
    }
    this.callbacks.connection.upstreamClusterName = cluster.name;
    if (cluster.endpoints.length === 0) {
      cluster.stats.upstreamCxNoneHealthy.add(1);
      return this.onInitFailure();
    }
    this.debug(`Creating connection to cluster ${cluster.name}`);
    this.pending = newConnection(cluster, this.context.clusters.pickEndpoint(cluster), {
      onPoolReady: (connection, host) => this.onPoolReady(connection, hostPort(host)),
      onPoolFailure: (reason, host, detail) => {
        this.pending = undefined;
        this.debug(`${reason} to ${hostPort(host)}: ${detail}`);
        // max_connect_attempts is 1: the first failure ends the downstream connection.
        cluster.stats.upstreamCxConnectAttemptsExceeded.add(1);
        this.onInitFailure();
      },
    });
    return this.receiveBeforeConnect ? FilterStatus.Continue : FilterStatus.StopIteration;
  }

  private onInitFailure(): FilterStatus {
    this.callbacks.close(CloseType.NoFlush);
    return FilterStatus.StopIteration;
  }

  private bufferEarlyData(data: ByteBuffer, endStream: boolean, limit: number): void {
    this.earlyData.append(data.takeAll());
    this.earlyDataEndStream ||= endStream;
    if (!this.initialDataReceived && !(endStream && this.earlyData.length === 0)) {
      this.initialDataReceived = true;
      if (this.connectMode === "ON_DOWNSTREAM_DATA") this.establishUpstreamConnection();
    }
    if (this.earlyData.length >= limit && !this.readDisabledForEarlyData) {
      this.readDisabledForEarlyData = true;
      this.callbacks.readDisable(true);
    }
    this.context.stats.earlyDataReceivedCountTotal.add(1);
  }

  private onPoolReady(upstream: Connection, address: string): void {
    this.pending = undefined;
    this.upstream = upstream;
    upstream.enableHalfClose();
    upstream.addReadFilter(this.upstreamReadFilter);
    upstream.addConnectionCallbacks(this.upstreamCallbacks);
    this.callbacks.connection.upstreamAddress = address;
    if (this.earlyData.length > 0 || this.earlyDataEndStream) upstream.write(this.earlyData, this.earlyDataEndStream);
    if (this.readDisabledForEarlyData || !this.receiveBeforeConnect) {
      this.readDisabledForEarlyData = false;
      this.callbacks.readDisable(false);
    }
    this.resetIdleTimer();
  }

  private readonly upstreamReadFilter: ReadFilter = {
    initializeReadFilterCallbacks: () => {},
    onNewConnection: () => FilterStatus.Continue,
    onData: (data, endStream) => {
      // Through the downstream's write filters: bytes they stop stay in the upstream read buffer, to be presented
      // again with the next upstream bytes.
      this.context.downstream.write(data, endStream);
      this.resetIdleTimer();
      return FilterStatus.StopIteration;
    },
  };

  private readonly upstreamCallbacks: ConnectionCallbacks = {
    onEvent: (event) => {
      if (event === ConnectionEvent.Connected || this.upstream === undefined) return;
      this.upstream = undefined;
      this.disableIdleTimer();
      this.context.downstream.close(CloseType.FlushWrite);
    },
    onAboveWriteBufferHighWatermark: () => this.callbacks.readDisable(true),
    onBelowWriteBufferLowWatermark: () => this.callbacks.readDisable(false),
  };

  private readonly downstreamCallbacks: ConnectionCallbacks = {
    onEvent: (event) => {
      if (event === ConnectionEvent.Connected) return;
      this.disableIdleTimer();
      this.pending?.cancel();
      this.pending = undefined;
      const upstream = this.upstream;
      this.upstream = undefined;
      if (upstream === undefined) return;
      if (event === ConnectionEvent.RemoteClose) {
        upstream.close(CloseType.FlushWrite);
        if (!upstream.isClosed()) this.drain(upstream);
      } else {
        upstream.close(CloseType.NoFlush);
      }
    },
    onAboveWriteBufferHighWatermark: () => this.upstream?.readDisable(true),
    onBelowWriteBufferLowWatermark: () => this.upstream?.readDisable(false),
  };

  /** Envoy's upstream drainer: after the client left, bytes it sent still reach the upstream (bounded by idle_timeout). */
  private drain(upstream: Connection): void {
    const { upstreamFlushTotal, upstreamFlushActive } = this.context.stats;
    upstreamFlushTotal.add(1);
    upstreamFlushActive.add(1);
    const timeoutMs = this.config.idleTimeoutMs;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => upstream.close(CloseType.NoFlush), timeoutMs).unref();
    upstream.addConnectionCallbacks({
      onEvent: (event) => {
        if (event === ConnectionEvent.Connected) return;
        clearTimeout(timer);
        upstreamFlushActive.add(-1);
      },
    });
  }

  private resetIdleTimer(): void {
    if (this.config.idleTimeoutMs === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.onIdleTimeout(), this.config.idleTimeoutMs).unref();
  }

  private disableIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private onIdleTimeout(): void {
    this.debug("Session timed out");
    this.context.stats.idleTimeout.add(1);
    this.callbacks.close(CloseType.NoFlush);
  }

  private debug(message: string): void {
    this.context.log(LogLevel.Debug, `[C${this.callbacks.connection.id}] ${message}`);
  }
}

/** Envoy's WeightedClusterUtil::pickCluster with a random value. */
/** A cluster drawn with probability weight / total (the HTTP router draws a route's weighted_clusters the same way). */
export function pickWeighted(clusters: readonly WeightedCluster[]): string {
  const total = clusters.reduce((sum, cluster) => sum + cluster.weight, 0);
  let selected = Math.floor(Math.random() * total);
  for (const cluster of clusters) {
    if (selected < cluster.weight) return cluster.name;
    selected -= cluster.weight;
  }
  return clusters[clusters.length - 1].name;
}

// A listener of static_resources: accepts TCP connections and builds each one's filter chain, the configured wasm
// filters then tcp_proxy or the HTTP connection manager, as Envoy's listener does (port_value 0 binds an ephemeral
// port).
import net from "node:net";
import {
  CloseType,
  ConnectionEvent,
  LogLevel,
  type Counter,
  type Gauge,
  type LogSink,
  type NetworkFilterFactory,
  type StatsStore,
} from "../api.ts";
import { hostPort, type ListenerConfig } from "./bootstrap.ts";
import type { StaticClusterManager } from "./clusters.ts";
import { allocateConnectionId, Connection } from "./connection.ts";
import { HttpConnectionManagerConfigInstance, HttpConnectionManagerFilter } from "./http/connection_manager.ts";
import { TcpProxyFilter, tcpProxyStats, type TcpProxyStats } from "./tcp_proxy.ts";

export interface ListenerContext {
  /** One factory per wasm filter of the chain, in chain order. */
  readonly wasmFilters: readonly NetworkFilterFactory[];
  /** Envoy's worker threads (--concurrency): each connection is handled by one, with all of its filters. */
  readonly workers: number;
  readonly clusters: StaticClusterManager;
  readonly stats: StatsStore;
  /** Envoy's "connection" logger. */
  readonly connectionLog: LogSink;
  /** Envoy's "filter" logger. */
  readonly filterLog: LogSink;
  /** Envoy's "http" logger. */
  readonly httpLog: LogSink;
}

/** The `listener.<address or stat_prefix>.*` stats this host keeps, named as Envoy names them. */
interface ListenerStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxActive: Gauge;
  readonly downstreamCxDestroy: Counter;
}

export class Listener {
  private readonly connections = new Set<Connection>();
  private readonly stats: ListenerStats;
  private readonly tcpStats?: TcpProxyStats;
  private readonly httpConnectionManager?: HttpConnectionManagerConfigInstance;
  private nextWorker = 0;

  private constructor(
    private readonly config: ListenerConfig,
    private readonly context: ListenerContext,
    private readonly server: net.Server,
  ) {
    const stat = (name: string) => `listener.${config.statPrefix}.${name}`;
    this.stats = {
      downstreamCxTotal: context.stats.counter(stat("downstream_cx_total")),
      downstreamCxActive: context.stats.gauge(stat("downstream_cx_active")),
      downstreamCxDestroy: context.stats.counter(stat("downstream_cx_destroy")),
    };
    if (config.tcpProxy) this.tcpStats = tcpProxyStats(context.stats, config.tcpProxy.statPrefix);
    if (config.httpConnectionManager) {
      this.httpConnectionManager = new HttpConnectionManagerConfigInstance(
        config.httpConnectionManager,
        context.clusters,
        context.stats,
        config.bufferLimitBytes,
        context.httpLog,
      );
    }
    server.on("connection", (socket) => this.onAccept(socket));
  }

  static async start(config: ListenerConfig, context: ListenerContext): Promise<Listener> {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(new Error(`listener ${config.name}: cannot bind ${hostPort(config.address)}: ${error.message}`)));
      server.listen(config.address.port, config.address.address, resolve);
    });
    return new Listener(config, context, server);
  }

  get name(): string {
    return this.config.name;
  }

  /** The bound port (the ephemeral one when port_value is 0). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Stops accepting and closes every open connection without flushing, as Envoy does at shutdown. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.close(CloseType.NoFlush);
    await closed;
  }

  private onAccept(socket: net.Socket): void {
    const { config, context, stats } = this;
    stats.downstreamCxTotal.add(1);
    stats.downstreamCxActive.add(1);

    const connection = Connection.accept(
      socket,
      {
        id: allocateConnectionId(),
        sourceAddress: socket.remoteAddress ?? "",
        sourcePort: socket.remotePort ?? 0,
        destinationAddress: socket.localAddress ?? "",
        destinationPort: socket.localPort ?? 0,
        listenerName: config.name,
        listenerDirection: config.trafficDirection,
        filterChainName: config.filterChainName,
      },
      config.bufferLimitBytes,
    );
    const built = this.buildFilterChain(connection);
    // Registered after the filters' own callbacks, as Envoy's listener does, so filters hear of the close first.
    this.connections.add(connection);
    connection.addConnectionCallbacks({
      onEvent: (event) => {
        if (event === ConnectionEvent.Connected) return;
        this.connections.delete(connection);
        stats.downstreamCxActive.add(-1);
        stats.downstreamCxDestroy.add(1);
      },
    });
    if (!built) {
      connection.close(CloseType.NoFlush);
      return;
    }
    context.connectionLog(LogLevel.Debug, `[C${connection.info.id}] new connection from ${socket.remoteAddress}:${socket.remotePort}`);
    connection.initializeReadFilters();
  }

  /** The configured wasm filters then the terminal filter; false when a filter could not be created. */
  private buildFilterChain(connection: Connection): boolean {
    const { config, context } = this;
    const worker = this.nextWorker++ % context.workers;
    try {
      for (const factory of context.wasmFilters) connection.addFilter(factory.createFilter(worker));
    } catch (error) {
      context.connectionLog(LogLevel.Error, `[C${connection.info.id}] closing connection: ${(error as Error).message}`);
      return false;
    }
    if (this.httpConnectionManager) {
      connection.addReadFilter(new HttpConnectionManagerFilter(this.httpConnectionManager, connection, worker));
      return true;
    }
    const tcpProxy = new TcpProxyFilter(config.tcpProxy!, {
      downstream: connection,
      clusters: context.clusters,
      stats: this.tcpStats!,
      log: context.filterLog,
    });
    connection.addReadFilter(tcpProxy);
    return true;
  }
}

// Runs a bootstrap: stats store, clusters, one factory per wasm filter entry of each listener, the listeners and
// the admin server. Every plugin is loaded (and configured) before anything listens, so that a plugin refusing its
// configuration refuses the whole bootstrap, as it makes a real Envoy exit at start-up.
// The wasm half comes in as HostComponents, so that the proxy half can be tested with test doubles.
import os from "node:os";
import {
  LogLevel,
  type HostServices,
  type LogSink,
  type NetworkFilterFactory,
  type StatsStore,
  type WasmPluginConfig,
} from "../api.ts";
import { AdminServer } from "./admin.ts";
import { hostPort, loadBootstrap, type Bootstrap, type StatsConfig } from "./bootstrap.ts";
import { StaticClusterManager } from "./clusters.ts";
import { Listener } from "./listener.ts";
import { envoyFormatSink, levelName, Logger, type HostLogSink } from "./log.ts";

export interface HostOptions {
  /** A bootstrap YAML path, or an already parsed bootstrap. */
  readonly config: string | object;
  /** Default: info. */
  readonly logLevel?: LogLevel;
  /** Worker threads Envoy would run (--concurrency). Default, as in Envoy: the machine's hardware threads. */
  readonly concurrency?: number;
  /** Receives the log lines at or above logLevel. Default: Envoy-formatted lines on stderr, as Envoy writes them. */
  readonly log?: HostLogSink;
}

export interface RunningHost {
  listenerPort(name: string): number;
  readonly adminPort: number;
  readonly stats: StatsStore;
  /** Closes the listeners (and their connections), the admin server and the wasm VMs. */
  stop(): Promise<void>;
  /** Settles once the host has stopped, by stop() or by the admin's /quitquitquit. */
  readonly stopped: Promise<void>;
}

/** A stats store whose histograms are merged for the admin on Envoy's stats flush schedule. */
export interface FlushedStatsStore extends StatsStore {
  mergeHistograms(): void;
}

/** Loads a wasm filter entry of a listener. */
export type WasmFilterLoader = (config: WasmPluginConfig) => Promise<NetworkFilterFactory>;

export interface HostComponents {
  createStatsStore(config: StatsConfig): FlushedStatsStore;
  /** The wasm half of one host: the plugins it loads share VMs as in one Envoy process. */
  createWasmLoader(services: HostServices): WasmFilterLoader;
}

export async function runHost(options: HostOptions, components: HostComponents): Promise<RunningHost> {
  const level = options.logLevel ?? LogLevel.Info;
  const logger = new Logger(options.log ?? envoyFormatSink((line) => process.stderr.write(line)), level);
  const bootstrap = loadBootstrap(options.config);
  const stats = components.createStatsStore(bootstrap.statsConfig);
  const host = new Host(bootstrap, stats, logger, options.concurrency ?? os.availableParallelism());
  try {
    await host.start(components);
  } catch (error) {
    await host.stop();
    throw error;
  }
  return host;
}

class Host implements RunningHost {
  private readonly listeners = new Map<string, Listener>();
  private clusters?: StaticClusterManager;
  private readonly filterFactories: NetworkFilterFactory[] = [];
  private readonly startedAt = Date.now();
  private admin?: AdminServer;
  private flushTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private markStopped!: () => void;
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
  private readonly log: LogSink;

  constructor(
    private readonly bootstrap: Bootstrap,
    readonly stats: FlushedStatsStore,
    private readonly logger: Logger,
    private readonly concurrency: number,
  ) {
    this.log = logger.named("main");
  }

  async start(components: HostComponents): Promise<void> {
    const { bootstrap, stats, logger } = this;
    const clusters = await StaticClusterManager.create(bootstrap.clusters, stats, logger.named("upstream"));
    this.clusters = clusters;
    const services: HostServices = {
      stats,
      clusters,
      log: logger.named("wasm"),
      logLevel: logger.level,
      concurrency: this.concurrency,
      node: bootstrap.node,
    };
    const loadWasmFilter = components.createWasmLoader(services);
    const wasmFilters: NetworkFilterFactory[][] = [];
    for (const listener of bootstrap.listeners) wasmFilters.push(await this.loadPlugins(listener.wasmFilters, loadWasmFilter));
    await this.startAdmin();
    for (const [index, config] of bootstrap.listeners.entries()) {
      const listener = await Listener.start(config, {
        wasmFilters: wasmFilters[index],
        workers: this.concurrency,
        clusters,
        stats,
        connectionLog: logger.named("connection"),
        filterLog: logger.named("filter"),
        httpLog: logger.named("http"),
      });
      this.listeners.set(config.name, listener);
      this.log(LogLevel.Info, `listener '${config.name}' listening on ${hostPort({ ...config.address, port: listener.port })}`);
    }
    this.log(LogLevel.Info, "all dependencies initialized. starting workers");
  }

  private async loadPlugins(plugins: readonly WasmPluginConfig[], loadWasmFilter: WasmFilterLoader): Promise<NetworkFilterFactory[]> {
    const factories: NetworkFilterFactory[] = [];
    for (const plugin of plugins) {
      const factory = await loadWasmFilter(plugin);
      this.filterFactories.push(factory); // closed by stop(), also when a later plugin fails
      factories.push(factory);
    }
    return factories;
  }

  private async startAdmin(): Promise<void> {
    const { bootstrap, stats } = this;
    const flushOnAdmin = bootstrap.statsFlushIntervalMs === undefined;
    this.admin = await AdminServer.start(bootstrap.adminAddress, {
      stats,
      beforeStatsRender: () => {
        if (flushOnAdmin) stats.mergeHistograms();
      },
      serverInfo: () => this.serverInfo(),
      quit: () => void this.stop(),
    });
    this.log(LogLevel.Info, `admin address: ${hostPort({ ...bootstrap.adminAddress, port: this.admin.port })}`);
    if (!flushOnAdmin) this.flushTimer = setInterval(() => stats.mergeHistograms(), bootstrap.statsFlushIntervalMs).unref();
  }

  listenerPort(name: string): number {
    const listener = this.listeners.get(name);
    if (listener === undefined) throw new Error(`no listener named '${name}'`);
    return listener.port;
  }

  get adminPort(): number {
    if (this.admin === undefined) throw new Error("the admin server is not running");
    return this.admin.port;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.log(LogLevel.Info, "shutting down server instance");
    clearInterval(this.flushTimer);
    await Promise.all([...this.listeners.values()].map((listener) => listener.close()));
    this.clusters?.http2Pools.closeAll();
    await this.admin?.close();
    const closed = await Promise.allSettled(this.filterFactories.map((factory) => factory.close()));
    for (const result of closed) {
      if (result.status === "rejected") this.log(LogLevel.Error, `closing a wasm filter failed: ${result.reason}`);
    }
    this.log(LogLevel.Info, "exiting");
    this.markStopped();
  }

  private serverInfo(): object {
    const uptime = `${Math.floor((Date.now() - this.startedAt) / 1000)}s`;
    return {
      version: "envoy-compatible test host (Node.js)",
      state: "LIVE",
      hot_restart_version: "disabled",
      command_line_options: { concurrency: this.concurrency, log_level: levelName(this.logger.level) },
      node: this.bootstrap.node,
      uptime_current_epoch: uptime,
      uptime_all_epochs: uptime,
    };
  }
}

// Drives a built filter module in-process, without sockets, for the benchmarks and the fuzzer: the plugin loaded by
// the bundled host's wasm side (loadWasmNetworkFilter, one worker VM), connections as FakeConnections, the host's
// log lines counted (not kept: a benchmark writes millions), its stats store read back.
import { ByteBuffer, ConnectionEvent, FilterStatus, type ConnectionInfo, type HostServices, LogLevel, type WasmPluginConfig } from "../host/api.ts";
import { EnvoyStatsStore } from "../host/stats/stats_store.ts";
import { loadWasmNetworkFilter, type WasmNetworkFilterFactory } from "../host/wasm/plugin.ts";
import { FakeConnection } from "../host/wasm/testing/fake_connection.ts";

export interface PluginOptions {
  readonly wasmPath: string;
  /** The module's protocol name (the `<protocol>` of its metric names). */
  readonly protocol: string;
  /** The plugin configuration (JSON). */
  readonly configuration?: string;
  /** The VM configuration (JSON), which every plugin of the VM shares. */
  readonly vmConfiguration?: string;
  /** The host's log level: Info lets access log lines through proxy_log, Warn drops them in the module. */
  readonly logLevel?: LogLevel;
  /** Keep every log line (for checks); otherwise only the last few and the errors are kept. */
  readonly keepLogs?: boolean;
}

/** A connection for load: what the next filter takes is dropped instead of kept, the write buffer is reused. */
export class DrivenConnection extends FakeConnection {
  private readonly writeBuffer = new ByteBuffer();
  /** Keep what goes on (in `forwarded`, and `delivered` for the client), for checks. */
  keep = false;
  /** With `keep`: what the filter let through to the client, write by write. */
  readonly delivered: Uint8Array[] = [];

  send(data: string | Uint8Array, endStream = false): FilterStatus {
    this.readBuffer.append(typeof data === "string" ? new TextEncoder().encode(data) : data);
    const status = this.filter.onData(this.readBuffer, endStream);
    if (status === FilterStatus.Continue) {
      if (this.keep) this.forwarded.push(this.readBuffer.takeAll());
      else this.readBuffer.drain(this.readBuffer.length);
    }
    return status;
  }

  /** Upstream bytes on their way to the client; returns the filter's status (the buffer is then emptied). */
  receiveBytes(data: Uint8Array, endStream = false): FilterStatus {
    this.writeBuffer.append(data);
    const status = this.filter.onWrite(this.writeBuffer, endStream);
    if (this.keep) this.delivered.push(this.writeBuffer.takeAll());
    else this.writeBuffer.drain(this.writeBuffer.length);
    return status;
  }

  /**
   * Bytes on the read path, for a filter that hands on everything it makes (a bridge side): returns what the next
   * filter takes, a view valid until this connection's next read. The next filter takes it at that next read.
   */
  readThrough(data: Uint8Array): Uint8Array {
    this.readBuffer.drain(this.readBuffer.length);
    this.readBuffer.append(data);
    if (this.filter.onData(this.readBuffer, false) !== FilterStatus.Continue) throw new Error("the filter stopped the read path");
    return this.readBuffer.view();
  }

  /** Bytes on the write path, as readThrough: returns what goes on towards the client, valid until the next write. */
  writeThrough(data: Uint8Array): Uint8Array {
    this.writeBuffer.drain(this.writeBuffer.length);
    this.writeBuffer.append(data);
    if (this.filter.onWrite(this.writeBuffer, false) !== FilterStatus.Continue) throw new Error("the filter stopped the write path");
    return this.writeBuffer.view();
  }

  /** With `keep`: every byte let through downstream -> upstream, joined. */
  forwardedBytes(): Buffer {
    return Buffer.concat(this.forwarded);
  }

  deliveredBytes(): Buffer {
    return Buffer.concat(this.delivered);
  }

  get closed(): boolean {
    return this.closes.length > 0;
  }

  /** The client closes: proxy_on_downstream_connection_close, done, log, delete. */
  closeRemote(): void {
    this.event(ConnectionEvent.RemoteClose);
  }
}

export class DrivenPlugin {
  private nextConnectionId = 1;
  /** Log lines counted, access log lines counted. */
  logLines = 0;
  accessLines = 0;
  /** Lines at error level and above (traps and aborts say why here), and the last few lines of any level. */
  readonly errors: string[] = [];
  readonly recent: string[] = [];
  /** Every line, when keepLogs. */
  readonly lines: string[] = [];

  private constructor(
    readonly factory: WasmNetworkFilterFactory,
    readonly stats: EnvoyStatsStore,
    /** `wasmcustom.meta_protocol.protocol=.=<protocol>;.;stat_prefix=.=<stat_prefix>;.;` */
    private readonly prefix: string,
  ) {}

  static async load(options: PluginOptions): Promise<DrivenPlugin> {
    const config: WasmPluginConfig = {
      name: "bench",
      rootId: "bench",
      vmId: "bench",
      configuration: options.configuration ?? "",
      vmConfiguration: options.vmConfiguration ?? "",
      wasmPath: options.wasmPath,
      failOpen: false,
      environment: {},
    };
    const stats = new EnvoyStatsStore();
    let plugin: DrivenPlugin | undefined;
    const pending: [LogLevel, string][] = [];
    const services: HostServices = {
      stats,
      clusters: { get: () => undefined, pickEndpoint: (cluster) => cluster.endpoints[0] },
      log: (level, message) => (plugin ? plugin.onLog(level, message, options.keepLogs ?? false) : pending.push([level, message])),
      logLevel: options.logLevel ?? LogLevel.Info,
      concurrency: 1,
    };
    const factory = await loadWasmNetworkFilter(config, services);
    const configured = options.configuration ? JSON.parse(options.configuration) : {};
    plugin = new DrivenPlugin(factory, stats, `wasmcustom.meta_protocol.protocol=.=${options.protocol};.;stat_prefix=.=${configured.stat_prefix ?? options.protocol};.;`);
    for (const [level, message] of pending) plugin.onLog(level, message, options.keepLogs ?? false);
    return plugin;
  }

  connect(): DrivenConnection {
    const id = this.nextConnectionId++;
    const info: ConnectionInfo = {
      id,
      sourceAddress: "10.1.2.3",
      sourcePort: 40000 + (id % 20000),
      destinationAddress: "127.0.0.1",
      destinationPort: 26000,
      listenerName: "bench",
      listenerDirection: 1,
      filterChainName: "",
      // tcp_proxy's cluster, which Envoy names to the filter once the upstream connection is up (the bench's routes
      // lead there too).
      upstreamClusterName: "v1",
    };
    return new DrivenConnection(this.factory.createFilter(), info);
  }

  get trapCount(): number {
    return this.factory.trapCount;
  }

  memoryBytes(): number {
    return Math.max(...this.factory.memoryBytes());
  }

  /** The module's counter `<name>` of the plugin (0 when not defined yet). */
  counter(name: string): number {
    return this.stats.counter(this.statName(name)).value();
  }

  gauge(name: string): number {
    return this.stats.gauge(this.statName(name)).value();
  }

  close(): Promise<void> {
    return this.factory.close();
  }

  private statName(name: string): string {
    return this.prefix + name;
  }

  private onLog(level: LogLevel, message: string, keep: boolean): void {
    this.logLines++;
    if (message.includes("access protocol=")) this.accessLines++;
    if (keep) this.lines.push(message);
    if (level >= LogLevel.Error) this.errors.push(message);
    this.recent.push(message);
    if (this.recent.length > 20) this.recent.shift();
  }
}

// Test support: the probe module (probe_module.as) loaded as a plugin with recording fakes around it, and
// connections driven without sockets, the way the proxy drives a filter.
import { readFileSync } from "node:fs";
import {
  ByteBuffer,
  CloseType,
  type Cluster,
  type ClusterManager,
  type ConnectionEvent,
  type ConnectionInfo,
  type FilterStateLifeSpan,
  FilterStatus,
  type HostServices,
  LogLevel,
  type NetworkFilter,
  type ReadFilterCallbacks,
  type WasmPluginConfig,
} from "../../api.ts";
import { EnvoyStatsStore } from "../../stats/stats_store.ts";
import { loadWasmNetworkFilter, type WasmNetworkFilterFactory } from "../plugin.ts";
import { compileAssemblyScript } from "./compile_assemblyscript.ts";

const PROBE_SOURCE = new URL("./probe_module.as", import.meta.url);

export async function probeModulePath(): Promise<string> {
  return (await compileAssemblyScript(readFileSync(PROBE_SOURCE, "utf8"))).path;
}

export interface ProbeOptions {
  readonly configuration?: string;
  readonly vmId?: string;
  readonly concurrency?: number;
  readonly failOpen?: boolean;
  readonly logLevel?: LogLevel;
  readonly clusters?: readonly Cluster[];
}

export class ProbePlugin {
  private nextConnectionId = 1;

  private constructor(
    readonly factory: WasmNetworkFilterFactory,
    /** Every line the host logged, as "<Level> <message>", and what filters did to their connection ("Connection ..."). */
    readonly logs: string[],
    readonly stats: EnvoyStatsStore,
  ) {}

  static async load(options: ProbeOptions = {}): Promise<ProbePlugin> {
    const config: WasmPluginConfig = {
      name: "probe_filter",
      rootId: "probe_root",
      vmId: options.vmId ?? "probe_vm",
      configuration: options.configuration ?? "",
      vmConfiguration: "vm-config",
      wasmPath: await probeModulePath(),
      failOpen: options.failOpen ?? false,
      environment: {},
    };
    const logs: string[] = [];
    const stats = new EnvoyStatsStore();
    const services: HostServices = {
      stats,
      clusters: fakeClusters(options.clusters ?? []),
      log: (level, message) => logs.push(`${LogLevel[level]} ${message}`),
      logLevel: options.logLevel ?? LogLevel.Info,
      concurrency: options.concurrency ?? 1,
    };
    return new ProbePlugin(await loadWasmNetworkFilter(config, services), logs, stats);
  }

  connect(info: Partial<ConnectionInfo> = {}): ProbeConnection {
    const id = this.nextConnectionId++;
    return new ProbeConnection(this.factory.createFilter(), { ...defaultInfo(id), ...info }, this.logs);
  }

  /** The result the probe logged for the last run of `command` ("r <command> => <result>"). */
  result(command: string): string | undefined {
    const marker = `: r ${command} => `;
    const line = [...this.logs].reverse().find((l) => l.includes(marker));
    return line?.slice(line.indexOf(marker) + marker.length);
  }

  /** The callbacks the probe logged ("cb <name> <args>"), in order. */
  callbacks(): string[] {
    return this.logs.filter((l) => l.includes(": cb ")).map((l) => l.slice(l.indexOf(": cb ") + 5));
  }

  close(): Promise<void> {
    return this.factory.close();
  }
}

/** A downstream connection as the proxy's filter manager presents it to the filter. */
export class ProbeConnection implements ReadFilterCallbacks {
  readonly closes: CloseType[] = [];
  continueReadingCalls = 0;
  readonly state = new Map<string, { value: string; lifeSpan: FilterStateLifeSpan }>();
  readonly filterState = {
    set: (key: string, value: string, lifeSpan: FilterStateLifeSpan) => void this.state.set(key, { value, lifeSpan }),
    get: (key: string) => this.state.get(key)?.value,
  };
  /** The connection's read buffer, presented whole to each onData. */
  readonly readBuffer = new ByteBuffer();
  /** What the filter let through to the next filter (tcp_proxy), read by read. */
  readonly forwarded: string[] = [];

  constructor(
    readonly filter: NetworkFilter,
    readonly connection: ConnectionInfo,
    private readonly timeline: string[],
  ) {
    filter.initializeReadFilterCallbacks(this);
  }

  continueReading(): void {
    this.continueReadingCalls++;
    this.timeline.push(`Connection ${this.connection.id} continueReading`);
  }

  close(type: CloseType): void {
    this.closes.push(type);
    this.timeline.push(`Connection ${this.connection.id} close ${CloseType[type]}`);
  }

  readDisable(): void {}

  start(): FilterStatus {
    return this.filter.onNewConnection();
  }

  /**
   * Appends `text` to the read buffer and presents the whole buffer, like Envoy's read path; on Continue the next
   * filter (tcp_proxy) takes all of it, on StopIteration it stays for the next read.
   */
  send(text: string, endStream = false): FilterStatus {
    this.readBuffer.append(new TextEncoder().encode(text));
    const status = this.filter.onData(this.readBuffer, endStream);
    if (status === FilterStatus.Continue) this.forwarded.push(new TextDecoder().decode(this.readBuffer.takeAll()));
    return status;
  }

  /** Upstream bytes on their way to the client. */
  receive(text: string, endStream = false): { status: FilterStatus; buffer: ByteBuffer } {
    const buffer = new ByteBuffer(new TextEncoder().encode(text));
    return { status: this.filter.onWrite(buffer, endStream), buffer };
  }

  event(event: ConnectionEvent): void {
    this.filter.onEvent(event);
  }
}

function defaultInfo(id: number): ConnectionInfo {
  return {
    id,
    sourceAddress: "10.1.2.3",
    sourcePort: 40000 + id,
    destinationAddress: "127.0.0.1",
    destinationPort: 26000,
    listenerName: "probe_listener",
    listenerDirection: 1,
    filterChainName: "probe_chain",
  };
}

function fakeClusters(clusters: readonly Cluster[]): ClusterManager {
  return {
    get: (name) => clusters.find((c) => c.name === name),
    pickEndpoint: (cluster) => cluster.endpoints[0],
  };
}

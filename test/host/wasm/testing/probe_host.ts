// Test support: the probe module (probe_module.as) loaded as a plugin with recording fakes around it, and its
// connections driven without sockets.
import { readFileSync } from "node:fs";
import { type Cluster, type ClusterManager, type ConnectionInfo, type HostServices, LogLevel, type WasmPluginConfig } from "../../api.ts";
import { EnvoyStatsStore } from "../../stats/stats_store.ts";
import { loadWasmNetworkFilter, type WasmNetworkFilterFactory } from "../plugin.ts";
import { compileAssemblyScript } from "./compile_assemblyscript.ts";
import { FakeConnection } from "./fake_connection.ts";

/** The probe's connections are fake ones (fake_connection.ts). */
export type ProbeConnection = FakeConnection;

const PROBE_SOURCE = new URL("./probe_module.as", import.meta.url);

export async function probeModulePath(): Promise<string> {
  return (await compileAssemblyScript(readFileSync(PROBE_SOURCE, "utf8"))).path;
}

export interface ProbeOptions {
  /** Another module than the probe. */
  readonly wasmPath?: string;
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
      wasmPath: options.wasmPath ?? (await probeModulePath()),
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

  connect(info: Partial<ConnectionInfo> = {}): FakeConnection {
    const id = this.nextConnectionId++;
    return new FakeConnection(this.factory.createFilter(), { ...defaultInfo(id), ...info }, this.logs);
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

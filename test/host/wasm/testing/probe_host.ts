// Test support: the probe module (probe_module.as) loaded as plugins with recording fakes around them, and their
// connections driven without sockets. A ProbeRuntime stands for one Envoy process: the plugins loaded on it share VMs
// as Envoy shares them; ProbePlugin.load gives a plugin a runtime of its own.
import { readFileSync } from "node:fs";
import {
  type Cluster,
  type ClusterManager,
  type ConnectionInfo,
  type FailurePolicy,
  type HostServices,
  LogLevel,
  type WasmPluginConfig,
} from "../../api.ts";
import { EnvoyStatsStore } from "../../stats/stats_store.ts";
import { loadPlugin, type WasmNetworkFilterFactory } from "../plugin.ts";
import { WasmRuntime } from "../wasm_runtime.ts";
import { compileAssemblyScript } from "./compile_assemblyscript.ts";
import { FakeConnection } from "./fake_connection.ts";

/** The probe's connections are fake ones (fake_connection.ts). */
export type ProbeConnection = FakeConnection;

const PROBE_SOURCE = new URL("./probe_module.as", import.meta.url);

export async function probeModulePath(): Promise<string> {
  return (await compileAssemblyScript(readFileSync(PROBE_SOURCE, "utf8"))).path;
}

export interface RuntimeOptions {
  readonly concurrency?: number;
  readonly logLevel?: LogLevel;
  readonly clusters?: readonly Cluster[];
}

export interface PluginOptions {
  readonly name?: string;
  readonly rootId?: string;
  /** Another module than the probe. */
  readonly wasmPath?: string;
  readonly configuration?: string;
  readonly vmId?: string;
  readonly vmConfiguration?: string;
  readonly failOpen?: boolean;
  readonly failurePolicy?: FailurePolicy;
  readonly reloadBaseIntervalMs?: number;
}

export type ProbeOptions = RuntimeOptions & PluginOptions;

export class ProbeRuntime {
  private constructor(
    readonly runtime: WasmRuntime,
    /** Every line the host logged, as "<Level> <message>", and what filters did to their connection ("Connection ..."). */
    readonly logs: string[],
    readonly stats: EnvoyStatsStore,
  ) {}

  static create(options: RuntimeOptions = {}): ProbeRuntime {
    const logs: string[] = [];
    const stats = new EnvoyStatsStore();
    const services: HostServices = {
      stats,
      clusters: fakeClusters(options.clusters ?? []),
      log: (level, message) => logs.push(`${LogLevel[level]} ${message}`),
      logLevel: options.logLevel ?? LogLevel.Info,
      concurrency: options.concurrency ?? 1,
    };
    return new ProbeRuntime(new WasmRuntime(services), logs, stats);
  }

  async load(options: PluginOptions = {}): Promise<ProbePlugin> {
    const config: WasmPluginConfig = {
      name: options.name ?? "probe_filter",
      rootId: options.rootId ?? "probe_root",
      vmId: options.vmId ?? "probe_vm",
      configuration: options.configuration ?? "",
      vmConfiguration: options.vmConfiguration ?? "vm-config",
      wasmPath: options.wasmPath ?? (await probeModulePath()),
      failOpen: options.failOpen ?? false,
      ...(options.failurePolicy && { failurePolicy: options.failurePolicy }),
      ...(options.reloadBaseIntervalMs && { reloadBaseIntervalMs: options.reloadBaseIntervalMs }),
      environment: {},
    };
    return new ProbePlugin(await loadPlugin(this.runtime, config), this);
  }
}

export class ProbePlugin {
  private nextConnectionId = 1;

  constructor(
    readonly factory: WasmNetworkFilterFactory,
    private readonly runtime: ProbeRuntime,
  ) {}

  static async load(options: ProbeOptions = {}): Promise<ProbePlugin> {
    return ProbeRuntime.create(options).load(options);
  }

  /** The runtime's log lines (shared with the other plugins loaded there). */
  get logs(): string[] {
    return this.runtime.logs;
  }

  get stats(): EnvoyStatsStore {
    return this.runtime.stats;
  }

  /** A connection on `worker`, or on the next worker in turn. */
  connect(info: Partial<ConnectionInfo> = {}, worker?: number): FakeConnection {
    const id = this.nextConnectionId++;
    return new FakeConnection(this.factory.createFilter(worker), { ...defaultInfo(id), ...info }, this.logs);
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

// The Envoy-compatible test host: the proxy half (this directory) run with the real stats store and wasm filter.
import { EnvoyStatsStore } from "../stats/stats_store.ts";
import { loadPlugin } from "../wasm/plugin.ts";
import { WasmRuntime } from "../wasm/wasm_runtime.ts";
import { runHost, type HostOptions, type RunningHost } from "./host.ts";

export type { HostOptions, RunningHost } from "./host.ts";

export function startHost(options: HostOptions): Promise<RunningHost> {
  return runHost(options, {
    createStatsStore: (config) => new EnvoyStatsStore(config),
    createWasmLoader: (services) => {
      const runtime = new WasmRuntime(services);
      return (config) => loadPlugin(runtime, config);
    },
  });
}

// envoy.filters.network.wasm's configuration side, Envoy's PluginConfig (source/extensions/common/wasm/wasm.cc):
// the plugin is loaded on the runtime's VMs (wasm_runtime.ts: a VM shared with every plugin of the same VM key, the
// canary check), started on every worker, and makes a filter per connection on the connection's worker
// (PluginConfig::createContext):
// - the worker's VM is alive: a filter on the plugin's root context there;
// - it failed: FAIL_OPEN installs no filter; FAIL_CLOSED a filter that closes the connection at once; FAIL_RELOAD
//   first reloads the plugin on a new VM when the backoff allows (failure_policy.ts), else closes like FAIL_CLOSED.
//   Connections already on the failed VM are closed on their next data (or, with the deprecated fail_open, pass).
// - the plugin could not start on the worker at all: no filter (Envoy's null plugin handle).
// Reload counters, created for every plugin: wasm.<name>.vm_reload_backoff / vm_reload_success / vm_reload_failure.
// Read: Envoy wasm.cc (PluginConfig::PluginConfig, getPluginHandleAndWasm, maybeReloadHandleIfNeeded,
// createContext), stats_handler.h (WASM_STATS), filters/network/wasm/config.cc (no filter when createContext gives
// none), docs/root/configuration/other_features/wasm.rst (the per-plugin statistics).
import type { Counter, HostServices, NetworkFilter, NetworkFilterFactory, WasmPluginConfig } from "../api.ts";
import { type FailureHandling, failureHandling, type ReloadBackoff } from "./failure_policy.ts";
import { PassThroughFilter, WasmNetworkFilter } from "./network_filter.ts";
import { type BaseWasm, type PluginHandle, WasmRuntime } from "./wasm_runtime.ts";

export interface WasmNetworkFilterFactory extends NetworkFilterFactory {
  /** VMs serving this plugin that failed (trapped) since it was loaded. */
  readonly trapCount: number;
  /** The linear memory size of the VM serving this plugin on each worker, in bytes. */
  memoryBytes(): number[];
}

/** One plugin on VMs of its own (a runtime of its own): for tools that check or drive a single module. */
export function loadWasmNetworkFilter(config: WasmPluginConfig, services: HostServices): Promise<WasmNetworkFilterFactory> {
  return loadPlugin(new WasmRuntime(services), config);
}

/** A plugin on `runtime`'s VMs, shared with the plugins already loaded there as Envoy shares them. */
export async function loadPlugin(runtime: WasmRuntime, config: WasmPluginConfig): Promise<WasmNetworkFilterFactory> {
  const failure = failureHandling(config);
  const base = await runtime.createWasm(config);
  return new Plugin(runtime, base, config, failure);
}

/** What a worker holds for the plugin (Envoy's SinglePluginHandle). */
interface WorkerSlot {
  handle: PluginHandle | undefined;
  /** When the plugin was last loaded on the worker (performance.now()), for the reload backoff. */
  lastLoadMs: number;
}

interface ReloadStats {
  readonly backoff: Counter;
  readonly success: Counter;
  readonly failure: Counter;
}

class Plugin implements WasmNetworkFilterFactory {
  trapCount = 0;
  private readonly slots: WorkerSlot[] = [];
  private readonly reloadStats: ReloadStats;
  private nextWorker = 0;

  constructor(
    private readonly runtime: WasmRuntime,
    private readonly base: BaseWasm,
    private readonly config: WasmPluginConfig,
    private readonly failure: FailureHandling,
  ) {
    const stats = runtime.services.stats;
    const prefix = config.name === "" ? "wasm." : `wasm.${config.name}.`;
    this.reloadStats = {
      backoff: stats.counter(`${prefix}vm_reload_backoff`),
      success: stats.counter(`${prefix}vm_reload_success`),
      failure: stats.counter(`${prefix}vm_reload_failure`),
    };
    for (let worker = 0; worker < runtime.workers; worker++) {
      this.slots.push({ handle: this.load(worker), lastLoadMs: performance.now() });
    }
  }

  createFilter(worker = this.nextWorker++ % this.slots.length): NetworkFilter {
    const slot = this.slots[worker];
    const backoff = this.failure.reloadBackoff;
    if (backoff && slot.handle?.vm.failed) this.reload(slot, slot.handle, backoff, worker);
    const handle = slot.handle;
    if (handle === undefined || (handle.vm.failed && this.failure.policy === "FAIL_OPEN")) return new PassThroughFilter();
    return new WasmNetworkFilter(handle.vm, handle.root, this.failure.existingConnectionsPass);
  }

  memoryBytes(): number[] {
    return this.slots.map((slot) => slot.handle?.vm.memory.size ?? 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.handle && this.runtime.release(slot.handle)));
    this.runtime.releaseBase(this.base);
  }

  private load(worker: number): PluginHandle | undefined {
    const handle = this.runtime.threadLocalPlugin(this.base, this.config, worker);
    handle?.vm.onFail(() => this.trapCount++);
    return handle;
  }

  /** maybeReloadHandleIfNeeded: a new VM once the backoff since the last load has passed. */
  private reload(slot: WorkerSlot, failed: PluginHandle, backoff: ReloadBackoff, worker: number): void {
    const now = performance.now();
    if (now - slot.lastLoadMs < backoff.nextMs()) {
      this.reloadStats.backoff.add(1);
      return;
    }
    slot.lastLoadMs = now;
    const reloaded = this.load(worker);
    if (reloaded === undefined) {
      this.reloadStats.failure.add(1);
      return;
    }
    this.reloadStats.success.add(1);
    void this.runtime.release(failed);
    slot.handle = reloaded;
  }
}

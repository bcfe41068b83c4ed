// The VMs of one Envoy process, shared the way proxy-wasm-cpp-host shares them (src/wasm.cc):
// - createWasm: one base VM per VM key (sharing_keys.ts), compiled and started (_initialize) once; it serves no
//   plugin. Then a canary check per plugin key: a fresh VM of that key starts and configures the plugin and is
//   discarded; a refusal (proxy_on_vm_start or proxy_on_configure answering false, or a trap) refuses the plugin.
//   The answer is kept (WasmHandleBase::canary's plugin_canary_cache_): a plugin key is checked once.
// - getOrCreateThreadLocalWasm: one VM per worker and VM key, a new instance of the base's compiled module (V8 VMs
//   are Cloneable::CompiledBytecode), _initialize run again.
// - getOrCreateThreadLocalPlugin: one root context per worker VM and plugin key, started then configured
//   (WasmVm.startRoot, configureRoot). Plugins with the same VM key and another plugin key get their own root
//   context in that same VM; plugins with the same plugin key share the root context.
// - A worker VM that fails at run time is forgotten by both caches (the fail callbacks registered there), so the
//   next plugin that asks for it (a FAIL_RELOAD reload) gets a new VM.
// - A failure to start a worker VM or a plugin in it marks the base VM failed, logged as Envoy's Wasm::error does
//   ("Wasm VM failed <why>"); that worker then has no plugin handle, and later plugins of the key are refused.
import { readFile } from "node:fs/promises";
import { type HostServices, LogLevel, type WasmPluginConfig } from "../api.ts";
import type { Context } from "./context.ts";
import { abiVersionOf, checkModule } from "./module_check.ts";
import { pluginKey, vmKey } from "./sharing_keys.ts";
import { configureV8Engine } from "./v8_engine.ts";
import { holdVmId } from "./vm_id_handles.ts";
import { type VmEnvironment, WasmVm } from "./wasm_vm.ts";

/** A plugin started in a worker VM: the VM and the plugin's root context there. */
export interface PluginHandle {
  readonly vm: WasmVm;
  readonly root: Context;
}

interface SharedPluginHandle extends PluginHandle {
  readonly worker: number;
  /** Plugins holding it (those with the same plugin key). */
  users: number;
}

/** What a plugin holds of its VM key's base VM (Envoy's base_wasm_ handle). */
export interface BaseWasm {
  readonly key: string;
}

/** A VM key's base VM, its compiled module and what is known of its plugins. */
interface BaseState extends BaseWasm {
  readonly vm: WasmVm;
  readonly module: WebAssembly.Module;
  readonly env: VmEnvironment;
  /** Canary answers by plugin key. */
  readonly canaries: Map<string, boolean>;
  /** Why a worker could not start the VM or a plugin in it, if one could not. */
  failure?: string;
  /** Plugins loaded on it. */
  users: number;
  /** Lets go of its vm_id (the last base VM of a vm_id takes its shared data and queues with it). */
  readonly releaseVmId: () => void;
}

/** What one worker thread keeps: its VM per VM key and its plugin handles per VM key and plugin key. */
interface WorkerCaches {
  readonly vms: Map<string, WasmVm>;
  readonly plugins: Map<string, SharedPluginHandle>;
}

export class WasmRuntime {
  private readonly bases = new Map<string, Promise<BaseState>>();
  private readonly workerCaches: WorkerCaches[];
  /** Plugin handles alive per worker VM; a VM with none that is failed or replaced is disposed. */
  private readonly handlesPerVm = new Map<WasmVm, number>();
  private readonly vmsPerBase = new Map<string, Set<WasmVm>>();

  constructor(readonly services: HostServices) {
    configureV8Engine();
    this.workerCaches = Array.from({ length: Math.max(1, services.concurrency) }, () => ({ vms: new Map(), plugins: new Map() }));
  }

  get workers(): number {
    return this.workerCaches.length;
  }

  /** The base VM for `plugin`'s VM key, once the plugin passed its canary check; throws Envoy's refusal. */
  async createWasm(plugin: WasmPluginConfig): Promise<BaseWasm> {
    const code = await readFile(plugin.wasmPath);
    const problems = checkModule(code);
    if (problems.length > 0) {
      throw new Error(`Wasm plugin '${plugin.name}': Envoy cannot load ${plugin.wasmPath}:\n  ${problems.join("\n  ")}`);
    }
    const key = vmKey(plugin, code);
    let pending = this.bases.get(key);
    if (pending === undefined) {
      pending = this.startBase(key, code, plugin);
      this.bases.set(key, pending);
      pending.catch(() => this.bases.delete(key));
    }
    const base = await pending;
    try {
      if (base.failure !== undefined) throw refusal(plugin, base.failure);
      this.canary(base, plugin);
    } catch (error) {
      if (base.users === 0) this.dropBase(base); // nothing holds it: gone, as Envoy's last handle on it
      throw error;
    }
    base.users++;
    return base;
  }

  /** getOrCreateThreadLocalPlugin on `worker`: the plugin's handle there, undefined when it could not start. */
  threadLocalPlugin(base: BaseWasm, plugin: WasmPluginConfig, worker: number): PluginHandle | undefined {
    const state = base as BaseState;
    const caches = this.workerCaches[worker];
    const key = `${state.key}||${pluginKey(plugin)}`;
    const cached = caches.plugins.get(key);
    if (cached !== undefined) {
      cached.users++;
      return cached;
    }
    const vm = this.threadLocalVm(state, caches);
    if (vm === undefined) return undefined;
    const root = vm.startRoot(plugin);
    if (root === undefined) return this.failBase(state, "Failed to start thread-local Wasm");
    if (!vm.configureRoot(root, plugin)) return this.failBase(state, "Failed to configure thread-local Wasm plugin");
    const handle: SharedPluginHandle = { vm, root, worker, users: 1 };
    caches.plugins.set(key, handle);
    this.handlesPerVm.set(vm, (this.handlesPerVm.get(vm) ?? 0) + 1);
    return handle;
  }

  /**
   * A plugin lets go of its handle (PluginHandleBase's destructor): once no plugin holds it, the root context shuts
   * down (WasmBase::startShutdown(plugin key): proxy_on_done, and proxy_on_delete once done), and a VM left without
   * plugins that is failed or replaced is disposed.
   */
  async release(handle: PluginHandle): Promise<void> {
    const shared = handle as SharedPluginHandle;
    if (--shared.users > 0) return;
    const caches = this.workerCaches[shared.worker];
    for (const [key, cached] of caches.plugins) if (cached === shared) caches.plugins.delete(key);
    await shared.vm.shutDown(shared.root);
    const left = (this.handlesPerVm.get(shared.vm) ?? 1) - 1;
    this.handlesPerVm.set(shared.vm, left);
    if (left === 0 && ![...caches.vms.values()].includes(shared.vm)) this.dispose(shared.vm);
  }

  /** A plugin of the base is closed; with the last one the base VM and the key's worker VMs go. */
  releaseBase(base: BaseWasm): void {
    const state = base as BaseState;
    if (--state.users === 0) this.dropBase(state);
  }

  private dropBase(state: BaseState): void {
    this.bases.delete(state.key);
    state.vm.dispose();
    state.releaseVmId();
    for (const vm of this.vmsPerBase.get(state.key) ?? []) this.dispose(vm);
    for (const caches of this.workerCaches) caches.vms.delete(state.key);
  }

  private async startBase(key: string, code: Uint8Array<ArrayBuffer>, plugin: WasmPluginConfig): Promise<BaseState> {
    const module = await WebAssembly.compile(code);
    const env: VmEnvironment = {
      settings: { vmId: plugin.vmId, vmConfiguration: plugin.vmConfiguration, environment: plugin.environment },
      services: this.services,
      abi: abiVersionOf(code),
    };
    const releaseVmId = holdVmId(plugin.vmId);
    const vm = new WasmVm(module, env);
    vm.initialize();
    if (vm.failed) {
      vm.dispose();
      releaseVmId();
      throw refusal(plugin, vm.failureMessage!);
    }
    return { key, module, env, vm, canaries: new Map(), users: 0, releaseVmId };
  }

  private canary(base: BaseState, plugin: WasmPluginConfig): void {
    const key = pluginKey(plugin);
    const known = base.canaries.get(key);
    if (known === true) return;
    const vm = new WasmVm(base.module, base.env);
    vm.initialize();
    const root = vm.failed ? undefined : vm.startRoot(plugin);
    const configured = root !== undefined && vm.configureRoot(root, plugin);
    const why = vm.failureMessage ?? (root === undefined ? "proxy_on_vm_start returned false" : "proxy_on_configure returned false");
    vm.dispose();
    base.canaries.set(key, configured);
    if (!configured) throw refusal(plugin, why);
  }

  private threadLocalVm(base: BaseState, caches: WorkerCaches): WasmVm | undefined {
    const cached = caches.vms.get(base.key);
    if (cached !== undefined) return cached;
    const vm = new WasmVm(base.module, base.env);
    vm.initialize();
    if (vm.failed) {
      vm.dispose();
      return this.failBase(base, "Failed to initialize Wasm code");
    }
    caches.vms.set(base.key, vm);
    const vms = this.vmsPerBase.get(base.key) ?? new Set<WasmVm>();
    this.vmsPerBase.set(base.key, vms.add(vm));
    vm.onFail(() => {
      if (caches.vms.get(base.key) === vm) caches.vms.delete(base.key);
      for (const [key, handle] of caches.plugins) if (handle.vm === vm) caches.plugins.delete(key);
    });
    return vm;
  }

  private failBase(base: BaseState, why: string): undefined {
    base.failure ??= why;
    base.vm.hostLog(LogLevel.Error, `Wasm VM failed ${why}`);
    return undefined;
  }

  private dispose(vm: WasmVm): void {
    vm.dispose();
    this.handlesPerVm.delete(vm);
    for (const vms of this.vmsPerBase.values()) vms.delete(vm);
  }
}

function refusal(plugin: WasmPluginConfig, why: string): Error {
  return new Error(`Unable to create Wasm network filter ${plugin.name}: ${why}`);
}

// envoy.filters.network.wasm's configuration side: load the module once, refuse what Envoy would refuse, check the
// plugin configuration on a throw-away "canary" VM first (a module whose proxy_on_vm_start or proxy_on_configure
// answers false makes Envoy reject the listener: "Unable to create Wasm network filter <name>"), then start one VM
// per worker; connections are spread over the VMs round robin.
// VM start (Envoy WasmBase::initialize/start/configure): _initialize (or _start), proxy_on_context_create(root, 0),
// proxy_on_vm_start(root, vm_configuration size), proxy_on_configure(root, plugin configuration size).
// Read: cpp-host src/wasm.cc (createWasm, WasmHandleBase::canary, getOrCreateThreadLocalPlugin, startShutdown),
// src/context.cc (onStart, onConfigure), envoy source/extensions/filters/network/wasm/wasm_filter.h (createFilter:
// a failed VM gives no filter when failing open, a closing one otherwise).
import { readFile } from "node:fs/promises";
import { type HostServices, type NetworkFilter, type NetworkFilterFactory, type WasmPluginConfig } from "../api.ts";
import type { Context } from "./context.ts";
import { abiVersionOf, checkModule } from "./module_check.ts";
import { PassThroughFilter, WasmNetworkFilter } from "./network_filter.ts";
import { UpstreamClients } from "./upstream_clients.ts";
import { type VmEnvironment, WasmVm } from "./wasm_vm.ts";

/** How long close() waits for a root context whose proxy_on_done answered false to call proxy_done. */
const DONE_GRACE_MS = 1000;

export interface WasmNetworkFilterFactory extends NetworkFilterFactory {
  /** VMs that failed (trapped) since the plugin was loaded. */
  readonly trapCount: number;
  /** The linear memory size of each worker's VM, in bytes. */
  memoryBytes(): number[];
}

export async function loadWasmNetworkFilter(
  config: WasmPluginConfig,
  services: HostServices,
): Promise<WasmNetworkFilterFactory> {
  const bytes = await readFile(config.wasmPath);
  const problems = checkModule(bytes);
  if (problems.length > 0) {
    throw new Error(`Wasm plugin '${config.name}': Envoy cannot load ${config.wasmPath}:\n  ${problems.join("\n  ")}`);
  }
  const module = await WebAssembly.compile(bytes);
  return new Plugin(module, config, services, abiVersionOf(bytes));
}

class Plugin implements WasmNetworkFilterFactory {
  trapCount = 0;
  private readonly upstream: UpstreamClients;
  private readonly workers: { readonly vm: WasmVm; readonly root: Context }[] = [];
  private nextWorker = 0;

  constructor(
    module: WebAssembly.Module,
    private readonly config: WasmPluginConfig,
    services: HostServices,
    abi: VmEnvironment["abi"],
  ) {
    this.upstream = new UpstreamClients(services.clusters);
    const env: VmEnvironment = {
      plugin: config,
      services,
      abi,
      upstream: this.upstream,
      onFail: () => this.trapCount++,
    };
    try {
      this.startWorker(module, env).vm.dispose(); // the canary
      for (let i = 0; i < Math.max(1, services.concurrency); i++) this.workers.push(this.startWorker(module, env));
    } catch (error) {
      for (const { vm } of this.workers) vm.dispose();
      this.upstream.close();
      throw error;
    }
  }

  createFilter(): NetworkFilter {
    const { vm, root } = this.workers[this.nextWorker++ % this.workers.length];
    return vm.failed && this.config.failOpen ? new PassThroughFilter() : new WasmNetworkFilter(vm, root, this.config.failOpen);
  }

  memoryBytes(): number[] {
    return this.workers.map(({ vm }) => vm.memory.size);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ vm, root }) => shutDown(vm, root)));
    this.upstream.close();
  }

  private startWorker(module: WebAssembly.Module, env: VmEnvironment): { vm: WasmVm; root: Context } {
    const vm = new WasmVm(module, env);
    vm.start();
    const root = vm.createRootContext();
    vm.call(root, "proxy_on_context_create", root.id, 0);
    root.created = true;
    const started = vm.call(root, "proxy_on_vm_start", root.id, byteLength(this.config.vmConfiguration));
    root.pluginConfiguration = new TextEncoder().encode(this.config.configuration);
    const configured = vm.call(root, "proxy_on_configure", root.id, root.pluginConfiguration.length);
    root.pluginConfiguration = undefined;
    const refusal = vm.failed
      ? vm.failureMessage
      : started === 0
        ? "proxy_on_vm_start returned false"
        : configured === 0
          ? "proxy_on_configure returned false"
          : undefined;
    if (refusal) {
      vm.dispose();
      throw new Error(`Unable to create Wasm network filter ${this.config.name}: ${refusal}`);
    }
    return { vm, root };
  }
}

/**
 * WasmBase::startShutdown: proxy_on_done; proxy_on_delete right away if it says done, else once the module calls
 * proxy_done (Envoy waits for ever; here at most DONE_GRACE_MS, then the VM is dropped without proxy_on_delete).
 */
async function shutDown(vm: WasmVm, root: Context): Promise<void> {
  const done =
    vm.call(root, "proxy_on_done", root.id) !== 0 ||
    (await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DONE_GRACE_MS);
      vm.awaitingDone.set(root, () => {
        clearTimeout(timer);
        resolve(true);
      });
    }));
  if (done) vm.call(root, "proxy_on_delete", root.id);
  vm.dispose();
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

// One VM instance (Envoy runs one per worker thread and VM key, shared by the plugins with that key): the module
// instance, its contexts, and the rules of a call into it, as proxy-wasm-cpp-host has them:
// - a call runs in a context; host calls made during it act on the effective context (reset for every call);
// - actions a host call must not run re-entrantly (continue/close the connection, deferred callbacks) run when the
//   outermost call returns (DeferAfterCallActions);
// - any exception out of a call (trap, abort, out-of-bounds) fails the VM for good: every later callback is skipped;
// - a plugin starts in the VM with its own root context: proxy_on_context_create(root, 0) and proxy_on_vm_start(root,
//   VM configuration size) (ContextBase::onStart, for every plugin, not once per VM), then proxy_on_configure(root,
//   plugin configuration size) (ContextBase::onConfigure).
// Read: cpp-host src/context.cc, src/exports.cc (contextOrEffectiveContext), include/proxy-wasm/wasm.h,
// src/wasm.cc (WasmBase::startVm: only a few host calls are allowed while _initialize/_start run; WasmBase::start).
import { type HostServices, LogLevel, type WasmPluginConfig } from "../api.ts";
import { AsyncCalls } from "./async_calls.ts";
import { type ConnectionState, Context } from "./context.ts";
import type { AbiVersion } from "./envoy_abi.ts";
import { buildImports } from "./host_imports.ts";
import { MetricIds } from "./metric_ids.ts";
import { pluginKey } from "./sharing_keys.ts";
import { TickTimers } from "./tick_timers.ts";
import { UpstreamClients } from "./upstream_clients.ts";
import { VmMemory } from "./vm_memory.ts";

/**
 * What a VM is made with: the vm_config of the plugin that created its VM key's base VM (later plugins with the same
 * key share the VM whatever their environment variables, which are not part of the key).
 */
export type VmSettings = Pick<WasmPluginConfig, "vmId" | "vmConfiguration" | "environment">;

export interface VmEnvironment {
  readonly settings: VmSettings;
  readonly services: HostServices;
  readonly abi: AbiVersion;
}

type Export = (...args: (number | bigint)[]) => unknown;

/** How long shutting a root context down waits for it to call proxy_done once proxy_on_done answered false. */
const DONE_GRACE_MS = 1000;

export class WasmVm {
  readonly memory: VmMemory;
  readonly vmContext: Context;
  readonly metricIds: MetricIds;
  readonly tickTimers: TickTimers;
  readonly asyncCalls: AsyncCalls;
  /** The cluster manager's async clients (gRPC and HTTP calls), closed with the VM. */
  readonly upstream: UpstreamClients;
  /** Root contexts whose proxy_on_done answered "not yet" at shutdown, with what finishes them (proxy_done). */
  readonly awaitingDone = new Map<Context, () => void>();
  private readonly exports: Readonly<Record<string, Export>>;
  private readonly contexts = new Map<number, Context>();
  /** WasmBase::root_contexts_: by plugin key, until shut down. */
  private readonly roots = new Map<string, Context>();
  private nextContextId = 1;
  private current: Context;
  private effectiveContextId = 0;
  private callDepth = 0;
  private readonly afterCallActions: (() => void)[] = [];
  private failure: string | undefined;
  private readonly failCallbacks: (() => void)[] = [];
  private disposed = false;
  /** True while _initialize/_start run: only logging, clock, random, args and environment are allowed. */
  restricted = false;

  constructor(
    module: WebAssembly.Module,
    readonly env: VmEnvironment,
  ) {
    this.vmContext = Context.vm();
    this.contexts.set(0, this.vmContext);
    this.current = this.vmContext;
    this.metricIds = new MetricIds(env.services.stats);
    this.tickTimers = new TickTimers(this);
    this.asyncCalls = new AsyncCalls(this);
    this.upstream = new UpstreamClients(env.services.clusters);
    const instance = new WebAssembly.Instance(module, buildImports(this));
    this.exports = instance.exports as Record<string, Export>;
    const malloc = this.exports.malloc ?? this.exports.proxy_on_memory_allocate;
    this.memory = new VmMemory(instance.exports.memory as WebAssembly.Memory, (size) => malloc(size) as number);
  }

  get settings(): VmSettings {
    return this.env.settings;
  }

  get services(): HostServices {
    return this.env.services;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Why the VM failed ("Function: <export> failed: <error>"), if it did. */
  get failureMessage(): string | undefined {
    return this.failure;
  }

  has(exportName: string): boolean {
    return typeof this.exports[exportName] === "function";
  }

  /**
   * Calls an export in `context`. Returns its u32 result (0 for void exports), or undefined when the VM is failed,
   * the export is missing, or the call failed the VM.
   */
  call(context: Context, exportName: string, ...args: number[]): number | undefined {
    const fn = this.exports[exportName];
    if (this.failed || this.disposed || typeof fn !== "function") return undefined;
    const saved = { current: this.current, effective: this.effectiveContextId };
    this.current = context;
    this.effectiveContextId = 0;
    this.callDepth++;
    try {
      const result = fn(...args);
      return typeof result === "number" ? result >>> 0 : 0;
    } catch (error) {
      this.fail(`Function: ${exportName} failed: ${describe(error)}`);
      return undefined;
    } finally {
      this.current = saved.current;
      this.effectiveContextId = saved.effective;
      this.callDepth--;
      if (this.callDepth === 0) this.runAfterCallActions();
    }
  }

  /** _initialize (a WASI reactor, then its main if any) or _start, with the restricted host calls. */
  initialize(): void {
    this.restricted = true;
    try {
      if (this.has("_initialize")) {
        this.call(this.vmContext, "_initialize");
        if (this.has("main")) this.call(this.vmContext, "main", 0, 0);
      } else if (this.has("_start")) {
        this.call(this.vmContext, "_start");
      }
    } finally {
      this.restricted = false;
    }
  }

  /**
   * WasmBase::start: the root context of `plugin`'s key (a new one, or the one a failed start or configure left),
   * told proxy_on_context_create(root, 0) then proxy_on_vm_start(root, VM configuration size); undefined when
   * proxy_on_vm_start answered false (or the VM failed).
   */
  startRoot(plugin: WasmPluginConfig): Context | undefined {
    const key = pluginKey(plugin);
    const root = this.roots.get(key) ?? this.register(Context.root(this.nextContextId++, plugin));
    this.roots.set(key, root);
    this.call(root, "proxy_on_context_create", root.id, 0);
    root.created = true;
    const started = this.call(root, "proxy_on_vm_start", root.id, new TextEncoder().encode(this.settings.vmConfiguration).length);
    return started === 0 || this.failed ? undefined : root;
  }

  /** ContextBase::onConfigure: proxy_on_configure(root, size) with the plugin configuration readable meanwhile. */
  configureRoot(root: Context, plugin: WasmPluginConfig): boolean {
    root.pluginConfiguration = new TextEncoder().encode(plugin.configuration);
    const configured = this.call(root, "proxy_on_configure", root.id, root.pluginConfiguration.length);
    root.pluginConfiguration = undefined;
    return configured !== 0 && !this.failed;
  }

  /**
   * WasmBase::startShutdown(plugin key): proxy_on_done; proxy_on_delete right away if it says done, else once the
   * module calls proxy_done (Envoy waits for ever; here at most DONE_GRACE_MS, then the root is dropped without
   * proxy_on_delete).
   */
  async shutDown(root: Context): Promise<void> {
    for (const [key, known] of this.roots) if (known === root) this.roots.delete(key);
    const done =
      this.call(root, "proxy_on_done", root.id) !== 0 ||
      (await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), DONE_GRACE_MS);
        this.awaitingDone.set(root, () => {
          clearTimeout(timer);
          resolve(true);
        });
      }));
    if (done) this.call(root, "proxy_on_delete", root.id);
  }

  /** WasmVm::addFailCallback: `callback` runs once, when the VM fails, after the failure was logged. */
  onFail(callback: () => void): void {
    this.failCallbacks.push(callback);
  }

  fail(message: string): void {
    if (this.failed) return;
    this.failure = message;
    this.tickTimers.stopAll();
    this.asyncCalls.cancelAll();
    // Envoy's WasmVmIntegration::error logs it at error level, the "Function: <export> failed: ..." message as is.
    this.hostLog(LogLevel.Error, message);
    for (const callback of this.failCallbacks) callback();
  }

  /** Stops the VM without failing it: no more calls, ticks or callouts; its async clients close. */
  dispose(): void {
    this.disposed = true;
    this.tickTimers.stopAll();
    this.asyncCalls.cancelAll();
    this.upstream.close();
  }

  /** The context host calls act on: the one set by proxy_set_effective_context during this call, else the caller. */
  effectiveContext(): Context {
    return (this.effectiveContextId !== 0 && this.contexts.get(this.effectiveContextId)) || this.current;
  }

  setEffectiveContext(id: number): boolean {
    if (!this.contexts.has(id)) return false;
    this.effectiveContextId = id;
    return true;
  }

  context(id: number): Context | undefined {
    return this.contexts.get(id);
  }

  createStreamContext(root: Context, connection: ConnectionState): Context {
    return this.register(Context.stream(this.nextContextId++, root, connection));
  }

  releaseContext(context: Context): void {
    this.contexts.delete(context.id);
  }

  /** Runs `action` once the outermost VM call returns (cpp-host addAfterVmCallAction). */
  defer(action: () => void): void {
    this.afterCallActions.push(action);
    if (this.callDepth === 0) this.runAfterCallActions();
  }

  /** Envoy's "wasm log" line: dropped below the configured level, prefixed like Context::log. */
  log(context: Context, level: LogLevel, message: string): void {
    this.hostLog(level, `wasm log${this.logPrefix(context)}: ${message}`);
  }

  /** A line of the host's own (Envoy's wasm logger's), dropped below the configured level. */
  hostLog(level: LogLevel, message: string): void {
    if (level >= this.services.logLevel) this.services.log(level, message);
  }

  private logPrefix(context: Context): string {
    const plugin = context.plugin;
    if (plugin === undefined) return "";
    const parts = context.isRoot ? [plugin.rootId, plugin.vmId] : [plugin.name, plugin.rootId, plugin.vmId];
    return parts.filter((p) => p !== "").map((p) => " " + p).join("");
  }

  private register(context: Context): Context {
    this.contexts.set(context.id, context);
    return context;
  }

  private runAfterCallActions(): void {
    while (this.afterCallActions.length > 0) this.afterCallActions.shift()!();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `Uncaught ${error.name}: ${error.message}` : `Uncaught ${String(error)}`;
}

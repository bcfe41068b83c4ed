// What a wasm filter does once the VM serving it has failed, as Envoy's PluginConfig decides it (failure_policy
// exists since Envoy 1.33; before, only fail_open).
// - The policy: the deprecated `fail_open: true` counts as FAIL_OPEN, and setting it together with `failure_policy`
//   is refused; UNSPECIFIED is FAIL_CLOSED.
// - What the callbacks of a connection already on the failed VM answer is another matter: cpp-host's
//   CHECK_FAIL_NET reads PluginBase::fail_open_, which Envoy fills from the deprecated field alone. So with
//   `failure_policy: FAIL_OPEN` the connections already on the VM are closed like with FAIL_CLOSED, and only new
//   connections skip the filter; with `fail_open: true` both pass through.
// - FAIL_RELOAD reloads on a new connection once a backoff has passed since the plugin's VM was last loaded; the
//   backoff is drawn anew for every such connection from [base, 1.5 x base), base being
//   `reload_config.backoff.base_interval` or 1 s (its max_interval is not used).
// Read: Envoy source/extensions/common/wasm/wasm.cc (PluginConfig::PluginConfig, maybeReloadHandleIfNeeded,
// createContext) and plugin.h (Plugin passes config.fail_open() to PluginBase); source/common/common/
// backoff_strategy.cc (JitteredLowerBoundBackOffStrategy); cpp-host src/context.cc (CHECK_FAIL_NET).
import type { FailurePolicy, WasmPluginConfig } from "../api.ts";

const DEFAULT_RELOAD_BASE_INTERVAL_MS = 1000;

export interface FailureHandling {
  readonly policy: FailurePolicy;
  /** PluginBase::fail_open_: connections already on a failed VM pass through instead of being closed. */
  readonly existingConnectionsPass: boolean;
  /** With FAIL_RELOAD. */
  readonly reloadBackoff?: ReloadBackoff;
}

/** Throws Envoy's refusal for a configuration it rejects. */
export function failureHandling(plugin: WasmPluginConfig): FailureHandling {
  if (plugin.failOpen && plugin.failurePolicy !== undefined) {
    throw new Error(`Unable to create Wasm plugin ${plugin.name}: only one of fail_open or failure_policy can be set`);
  }
  const policy = plugin.failOpen ? "FAIL_OPEN" : (plugin.failurePolicy ?? "FAIL_CLOSED");
  const reloadBackoff =
    policy === "FAIL_RELOAD" ? new ReloadBackoff(plugin.reloadBaseIntervalMs ?? DEFAULT_RELOAD_BASE_INTERVAL_MS) : undefined;
  return { policy, existingConnectionsPass: plugin.failOpen, reloadBackoff };
}

/** JitteredLowerBoundBackOffStrategy: each draw is base + random % (base / 2), in milliseconds. */
export class ReloadBackoff {
  constructor(
    readonly baseMs: number,
    private readonly random: () => number = Math.random,
  ) {
    // Envoy asserts this, and in a release build would take a random number modulo 0.
    if (!Number.isInteger(baseMs) || baseMs < 2) {
      throw new Error(`reload_config.backoff.base_interval of ${baseMs} ms: Envoy needs at least 2 ms`);
    }
  }

  nextMs(): number {
    return this.baseMs + Math.floor(this.random() * Math.floor(this.baseMs / 2));
  }
}

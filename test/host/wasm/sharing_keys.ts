// The two keys by which Envoy decides what plugins share.
// VM key: plugins with the same one share the base VM, and on each worker one VM instance (module globals included).
//   cpp-host src/wasm.cc makeVmKey, called by Envoy's createWasm (source/extensions/common/wasm/wasm.cc):
//   SHA-256 of vm_id, "||", the VM configuration bytes, "||", the code. Nothing else: not the runtime, the
//   environment variables, allow_precompiled nor the capability restrictions.
// Plugin key: plugins with the same one share a root context (and its canary check) in that VM.
//   cpp-host include/proxy-wasm/context.h PluginBase (makePluginKey in src/context.cc): SHA-256 of root_id, "||", the
//   plugin configuration, "||", Envoy's key; Envoy's key (source/extensions/common/wasm/plugin.h
//   Plugin::createPluginKey) is the plugin name, "||", the listener's traffic direction name, then "||" and a hash of
//   the listener metadata, which this host refuses in bootstraps and is therefore the same for every listener.
import { createHash } from "node:crypto";
import type { WasmPluginConfig } from "../api.ts";

/** core.v3.TrafficDirection names, by number. */
const TRAFFIC_DIRECTION_NAMES = ["UNSPECIFIED", "INBOUND", "OUTBOUND"];

export function vmKey(plugin: WasmPluginConfig, code: Uint8Array): string {
  return createHash("sha256").update(plugin.vmId).update("||").update(plugin.vmConfiguration).update("||").update(code).digest("hex");
}

export function pluginKey(plugin: WasmPluginConfig): string {
  const envoyKey = `${plugin.name}||${TRAFFIC_DIRECTION_NAMES[plugin.listenerDirection ?? 0]}`;
  return createHash("sha256").update(plugin.rootId).update("||").update(plugin.configuration).update("||").update(envoyKey).digest("hex");
}

// Envoy's custom stat namespaces: the wasm extension registers "wasmcustom" and every proxy_define_metric name is
// stored as "wasmcustom.<name>". The admin output strips the namespace; Prometheus additionally gives such metrics
// no "envoy_" prefix (PrometheusStatsFormatter::metricName, envoy source/server/admin/prometheus_stats_formatter.cc;
// the comment on CustomStatNamespace in source/extensions/common/wasm/stats_handler.h says the prefix is removed
// from the output of the /stats endpoints).

export const WASM_CUSTOM_NAMESPACE = "wasmcustom";

/** The name without its custom namespace, or undefined when it lives in no custom namespace. */
export function stripCustomNamespace(name: string): string | undefined {
  const prefix = WASM_CUSTOM_NAMESPACE + ".";
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

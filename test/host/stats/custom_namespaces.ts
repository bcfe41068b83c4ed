// Envoy's custom stat namespaces: the wasm extension registers "wasmcustom" and every proxy_define_metric name is
// stored as "wasmcustom.<name>". The Prometheus output strips the namespace and gives such metrics no "envoy_"
// prefix (PrometheusStatsFormatter::metricName, envoy source/server/admin/prometheus_stats.cc, stripRegisteredPrefix);
// the text /stats output prints the name whole (text_format.ts).

export const WASM_CUSTOM_NAMESPACE = "wasmcustom";

/** The name without its custom namespace, or undefined when it lives in no custom namespace. */
export function stripCustomNamespace(name: string): string | undefined {
  const prefix = WASM_CUSTOM_NAMESPACE + ".";
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

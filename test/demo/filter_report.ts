// What every part of `make run` prints after its calls: the filter's access log lines (through proxy_log; a plugin
// configuration without access_log has none) and its metrics from the proxy's admin /stats/prometheus (labelled by the bootstrap's stats_tags).
import type { ProxyProcess } from "./proxy_process.ts";

/** Prints the access log lines the proxy logged so far (if any) and the protocol's non-zero metrics. */
export async function printFilterReport(proxy: ProxyProcess, adminPort: number, protocol: string): Promise<void> {
  // Let the last log lines and metric updates reach the proxy's output and stats.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const accessLog = proxy.logLines.filter((l) => l.includes("access protocol="));
  if (accessLog.length > 0) console.log("\naccess log (from the filter, through proxy_log):");
  for (const line of accessLog) console.log("  " + line.slice(line.indexOf("access protocol=")));
  const prometheus = await (await fetch(`http://127.0.0.1:${adminPort}/stats/prometheus`)).text();
  const series = prometheus.split("\n").filter((line) => line.startsWith("meta_protocol_") && line.includes(`protocol="${protocol}"`));
  const shown = series.filter((line) => !line.includes("_bucket{") && !line.includes("_sum{") && !line.endsWith("} 0"));
  console.log(`\nmetrics, non-zero (admin http://127.0.0.1:${adminPort}/stats/prometheus; histogram buckets and sums left out):`);
  for (const [title, family] of [["totals", /^meta_protocol_(?!by_)/], ["per method", /^meta_protocol_by_method_/], ["per route", /^meta_protocol_by_route_/], ["per cluster", /^meta_protocol_by_cluster_/]] as const) {
    const lines = shown.filter((line) => family.test(line));
    if (lines.length === 0) continue;
    console.log(`  ${title}:`);
    for (const line of lines) console.log("    " + line);
  }
}

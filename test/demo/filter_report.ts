// What every part of `make run` prints after its calls: the filter's access log lines (through proxy_log), its
// totals from the proxy's admin /stats, and its per-method series (labelled by the stats_tags) from /stats/prometheus.
import type { ProxyProcess } from "./proxy_process.ts";

/** Prints the access log lines the proxy logged so far, the `meta_protocol.<protocol>` stats and per-method series. */
export async function printFilterReport(proxy: ProxyProcess, adminPort: number, protocol: string): Promise<void> {
  // Let the last log lines and metric updates reach the proxy's output and stats.
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log("\naccess log (from the filter, through proxy_log):");
  for (const line of proxy.logLines.filter((l) => l.includes("access protocol="))) {
    console.log("  " + line.slice(line.indexOf("access protocol=")));
  }
  const stats = await (await fetch(`http://127.0.0.1:${adminPort}/stats`)).text();
  console.log(`\nmetrics (admin http://127.0.0.1:${adminPort}/stats):`);
  for (const line of stats.split("\n").filter((l) => l.includes(`meta_protocol.${protocol}`))) console.log("  " + line);
  const prometheus = await (await fetch(`http://127.0.0.1:${adminPort}/stats/prometheus`)).text();
  console.log(`\nper-method series, non-zero (admin http://127.0.0.1:${adminPort}/stats/prometheus; histogram buckets and sums left out):`);
  for (const line of prometheus.split("\n")) {
    if (!line.startsWith("meta_protocol_by_method_") || !line.includes(`protocol="${protocol}"`)) continue;
    if (line.includes("_bucket{") || line.includes("_sum{") || line.endsWith("} 0")) continue;
    console.log("  " + line);
  }
}

// What every part of `make run` prints after its calls: the filter's access log lines (through proxy_log) and its
// metrics from the proxy's admin /stats.
import type { ProxyProcess } from "./proxy_process.ts";

/** Prints the access log lines the proxy logged so far and the `meta_protocol.<protocol>` stats lines. */
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
}

// Runs an envoy/*.yaml bootstrap on the bundled host with ephemeral ports, pointing its cluster at a test server,
// and captures the host's log lines.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { LogLevel } from "../host/api.ts";
import { startHost } from "../host/proxy/server.ts";

export interface RunningHost {
  /** The port of the listener the host was started for. */
  readonly port: number;
  /** The port of listener `name`. */
  portOf(name: string): number;
  readonly logs: string[];
  /** Lines of the wasm filter's access log. */
  accessLog(): string[];
  prometheus(): Promise<string>;
  /** The admin's /stats text: `name: value` lines, tags still in the names. */
  statsText(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Loads `configPath`, moves every port to 0 and every cluster endpoint to `upstreamPort`, or, given a map of
 * cluster name to port, each cluster to its port (clusters the map names but the file lacks are added, copied
 * from the file's first cluster).
 */
export function bootstrapFor(configPath: string, upstreamPort: number | Record<string, number>, pluginConfiguration?: string): any {
  const config = parse(readFileSync(configPath, "utf8"));
  config.admin.address.socket_address.port_value = 0;
  for (const listener of config.static_resources.listeners) {
    listener.address.socket_address.port_value = 0;
    for (const filter of listener.filter_chains[0].filters) {
      if (pluginConfiguration !== undefined && filter.name === "envoy.filters.network.wasm") {
        filter.typed_config.config.configuration.value = pluginConfiguration;
      }
    }
  }
  const clusters: any[] = config.static_resources.clusters;
  if (typeof upstreamPort !== "number") {
    for (const name of Object.keys(upstreamPort)) {
      if (clusters.some((c) => c.name === name)) continue;
      const copy = structuredClone(clusters[0]);
      copy.name = copy.load_assignment.cluster_name = name;
      clusters.push(copy);
    }
  }
  for (const cluster of clusters) {
    const port = typeof upstreamPort === "number" ? upstreamPort : upstreamPort[cluster.name];
    if (port === undefined) throw new Error(`no port given for cluster ${cluster.name}`);
    for (const group of cluster.load_assignment.endpoints) {
      for (const lb of group.lb_endpoints) lb.endpoint.address.socket_address.port_value = port;
    }
  }
  return config;
}

/** Runs `config` on the bundled host; `concurrency` worker VMs (Envoy's --concurrency), one by default. */
export async function startTestHost(config: any, listenerName: string, concurrency = 1): Promise<RunningHost> {
  const logs: string[] = [];
  const host = await startHost({ config, concurrency, logLevel: LogLevel.Info, log: (_level, message) => logs.push(message) });
  return {
    port: host.listenerPort(listenerName),
    portOf: (name) => host.listenerPort(name),
    logs,
    accessLog: () => logs.filter((l) => l.includes("access protocol=")),
    prometheus: async () => (await fetch(`http://127.0.0.1:${host.adminPort}/stats/prometheus`)).text(),
    statsText: async () => (await fetch(`http://127.0.0.1:${host.adminPort}/stats`)).text(),
    stop: () => host.stop(),
  };
}

/** A plugin's protocol and stat prefix: the labels its totals carry. */
export interface PluginLabels {
  readonly protocol: string;
  readonly statPrefix: string;
}

/**
 * A total of a plugin's, `meta_protocol_<name>{protocol=…,stat_prefix=…}` once Envoy's stats_tags (or Istio's
 * extraStatTags) made labels of its tags, or undefined.
 */
export function total(exposition: string, plugin: PluginLabels, name: string): number | undefined {
  return sample(exposition, `meta_protocol_${name}`, { protocol: plugin.protocol, stat_prefix: plugin.statPrefix });
}

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One sample of a Prometheus exposition: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export function parseSamples(exposition: string): Sample[] {
  const out: Sample[] = [];
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** The sample `name` whose labels are exactly `labels` (in any order), or undefined. */
export function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return parseSamples(exposition).find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}

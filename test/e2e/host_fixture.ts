// Runs an envoy/*.yaml bootstrap on the bundled host with ephemeral ports, pointing its cluster at a test server,
// and captures the host's log lines.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { LogLevel } from "../host/api.ts";
import { startHost } from "../host/proxy/server.ts";

export interface RunningHost {
  readonly port: number;
  readonly logs: string[];
  /** Lines of the wasm filter's access log. */
  accessLog(): string[];
  prometheus(): Promise<string>;
  stop(): Promise<void>;
}

/** Loads `configPath`, moves every port to 0 and every cluster endpoint to `upstreamPort`. */
export function bootstrapFor(configPath: string, upstreamPort: number, pluginConfiguration?: string): any {
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
  for (const cluster of config.static_resources.clusters) {
    for (const group of cluster.load_assignment.endpoints) {
      for (const lb of group.lb_endpoints) lb.endpoint.address.socket_address.port_value = upstreamPort;
    }
  }
  return config;
}

export async function startTestHost(config: any, listenerName: string): Promise<RunningHost> {
  const logs: string[] = [];
  const host = await startHost({ config, logLevel: LogLevel.Info, log: (_level, message) => logs.push(message) });
  return {
    port: host.listenerPort(listenerName),
    logs,
    accessLog: () => logs.filter((l) => l.includes("access protocol=")),
    prometheus: async () => (await fetch(`http://127.0.0.1:${host.adminPort}/stats/prometheus`)).text(),
    stop: () => host.stop(),
  };
}

/** The value of the untagged Prometheus sample `name{} value` (Envoy prints empty braces), or undefined. */
export function metric(exposition: string, name: string): number | undefined {
  const line = exposition.split("\n").find((l) => l.startsWith(name + "{} "));
  return line === undefined ? undefined : Number(line.slice(name.length + 3));
}

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The bootstraps `make run` starts the proxy with: one of envoy/*.yaml with its listener and admin moved to free
// ports and its clusters pointed at the demo's servers (which listen on ports the system picks), written to a
// temporary file. So the demo never collides with whatever else listens on the machine.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { type ProxyProcess, startProxy } from "./proxy_process.ts";

export interface DemoBootstrap {
  /** The file to start the proxy with. */
  readonly path: string;
  readonly listenerPort: number;
  readonly adminPort: number;
  remove(): void;
}

/** A port nothing listens on right now (the system's pick for a listener on port 0, closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `source` (an envoy/*.yaml bootstrap) with free listener and admin ports, each cluster's endpoint at
 * 127.0.0.1:`upstreams[cluster]`, and `edit` applied to the parsed bootstrap.
 */
export async function demoBootstrap(
  source: string,
  upstreams: Readonly<Record<string, number>>,
  edit: (config: any) => void = () => {},
): Promise<DemoBootstrap> {
  const config = parse(readFileSync(source, "utf8"));
  edit(config);
  const listenerPort = await freePort();
  config.static_resources.listeners[0].address.socket_address.port_value = listenerPort;
  for (const cluster of config.static_resources.clusters) {
    const port = upstreams[cluster.name];
    if (port === undefined) throw new Error(`${source}: no demo server for cluster ${cluster.name}`);
    cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address = { address: "127.0.0.1", port_value: port };
  }
  return writeDemoBootstrap(config, path.basename(source), listenerPort);
}

/**
 * `config` with its admin on a free port, written to a temporary file named `fileName`; `listenerPort` is the port of
 * its listener the demo's clients connect to.
 */
export async function writeDemoBootstrap(config: any, fileName: string, listenerPort: number): Promise<DemoBootstrap> {
  const adminPort = await freePort();
  config.admin.address.socket_address.port_value = adminPort;
  const dir = mkdtempSync(path.join(tmpdir(), "meta-protocol-demo-"));
  const file = path.join(dir, fileName);
  writeFileSync(file, stringify(config));
  return { path: file, listenerPort, adminPort, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DemoProxyOptions {
  /** The envoy/*.yaml bootstrap. */
  readonly source: string;
  /** The demo's server port for each cluster of the bootstrap. */
  readonly upstreams: Readonly<Record<string, number>>;
  readonly edit?: (config: any) => void;
}

/** Runs `use` with the proxy started on the demo bootstrap of `options`; then stops it and removes the file. */
export async function withDemoProxy(
  { source, upstreams, edit }: DemoProxyOptions,
  use: (proxy: ProxyProcess, bootstrap: DemoBootstrap) => Promise<void>,
): Promise<void> {
  await withProxyOn(await demoBootstrap(source, upstreams, edit), use);
}

/** Runs `use` with the proxy started on `bootstrap`; then stops it and removes the file. */
export async function withProxyOn(
  bootstrap: DemoBootstrap,
  use: (proxy: ProxyProcess, bootstrap: DemoBootstrap) => Promise<void>,
): Promise<void> {
  try {
    const proxy = await startProxy(bootstrap.path, bootstrap.listenerPort);
    try {
      await use(proxy, bootstrap);
    } finally {
      await proxy.stop();
    }
  } finally {
    bootstrap.remove();
  }
}

/** The plugin configuration of the bootstrap's first listener's wasm filter, parsed. */
export function pluginConfiguration(config: any): Record<string, unknown> {
  return JSON.parse(config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.configuration.value);
}

/** Replaces the plugin configuration of the bootstrap's first listener's wasm filter. */
export function setPluginConfiguration(config: any, configuration: Record<string, unknown>): void {
  config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.configuration.value = JSON.stringify(configuration);
}

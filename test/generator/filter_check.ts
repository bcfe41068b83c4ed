// Runs a plugin configuration through the built filter module's proxy_on_configure (on the bundled host's wasm
// side), so that the generator is checked against what the filters accept, not against a copy of their rules.
import { LogLevel, type HostServices } from "../host/api.ts";
import { EnvoyStatsStore } from "../host/stats/stats_store.ts";
import { loadWasmNetworkFilter } from "../host/wasm/plugin.ts";

/** undefined when build/<protocol>.wasm accepts `configuration`, else the filter's log lines saying why. */
export async function configureError(protocol: string, configuration: string): Promise<string | undefined> {
  const logs: string[] = [];
  const services: HostServices = {
    stats: new EnvoyStatsStore(),
    clusters: { get: () => undefined, pickEndpoint: (cluster) => cluster.endpoints[0] },
    log: (_level, message) => logs.push(message),
    logLevel: LogLevel.Info,
    concurrency: 1,
  };
  const plugin = {
    name: "generated",
    rootId: protocol,
    vmId: protocol,
    configuration,
    vmConfiguration: "",
    wasmPath: `build/${protocol}.wasm`,
    failOpen: false,
    environment: {},
  };
  try {
    const factory = await loadWasmNetworkFilter(plugin, services);
    await factory.close();
    return undefined;
  } catch (error) {
    return [(error as Error).message, ...logs].join("\n");
  }
}

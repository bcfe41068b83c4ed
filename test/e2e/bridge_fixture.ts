// Runs a bridge-mode service description on the bundled host the way a user would: the generator writes the plain
// Envoy bootstrap (client listener with the bridge's client side and the HTTP connection manager, HTTP/2 clusters,
// server-side listeners with the bridge's server side and tcp_proxy), then every listener moves to a free port, and
// the HTTP/2 clusters' endpoints (the server-side listeners) with them.
import { readServices, envoyBootstrap } from "../../generator/index.ts";
import { freePort } from "../demo/demo_bootstrap.ts";
import { startTestHost, type RunningHost } from "./host_fixture.ts";

/** Starts the host on what `description` (a MetaProtocolService in YAML) generates; `port` reaches its client listener. */
export async function startBridgeHost(description: string): Promise<RunningHost> {
  const config = await bridgeBootstrap(description);
  return startTestHost(config, config.static_resources.listeners[0].name);
}

/** The bootstrap `description` generates, every listener on a free port (the client listener first). */
export async function bridgeBootstrap(description: string): Promise<any> {
  const config: any = envoyBootstrap(readServices("bridge-test.yaml", description));
  config.admin.address.socket_address.port_value = 0;
  const moved = new Map<number, number>();
  for (const listener of config.static_resources.listeners) {
    const address = listener.address.socket_address;
    const port = await freePort();
    moved.set(address.port_value, port);
    address.port_value = port;
  }
  for (const cluster of config.static_resources.clusters) {
    for (const group of cluster.load_assignment.endpoints) {
      for (const { endpoint } of group.lb_endpoints) {
        const address = endpoint.address.socket_address;
        address.port_value = moved.get(address.port_value) ?? address.port_value;
      }
    }
  }
  return config;
}

// The bootstrap a bridge-mode service description runs on in `make run` and the bridge tests: what the generator
// writes (client listener with the bridge's client side and the HTTP connection manager, HTTP/2 clusters, server-side
// listeners with the bridge's server side and tcp_proxy), with every listener moved to a free port and the HTTP/2
// clusters' endpoints (the server-side listeners) moved with them.
import { envoyBootstrap, readServices } from "../../generator/index.ts";
import { freePort } from "./demo_bootstrap.ts";

/** The bootstrap generated from `description` (a MetaProtocolService in YAML, named `source` in errors). */
export async function bridgeBootstrap(source: string, description: string): Promise<any> {
  const config: any = envoyBootstrap(readServices(source, description));
  await moveListenersToFreePorts(config);
  return config;
}

/**
 * Moves every listener of `config` to a free port, and every cluster endpoint that pointed at a listener's old port
 * (the HTTP/2 clusters whose endpoints are the server-side listeners) with it.
 */
export async function moveListenersToFreePorts(config: any): Promise<void> {
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
}

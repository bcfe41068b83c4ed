// A bridge-mode service in a plain Envoy bootstrap. Each call becomes one HTTP/2 stream that Envoy's HTTP connection
// manager routes:
//   client listener (envoy.listener): wasm bridge (client side) -> http_connection_manager (HTTP/2, the routes)
//   one HTTP/2 cluster per destination, whose endpoints are that destination's server-side listeners
//   server-side listeners, one per server endpoint: wasm bridge (server side) -> tcp_proxy -> the real server
// In a deployment the client side runs next to the clients and each server-side listener next to its server; one
// bootstrap holding both is for a single Envoy (and for the bundled host).
import { envoyClusterName, envoyClusterOverride, sameDestination, serviceDestination } from "../clusters.ts";
import { clusterJson, DEFAULT_CONNECT_TIMEOUT, type Endpoint, type Json, socketAddress, tcpProxyFilter, wasmFilter } from "../envoy_parts.ts";
import type { Destination, ServiceSpec } from "../model.ts";
import { checkedBridgeConfig, type UncheckedWarning } from "../plugin_check.ts";
import { formatJson } from "../plugin_config.ts";
import { httpConnectionManager } from "./http_routes.ts";

/** A server endpoint and the server-side listener in front of it. */
interface ServerListener {
  readonly name: string;
  readonly port: number;
  readonly server: Endpoint;
  readonly connectTimeout: string;
}

export function bridgeListeners(service: ServiceSpec, warn: UncheckedWarning | undefined): Json[] {
  const { listener } = service.envoy;
  const client = {
    name: listener.name,
    address: socketAddress(listener.address, listener.port),
    filter_chains: [{ filters: [wasmFilter(service, formatJson(checkedBridgeConfig(service, "client", warn)), `${service.name}-client`), httpConnectionManager(service)] }],
  };
  const serverConfiguration = formatJson(checkedBridgeConfig(service, "server", warn));
  const servers = serverListeners(service).map(({ name, port }) => ({
    name,
    address: socketAddress(service.bridge!.serverAddress, port),
    filter_chains: [{ filters: [wasmFilter(service, serverConfiguration, `${service.name}-server`), tcpProxyFilter(name, name)] }],
  }));
  return [client, ...servers];
}

/** The HTTP/2 cluster of every destination, then the plain TCP cluster of every server-side listener. */
export function bridgeClusters(service: ServiceSpec): Json[] {
  const listeners = serverListeners(service);
  const http2 = bridgeDestinations(service).map((destination) => {
    const ports = serverEndpoints(service, destination).map((server) => listeners.find((l) => sameEndpoint(l.server, server))!.port);
    const endpoints = ports.map((port) => ({ address: service.bridge!.serverAddress, port }));
    return clusterJson(envoyClusterName(service, destination), endpoints, DEFAULT_CONNECT_TIMEOUT, true);
  });
  const tcp = listeners.map(({ name, server, connectTimeout }) => clusterJson(name, [server], connectTimeout, false));
  return [...http2, ...tcp];
}

/**
 * Every destination calls can go to: route destinations and mirrors, every envoy.clusters entry, and the service
 * itself when there are no routes (then every call goes to it; with routes, a call no route matches gets Envoy's 404).
 */
export function bridgeDestinations(service: ServiceSpec): Destination[] {
  const all: Destination[] = [
    ...(service.routes.length === 0 ? [serviceDestination(service)] : []),
    ...service.routes.flatMap((route) => [...route.destinations, ...(route.mirror === undefined ? [] : [route.mirror.destination])]),
    ...service.envoy.clusters,
  ];
  return all.filter((destination, i) => all.findIndex((other) => sameDestination(other, destination)) === i);
}

/**
 * One server-side listener per distinct server endpoint, in the order the destinations name them, on consecutive
 * ports from bridge.serverPort.
 */
function serverListeners(service: ServiceSpec): ServerListener[] {
  const listeners: ServerListener[] = [];
  for (const destination of bridgeDestinations(service)) {
    const connectTimeout = envoyClusterOverride(service, destination)?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    for (const server of serverEndpoints(service, destination)) {
      if (listeners.some((l) => sameEndpoint(l.server, server))) continue;
      const index = listeners.length;
      const port = service.bridge!.serverPort + index;
      if (port > 65535) service.bridge!.origin.fail(`expected a serverPort that leaves room for ${index + 1} server-side listeners (the last one would be on port ${port})`);
      listeners.push({ name: `${service.envoy.listener.name}-server-${index}`, port, server, connectTimeout });
    }
  }
  return listeners;
}

function serverEndpoints(service: ServiceSpec, destination: Destination): readonly Endpoint[] {
  return envoyClusterOverride(service, destination)?.endpoints ?? [{ address: destination.host, port: destination.port }];
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.address === b.address && a.port === b.port;
}

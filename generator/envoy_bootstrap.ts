// A plain Envoy bootstrap for one or more services: per tcp-mode service a listener with the wasm filter then
// tcp_proxy and its clusters (the service, every route destination, the rate limit service over HTTP/2); per
// bridge-mode service the listeners and clusters of generator/bridge/; and the stat tags that turn per-method metrics
// into labels. Tcp-mode bootstraps load in Envoy and in the bundled host (test/host/proxy/bootstrap.ts).
import { envoyClusterName, envoyClusterOverride, sameDestination, serviceDestination } from "./clusters.ts";
import { bridgeClusters, bridgeListeners } from "./bridge/bridge_bootstrap.ts";
import { clusterJson, DEFAULT_CONNECT_TIMEOUT, type Json, socketAddress, tcpProxyFilter, wasmFilter } from "./envoy_parts.ts";
import type { Destination, ServiceSpec } from "./model.ts";
import { checkedPluginConfig, type UncheckedWarning } from "./plugin_check.ts";
import { formatJson, maxEarlyDataBytes, usesConnectionRouting } from "./plugin_config.ts";
import { envoyStatsTags } from "./stats.ts";
import { toYaml } from "./yaml_out.ts";

const DEFAULT_ADMIN = { address: "127.0.0.1", port: 9901 };

export interface EnvoyBootstrapOptions {
  /** Comment lines on top of the YAML (e.g. "generated from ..., do not edit"). */
  readonly header?: string;
  /** Overrides the services' envoy.admin (default 127.0.0.1:9901). */
  readonly admin?: { readonly address: string; readonly port: number };
  /** Told about plugin configurations that could not be checked (a custom module with no file here). */
  readonly warn?: UncheckedWarning;
}

/** The bootstrap as YAML text. */
export function generateEnvoyBootstrap(services: readonly ServiceSpec[], options: EnvoyBootstrapOptions = {}): string {
  return toYaml([envoyBootstrap(services, options)], options.header);
}

/** The bootstrap as a plain object (proto JSON field names). */
export function envoyBootstrap(services: readonly ServiceSpec[], options: EnvoyBootstrapOptions = {}): Json {
  if (services.length === 0) throw new Error("no services to generate an Envoy bootstrap for");
  const admin = options.admin ?? adminOf(services);
  return {
    // Only the admin endpoint reads the stats (no sinks): flushing when it asks keeps histograms current.
    stats_flush_on_admin: true,
    stats_config: { stats_tags: envoyStatsTags() },
    admin: { address: socketAddress(admin.address, admin.port) },
    static_resources: {
      listeners: distinctPorts(services.map((service) => ({ service, listeners: service.mode === "bridge" ? bridgeListeners(service, options.warn) : [listener(service, options.warn)] }))),
      clusters: uniqueClusters(
        services.flatMap((service) => (service.mode === "bridge" ? bridgeClusters(service) : clusters(service)).map((json) => ({ service, json }))),
      ),
    },
  };
}

/**
 * The listeners of every service, when no two of them would bind the same port (bridge mode adds server-side
 * listeners): the same address, or a wildcard address, on one port (0, any free port, excepted).
 */
function distinctPorts(perService: readonly { service: ServiceSpec; listeners: Json[] }[]): Json[] {
  const bound: { name: string; address: string; port: number }[] = [];
  const wildcard = (address: string) => address === "0.0.0.0" || address === "::";
  for (const { service, listeners } of perService) {
    for (const listener of listeners) {
      const { address, port_value: port } = (listener.address as { socket_address: { address: string; port_value: number } }).socket_address;
      const other = bound.find((b) => port !== 0 && b.port === port && (b.address === address || wildcard(b.address) || wildcard(address)));
      if (other !== undefined) {
        const field = service.mode === "bridge" ? service.bridge!.origin : service.origin.child("envoy", undefined);
        field.fail(`expected ports no other listener uses; listener ${listener.name as string} (${address}:${port}) would share port ${port} with listener ${other.name} (${other.address}:${port})`);
      }
      bound.push({ name: listener.name as string, address, port });
    }
  }
  return perService.flatMap(({ listeners }) => listeners);
}

/** The services' admin address: they must agree. */
function adminOf(services: readonly ServiceSpec[]): { address: string; port: number } {
  const withAdmin = services.filter((service) => service.envoy.admin !== undefined);
  for (const service of withAdmin.slice(1)) {
    const [first, other] = [withAdmin[0].envoy.admin!, service.envoy.admin!];
    if (first.address !== other.address || first.port !== other.port) {
      service.origin.child("envoy", undefined).child("admin", undefined).fail(
        `expected the same admin address as service ${withAdmin[0].name} (one bootstrap has one admin), got ${other.address}:${other.port}`,
      );
    }
  }
  return withAdmin[0]?.envoy.admin ?? DEFAULT_ADMIN;
}

function listener(service: ServiceSpec, warn: UncheckedWarning | undefined): Json {
  const { listener } = service.envoy;
  return {
    name: listener.name,
    address: socketAddress(listener.address, listener.port),
    filter_chains: [{ filters: [wasmFilter(service, formatJson(checkedPluginConfig(service, "envoy", "envoy", warn))), tcpProxy(service)] }],
  };
}

function tcpProxy(service: ServiceSpec): Json {
  const earlyData = usesConnectionRouting(service, "envoy") ? maxEarlyDataBytes(service) : undefined;
  return tcpProxyFilter(service.envoy.listener.name, envoyClusterName(service, serviceDestination(service)), earlyData);
}

/** The service's clusters: itself, every route destination, the rate limit service, and any extra envoy.clusters. */
function clusters(service: ServiceSpec): Json[] {
  const rls = service.globalRateLimit?.service;
  const destinations: Destination[] = [
    serviceDestination(service),
    ...service.routes.flatMap((route) => route.destinations),
    ...service.envoy.clusters.filter((cluster) => rls === undefined || !sameDestination(cluster, rls)),
  ];
  const plain = destinations.map((destination) => cluster(service, destination, false));
  return rls === undefined ? plain : [...plain, cluster(service, rls, true)];
}

function cluster(service: ServiceSpec, destination: Destination, http2: boolean): Json {
  const override = envoyClusterOverride(service, destination);
  const endpoints = override?.endpoints ?? [{ address: destination.host, port: destination.port }];
  // gRPC (the rate limit service) needs HTTP/2 upstream.
  return clusterJson(envoyClusterName(service, destination), endpoints, override?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT, http2);
}

/** One cluster per name; two different clusters under one name is an error. */
function uniqueClusters(all: readonly { service: ServiceSpec; json: Json }[]): Json[] {
  const byName = new Map<string, Json>();
  for (const { service, json } of all) {
    const name = json.name as string;
    const known = byName.get(name);
    if (known === undefined) byName.set(name, json);
    else if (JSON.stringify(known) !== JSON.stringify(json)) {
      service.origin.child("envoy", undefined).child("clusters", undefined).fail(
        `expected one definition per cluster name; ${name} is defined twice with different endpoints or settings`,
      );
    }
  }
  return [...byName.values()];
}

// Upstream cluster names. Istio names its clusters outbound|PORT|SUBSET|HOST and inbound|PORT||; a network filter
// can only choose a cluster by name, so routes to subsets name Istio's subset clusters. Plain Envoy bootstraps use the
// same names unless the service's `envoy.clusters` renames one.
import type { Destination, EnvoyClusterSpec, ServiceSpec } from "./model.ts";

export function istioOutboundCluster({ host, port, subset }: Destination): string {
  return `outbound|${port}|${subset ?? ""}|${host}`;
}

export function istioInboundCluster(port: number): string {
  return `inbound|${port}||`;
}

export function sameDestination(a: Destination, b: Destination): boolean {
  return a.host === b.host && a.port === b.port && (a.subset ?? "") === (b.subset ?? "");
}

/** The service's `envoy.clusters` entry for `destination`, if it has one. */
export function envoyClusterOverride(service: ServiceSpec, destination: Destination): EnvoyClusterSpec | undefined {
  return service.envoy.clusters.find((cluster) => sameDestination(cluster, destination));
}

export function envoyClusterName(service: ServiceSpec, destination: Destination): string {
  return envoyClusterOverride(service, destination)?.name ?? istioOutboundCluster(destination);
}

/** The service itself: tcp_proxy's cluster, used until (and unless) the filter picks another. */
export function serviceDestination(service: ServiceSpec): Destination {
  return { host: service.host, port: service.port };
}

// Upstream cluster names. Istio names its clusters outbound|PORT|SUBSET|HOST and inbound|PORT||; a network filter
// can only choose a cluster by name, so routes to subsets name Istio's subset clusters. Plain Envoy bootstraps use the
// same names unless the service's `envoy.clusters` renames one.
import { isIP } from "node:net";
import type { Destination, EnvoyClusterSpec, ServiceSpec } from "./model.ts";

export function istioOutboundCluster({ host, port, subset }: Destination): string {
  return `outbound|${port}|${subset ?? ""}|${host}`;
}

/**
 * Why `host` cannot be the HOST of an Istio cluster name, if it cannot: Istio names a Kubernetes Service's clusters
 * with its FQDN (<name>.<namespace>.svc.<cluster domain>) and a ServiceEntry's with its hosts, never with a short
 * name or an address, and a filter that picks a cluster by another name picks none.
 */
export function istioHostProblem(host: string, namespace: string | undefined): string | undefined {
  const labels = host.split(".");
  const short =
    isIP(host) !== 0 ||
    labels.length === 1 ||
    labels[labels.length - 1] === "svc" ||
    (labels.length === 2 && namespace !== undefined && labels[1] === namespace);
  if (!short) return undefined;
  return (
    `expected a fully qualified host like ${labels[0]}.${namespace ?? "default"}.svc.cluster.local (or a ServiceEntry host), got ${JSON.stringify(host)}: ` +
    "Istio names clusters outbound|PORT|SUBSET|<FQDN>, and a cluster picked by any other name does not exist"
  );
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

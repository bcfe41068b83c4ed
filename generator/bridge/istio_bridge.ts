// A bridge-mode service in an Istio mesh (docs/istio/bridge.md has the facts, docs/generator.md the layout):
//   client sidecar: a Sidecar egress listener 127.0.0.1:PORT (HTTP2, only chain: HCM with RDS "PORT", i.e. the
//     VirtualService) and the wasm client side before that HCM (WasmPlugin CLIENT, or EnvoyFilter INSERT_BEFORE);
//   server sidecar: Istio's inbound HCM stays (RBAC, stats, peer metadata); its route goes to an added HTTP/2
//     cluster bridge|TARGETPORT whose endpoint is an added listener 127.0.0.1:serverPort = wasm server side +
//     tcp_proxy to inbound|TARGETPORT|| (the application);
//   traffic rules: VirtualService, DestinationRule, AuthorizationPolicy (istio_traffic.ts).
import { istioInboundCluster } from "../clusters.ts";
import { clusterJson, DEFAULT_CONNECT_TIMEOUT, type Json, socketAddress, tcpProxyFilter, WASM_FILTER, WASM_TYPE, wasmPluginConfig } from "../envoy_parts.ts";
import { CONTEXT, envoyFilter, legacyCode, metadata, networkWasmPlugin } from "../istio_parts.ts";
import type { ServiceSpec } from "../model.ts";
import { checkedBridgeConfig, type UncheckedWarning } from "../plugin_check.ts";
import { formatJson } from "../plugin_config.ts";
import type { BridgeSide } from "../plugin_config.ts";
import { istioTrafficRules } from "./istio_traffic.ts";

const HCM_FILTER = "envoy.filters.network.http_connection_manager";
/** Ports Istio's sidecar itself listens on in the pod (Istio's "Ports used by Istio"): the server side cannot bind them. */
const ISTIO_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

export function istioBridgeResources(service: ServiceSpec, envoyFilterOnly: boolean, warn: UncheckedWarning | undefined): Json[] {
  service.localRateLimit?.origin?.fail("not generated for Istio in bridge mode (Envoy's HTTP local rate limit filter would need an EnvoyFilter); meta-protocol-wasm envoy writes it");
  if (service.bridge!.http2PortChecked !== true) warn?.(http2PortPatch(service));
  const client = service.direction === "inbound" ? [] : clientWiring(service, envoyFilterOnly, warn);
  const server = service.direction === "outbound" ? [] : [serverWiring(service, warn)];
  return [...client, ...server, ...istioTrafficRules(service)];
}

/**
 * Istio gives a port HTTP/2 clusters and listeners only when the Service says so (appProtocol http2, or a port name
 * prefixed http2 or grpc: pkg/config/kube/conversion.go ConvertProtocol). The input holds no Service manifest to check: say how.
 */
function http2PortPatch(service: ServiceSpec): string {
  const labels = service.host.split(".");
  const patch = JSON.stringify({ spec: { ports: [{ port: service.port, appProtocol: "http2" }] } });
  return `service ${service.name}: bridge mode needs port ${service.port} of ${service.host} to be HTTP/2 in Istio; unless it is named http2-* or grpc-* or has an appProtocol of http2: kubectl patch service ${labels[0]} -n ${labels[1] ?? "default"} -p '${patch}'`;
}

function clientWiring(service: ServiceSpec, envoyFilterOnly: boolean, warn: UncheckedWarning | undefined): Json[] {
  const name = `${service.name}-bridge-client`;
  const configuration = checkedBridgeConfig(service, "client", warn, "istio");
  const filter = envoyFilterOnly
    ? envoyFilter(service, name, service.clientSelector, [clientInsertPatch(service, configuration)])
    : networkWasmPlugin(service, name, "CLIENT", service.port, service.clientSelector, configuration);
  return [sidecar(service, name), filter];
}

/**
 * The listener RPC clients dial: 127.0.0.1:PORT, whose only filter chain is HCM with the port's outbound routes (no
 * HTTP inspector match, unlike 0.0.0.0_PORT). The second egress listener keeps every other outbound destination
 * as it is without a Sidecar resource (a Sidecar's egress list replaces the default, which is all hosts).
 */
function sidecar(service: ServiceSpec, name: string): Json {
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "Sidecar",
    metadata: metadata(service, name),
    spec: {
      ...(service.clientSelector !== undefined && { workloadSelector: { labels: service.clientSelector } }),
      egress: [
        { port: { number: service.port, protocol: "HTTP2", name: `bridge-${service.port}` }, bind: "127.0.0.1", captureMode: "NONE", hosts: [sidecarHost(service.host)] },
        { hosts: ["*/*"] },
      ],
    },
  };
}

/** A Sidecar host is namespace/dnsName: the Kubernetes Service's namespace when the FQDN names one, else any. */
function sidecarHost(host: string): string {
  const labels = host.split(".");
  const namespace = labels.length >= 3 && labels[2] === "svc" ? labels[1] : "*";
  return `${namespace}/${host}`;
}

function clientInsertPatch(service: ServiceSpec, configuration: Json): Json {
  return {
    applyTo: "NETWORK_FILTER",
    match: { context: CONTEXT.outbound, listener: { portNumber: service.port, filterChain: { filter: { name: HCM_FILTER } } } },
    patch: { operation: "INSERT_BEFORE", value: inlineWasmFilter(service, configuration, "client") },
  };
}

function inlineWasmFilter(service: ServiceSpec, configuration: Json, side: BridgeSide): Json {
  const code = legacyCode(service, `for the bridge's ${side} side, which is inserted by an EnvoyFilter`);
  return { name: WASM_FILTER, typed_config: { "@type": WASM_TYPE, config: wasmPluginConfig(service, formatJson(configuration), code, `${service.name}-${side}`) } };
}

/** One EnvoyFilter on the server workloads: the server-side listener and its HTTP/2 cluster, and the inbound route to it. */
function serverWiring(service: ServiceSpec, warn: UncheckedWarning | undefined): Json {
  const port = serverPort(service);
  const inbound = istioInboundCluster(service.targetPort);
  const bridgeCluster = `bridge|${service.targetPort}`;
  const listenerName = `${service.name}-bridge-server`;
  const configuration = checkedBridgeConfig(service, "server", warn, "istio");
  const listener = {
    name: listenerName,
    address: socketAddress(service.bridge!.serverAddress, port),
    filter_chains: [{ filters: [inlineWasmFilter(service, configuration, "server"), tcpProxyFilter(listenerName, inbound)] }],
  };
  const cluster = clusterJson(bridgeCluster, [{ address: service.bridge!.serverAddress, port }], DEFAULT_CONNECT_TIMEOUT, true);
  return envoyFilter(service, `${service.name}-bridge-server`, service.serverSelector, [
    { applyTo: "LISTENER", match: { context: CONTEXT.inbound }, patch: { operation: "ADD", value: listener } },
    { applyTo: "CLUSTER", match: { context: CONTEXT.inbound }, patch: { operation: "ADD", value: cluster } },
    {
      applyTo: "HTTP_ROUTE",
      // Istio's inbound route configuration of a port is named after its inbound cluster (buildSidecarInboundHTTPRouteConfig).
      match: { context: CONTEXT.inbound, routeConfiguration: { name: inbound } },
      patch: { operation: "MERGE", value: { route: { cluster: bridgeCluster } } },
    },
  ]);
}

/** The server-side listener's port in the server pod: bridge.serverPort, which must miss the sidecar's own ports. */
function serverPort(service: ServiceSpec): number {
  const port = service.bridge!.serverPort;
  if (ISTIO_PORTS.includes(port) || port === service.targetPort) {
    const node = service.bridge!.origin.entry("serverPort") ?? service.bridge!.origin;
    node.fail(`expected a serverPort the server pod leaves free (not ${port}: Istio's sidecar uses ${ISTIO_PORTS.join(", ")}, the application its targetPort ${service.targetPort})`);
  }
  return port;
}

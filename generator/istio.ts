// Istio resources for the services. Istio 1.20+: a WasmPlugin of type NETWORK per side (client: outbound, server:
// inbound), plus, when the filter routes connections, an EnvoyFilter that lets tcp_proxy take early data (Envoy 1.37+).
// Older Istio, or on request: EnvoyFilters that insert the wasm filter before tcp_proxy themselves.
// Each side carries its own workload selector (clientSelector, serverSelector).
import { istioHostProblem } from "./clusters.ts";
import type { Destination, Labels, ServiceSpec } from "./model.ts";
import { checkedPluginConfig, type UncheckedWarning } from "./plugin_check.ts";
import { formatJson, maxEarlyDataBytes, usesConnectionRouting } from "./plugin_config.ts";
import { TCP_PROXY_FILTER, TCP_PROXY_TYPE, WASM_FILTER, WASM_TYPE, wasmPluginConfig } from "./envoy_parts.ts";
import { CONTEXT, envoyFilter, type Json, legacyCode, networkWasmPlugin } from "./istio_parts.ts";
import { toYaml } from "./yaml_out.ts";
import { istioBridgeResources } from "./bridge/istio_bridge.ts";

export interface IstioOptions {
  /** EnvoyFilters that insert the filter (any Istio with wasm network filters) instead of WasmPlugins (1.20+). */
  readonly envoyFilter?: boolean;
  /** Comment lines on top of the YAML. */
  readonly header?: string;
  /** Told about plugin configurations that could not be checked (a custom module with no file here). */
  readonly warn?: UncheckedWarning;
}

type SidecarSide = "outbound" | "inbound";

export function generateIstio(services: readonly ServiceSpec[], options: IstioOptions = {}): string {
  return toYaml(istioResources(services, options), options.header);
}

export function istioResources(services: readonly ServiceSpec[], options: IstioOptions = {}): Json[] {
  return services.flatMap((service) => {
    refuseShortHosts(service);
    if (service.mode === "bridge") return istioBridgeResources(service, options.envoyFilter ?? false, options.warn);
    return options.envoyFilter ? legacyResources(service, options.warn) : wasmPluginResources(service, options.warn);
  });
}

/** Istio names clusters outbound|PORT|SUBSET|<FQDN>: a cluster name the filter picks must use the FQDN. */
function refuseShortHosts(service: ServiceSpec): void {
  const inClusterNames: Destination[] = [
    ...(service.direction === "inbound" ? [] : service.routes.flatMap((route) => route.destinations)),
    ...(service.globalRateLimit === undefined ? [] : [service.globalRateLimit.service]),
  ];
  for (const destination of inClusterNames) {
    const problem = istioHostProblem(destination.host, service.namespace);
    if (problem !== undefined) (destination.hostOrigin ?? service.origin).fail(problem);
  }
}

function selectorOf(service: ServiceSpec, side: SidecarSide): Labels | undefined {
  return side === "outbound" ? service.clientSelector : service.serverSelector;
}

function sidesOf(service: ServiceSpec): SidecarSide[] {
  const sides: SidecarSide[] = [];
  if (service.direction !== "inbound") sides.push("outbound");
  if (service.direction !== "outbound") sides.push("inbound");
  return sides;
}

function wasmPluginResources(service: ServiceSpec, warn: UncheckedWarning | undefined): Json[] {
  const plugins = sidesOf(service).map((side) => wasmPlugin(service, side, warn));
  if (!needsEarlyData(service)) return plugins;
  const earlyData = envoyFilter(service, `${service.name}-early-data`, service.clientSelector, [earlyDataPatch(service)]);
  return [...plugins, earlyData];
}

function needsEarlyData(service: ServiceSpec): boolean {
  return service.direction !== "inbound" && usesConnectionRouting(service, "outbound");
}

function wasmPlugin(service: ServiceSpec, side: SidecarSide, warn: UncheckedWarning | undefined): Json {
  const mode = side === "outbound" ? "CLIENT" : "SERVER";
  const pluginConfig = checkedPluginConfig(service, side, "istio", warn);
  return networkWasmPlugin(service, `${service.name}-${side}`, mode, sidePort(service, side), selectorOf(service, side), pluginConfig);
}

/** Outbound listeners are per service port; inbound filter chains per port the pod listens on. */
function sidePort(service: ServiceSpec, side: SidecarSide): number {
  return side === "outbound" ? service.port : service.targetPort;
}

/** Matches tcp_proxy in the side's listener for the service's port. */
function tcpProxyMatch(service: ServiceSpec, side: SidecarSide): Json {
  const filter = { name: TCP_PROXY_FILTER };
  const listener =
    side === "outbound"
      ? { portNumber: service.port, filterChain: { filter } }
      : { name: "virtualInbound", filterChain: { destinationPort: service.targetPort, filter } };
  return { context: CONTEXT[side], listener };
}

/** Lets tcp_proxy read while the filter holds a new connection until its first request picks the cluster. */
function earlyDataPatch(service: ServiceSpec): Json {
  return {
    applyTo: "NETWORK_FILTER",
    match: tcpProxyMatch(service, "outbound"),
    patch: {
      operation: "MERGE",
      value: { name: TCP_PROXY_FILTER, typed_config: { "@type": TCP_PROXY_TYPE, max_early_data_bytes: maxEarlyDataBytes(service) } },
    },
  };
}

/**
 * One EnvoyFilter `<name>` when both sides select the same workloads (or the service has one side), else one per
 * side, `<name>-outbound` and `<name>-inbound` (an EnvoyFilter has one workload selector).
 */
function legacyResources(service: ServiceSpec, warn: UncheckedWarning | undefined): Json[] {
  const patches = (sides: SidecarSide[]) => {
    const inserts = sides.map((side) => insertPatch(service, side, warn));
    return sides.includes("outbound") && needsEarlyData(service) ? [...inserts, earlyDataPatch(service)] : inserts;
  };
  const sides = sidesOf(service);
  if (sides.length === 1 || sameLabels(service.clientSelector, service.serverSelector)) {
    return [envoyFilter(service, service.name, selectorOf(service, sides[0]), patches(sides))];
  }
  return sides.map((side) => envoyFilter(service, `${service.name}-${side}`, selectorOf(service, side), patches([side])));
}

function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  return JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
}

function insertPatch(service: ServiceSpec, side: SidecarSide, warn: UncheckedWarning | undefined): Json {
  const configuration = formatJson(checkedPluginConfig(service, side, "istio", warn));
  return {
    applyTo: "NETWORK_FILTER",
    match: tcpProxyMatch(service, side),
    patch: {
      operation: "INSERT_BEFORE",
      value: { name: WASM_FILTER, typed_config: { "@type": WASM_TYPE, config: wasmPluginConfig(service, configuration, legacyCode(service)) } },
    },
  };
}


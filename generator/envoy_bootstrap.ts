// A plain Envoy bootstrap for one or more services: per service a listener with the wasm filter then tcp_proxy, its
// clusters (the service, every route destination, the rate limit service over HTTP/2), and the stat tags that turn
// per-method metrics into labels. It loads in Envoy and in the bundled host (test/host/proxy/bootstrap.ts).
import { isIP } from "node:net";
import { envoyClusterName, envoyClusterOverride, sameDestination, serviceDestination } from "./clusters.ts";
import type { Destination, FailStrategy, ServiceSpec } from "./model.ts";
import { checkedPluginConfig, type UncheckedWarning } from "./plugin_check.ts";
import { formatJson, maxEarlyDataBytes, usesConnectionRouting } from "./plugin_config.ts";
import { envoyStatsTags } from "./stats.ts";
import { toYaml } from "./yaml_out.ts";

export const WASM_FILTER = "envoy.filters.network.wasm";
export const TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";
export const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
export const TCP_PROXY_TYPE = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
export const STRING_VALUE_TYPE = "type.googleapis.com/google.protobuf.StringValue";
export const V8_RUNTIME = "envoy.wasm.runtime.v8";
const HTTP_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
const DEFAULT_ADMIN = { address: "127.0.0.1", port: 9901 };
const DEFAULT_CONNECT_TIMEOUT = "1s";

export interface EnvoyBootstrapOptions {
  /** Comment lines on top of the YAML (e.g. "generated from ..., do not edit"). */
  readonly header?: string;
  /** Overrides the services' envoy.admin (default 127.0.0.1:9901). */
  readonly admin?: { readonly address: string; readonly port: number };
  /** Told about plugin configurations that could not be checked (a custom module with no file here). */
  readonly warn?: UncheckedWarning;
}

type Json = Record<string, unknown>;

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
      listeners: services.map((service) => listener(service, options.warn)),
      clusters: uniqueClusters(services.flatMap((service) => clusters(service).map((json) => ({ service, json })))),
    },
  };
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

function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

function listener(service: ServiceSpec, warn: UncheckedWarning | undefined): Json {
  const { listener } = service.envoy;
  return {
    name: listener.name,
    address: socketAddress(listener.address, listener.port),
    filter_chains: [{ filters: [wasmFilter(service, warn), tcpProxyFilter(service)] }],
  };
}

function wasmFilter(service: ServiceSpec, warn: UncheckedWarning | undefined): Json {
  const configuration = formatJson(checkedPluginConfig(service, "envoy", "envoy", warn));
  return {
    name: WASM_FILTER,
    typed_config: {
      "@type": WASM_TYPE,
      config: wasmPluginConfig(service, configuration, { local: { filename: service.envoy.module } }),
    },
  };
}

/** envoy.extensions.wasm.v3.PluginConfig; shared with Istio's legacy EnvoyFilter output. */
export function wasmPluginConfig(service: ServiceSpec, configuration: string, code: Json): Json {
  return {
    name: service.name,
    root_id: service.protocol,
    configuration: { "@type": STRING_VALUE_TYPE, value: configuration },
    vm_config: { vm_id: service.protocol, runtime: V8_RUNTIME, code },
    ...failurePolicy(service.failStrategy),
  };
}

/**
 * What Envoy does when the VM fails. FAIL_OPEN is the legacy `fail_open`, which lets the connections already on the
 * failed VM pass through, as well as new ones (`failure_policy: FAIL_OPEN` would close the existing ones: see
 * docs/envoy/vms-memory-failure.md); FAIL_RELOAD is `failure_policy` (Envoy 1.33+).
 */
function failurePolicy(strategy: FailStrategy): Json {
  if (strategy === "FAIL_OPEN") return { fail_open: true };
  if (strategy === "FAIL_RELOAD") return { failure_policy: "FAIL_RELOAD" };
  return {};
}

function tcpProxyFilter(service: ServiceSpec): Json {
  return {
    name: TCP_PROXY_FILTER,
    typed_config: {
      "@type": TCP_PROXY_TYPE,
      stat_prefix: service.envoy.listener.name,
      cluster: envoyClusterName(service, serviceDestination(service)),
      ...(usesConnectionRouting(service, "envoy") && { max_early_data_bytes: maxEarlyDataBytes(service) }),
    },
  };
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
  const name = envoyClusterName(service, destination);
  return {
    name,
    type: endpoints.every((endpoint) => isIP(endpoint.address) !== 0) ? "STATIC" : "STRICT_DNS",
    connect_timeout: override?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: endpoints.map(({ address, port }) => ({ endpoint: { address: socketAddress(address, port) } })) }],
    },
    // gRPC (the rate limit service) needs HTTP/2 upstream.
    ...(http2 && {
      typed_extension_protocol_options: {
        [HTTP_OPTIONS_KEY]: { "@type": `type.googleapis.com/${HTTP_OPTIONS_KEY}`, explicit_http_config: { http2_protocol_options: {} } },
      },
    }),
  };
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

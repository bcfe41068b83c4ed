// Reads an Envoy v3 bootstrap (YAML file or already parsed object) and validates the subset this host implements.
// Anything outside the subset is refused with the path of the offending field: the same YAML runs in a real Envoy,
// so a field this host skipped would make the two behave differently without anyone noticing.
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parse } from "yaml";
import type { FailurePolicy, TagSpecifier, WasmPluginConfig } from "../api.ts";
import { HTTP_CONNECTION_MANAGER_TYPE, readHttpConnectionManager, type HttpConnectionManagerConfig } from "./http/hcm_config.ts";
import { routedClusters } from "./http/route_config.ts";
import { BootstrapError, ProtoMessage } from "./proto_json.ts";

export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

export interface Bootstrap {
  /** `node` in proto JSON form (id, cluster, metadata), as the `xds.node` property shows it. */
  readonly node: Readonly<Record<string, unknown>>;
  readonly adminAddress: SocketAddress;
  readonly statsConfig: StatsConfig;
  /** stats_flush_interval (histograms are merged for the admin this often); undefined with stats_flush_on_admin. */
  readonly statsFlushIntervalMs?: number;
  readonly listeners: readonly ListenerConfig[];
  readonly clusters: readonly ClusterConfig[];
}

/** stats_config: the stats store applies Envoy's default tag extractors unless `useAllDefaultTags` is false. */
export interface StatsConfig {
  /** An empty regex names one of Envoy's default tags. */
  readonly statsTags: readonly TagSpecifier[];
  readonly useAllDefaultTags: boolean;
}

export interface ListenerConfig {
  readonly name: string;
  readonly address: SocketAddress;
  /** Envoy names listener stats `listener.<stat_prefix or configured address>.`. */
  readonly statPrefix: string;
  /** 0 UNSPECIFIED, 1 INBOUND, 2 OUTBOUND (core.v3.TrafficDirection). */
  readonly trafficDirection: number;
  readonly bufferLimitBytes: number;
  readonly filterChainName: string;
  /** The wasm filters, in filter-chain order, all before the terminal filter. */
  readonly wasmFilters: readonly WasmPluginConfig[];
  /** The terminal filter: exactly one of tcp_proxy and http_connection_manager. */
  readonly tcpProxy?: TcpProxyConfig;
  readonly httpConnectionManager?: HttpConnectionManagerConfig;
}

export type UpstreamConnectMode = "IMMEDIATE" | "ON_DOWNSTREAM_DATA" | "ON_DOWNSTREAM_TLS_HANDSHAKE";

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
}

/** tcp_proxy's `cluster_specifier`: one cluster, or a weighted choice among several. */
export type ClusterSpecifier = { readonly cluster: string } | { readonly weightedClusters: readonly WeightedCluster[] };

export interface TcpProxyConfig {
  readonly statPrefix: string;
  readonly route: ClusterSpecifier;
  /** Set: receive (and buffer up to this many bytes) before the upstream is connected. */
  readonly maxEarlyDataBytes?: number;
  readonly upstreamConnectMode: UpstreamConnectMode;
  /** Undefined when disabled ("0s"). Envoy's default is 1 hour. */
  readonly idleTimeoutMs?: number;
}

export type DiscoveryType = "STATIC" | "STRICT_DNS" | "LOGICAL_DNS";
export type DnsLookupFamily = "AUTO" | "V4_ONLY" | "V6_ONLY" | "V4_PREFERRED" | "ALL";

export interface ClusterConfig {
  readonly name: string;
  readonly type: DiscoveryType;
  readonly dnsLookupFamily: DnsLookupFamily;
  readonly connectTimeoutMs: number;
  readonly bufferLimitBytes: number;
  readonly lbPolicy: LbPolicy;
  readonly endpoints: readonly SocketAddress[];
  readonly http2: boolean;
}

export type LbPolicy = "ROUND_ROBIN" | "RANDOM";

export const WASM_FILTER_TYPE = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
export const TCP_PROXY_TYPE = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
const STRING_VALUE_TYPE = "type.googleapis.com/google.protobuf.StringValue";
const HTTP_PROTOCOL_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
const HTTP_PROTOCOL_OPTIONS_TYPE = `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS_KEY}`;

/** Envoy's default for `per_connection_buffer_limit_bytes` of listeners and clusters. */
export const DEFAULT_BUFFER_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_STATS_FLUSH_INTERVAL_MS = 5000;
const DEFAULT_TCP_IDLE_TIMEOUT_MS = 60 * 60 * 1000;
/** extensions.wasm.v3.FailurePolicy values other than UNSPECIFIED. */
const FAILURE_POLICIES: readonly FailurePolicy[] = ["FAIL_RELOAD", "FAIL_CLOSED", "FAIL_OPEN"];
/** core.v3.TrafficDirection, in enum number order. */
const TRAFFIC_DIRECTIONS = ["UNSPECIFIED", "INBOUND", "OUTBOUND"] as const;

/** Loads a bootstrap from a YAML (or JSON) file path, or validates an already parsed one. */
export function loadBootstrap(source: string | object): Bootstrap {
  const document = typeof source === "string" ? parseFile(source) : source;
  return readBootstrap(ProtoMessage.at(document, ""));
}

function parseFile(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BootstrapError(file, `cannot read the bootstrap: ${(error as Error).message}`);
  }
}

function readBootstrap(bootstrap: ProtoMessage): Bootstrap {
  const node = readNode(bootstrap.optionalMessage("node"));
  const adminAddress = readAdmin(bootstrap.message("admin"));
  const statsConfig = readStatsConfig(bootstrap.optionalMessage("stats_config"));
  const statsFlushIntervalMs = readStatsFlush(bootstrap);
  const resources = bootstrap.message("static_resources");
  const clusters = resources.messages("clusters").map(readCluster);
  const listeners = resources.messages("listeners").map((listener) => readListener(listener, clusters));
  resources.end();
  bootstrap.end();
  refuseDuplicates(listeners, "static_resources.listeners", "listener");
  refuseDuplicates(clusters, "static_resources.clusters", "cluster");
  return { node, adminAddress, statsConfig, statsFlushIntervalMs, listeners, clusters };
}

function refuseDuplicates(items: readonly { name: string }[], path: string, what: string): void {
  items.forEach((item, index) => {
    if (items.findIndex((other) => other.name === item.name) !== index) {
      throw new BootstrapError(`${path}[${index}].name`, `duplicate ${what} name "${item.name}"`);
    }
  });
}

function readNode(node: ProtoMessage | undefined): Record<string, unknown> {
  if (node === undefined) return {};
  const id = node.optionalString("id");
  const cluster = node.optionalString("cluster");
  const metadata = node.map("metadata");
  node.end();
  return { ...(id !== undefined && { id }), ...(cluster !== undefined && { cluster }), metadata };
}

function readAdmin(admin: ProtoMessage): SocketAddress {
  const address = readAddress(admin.message("address"));
  admin.end();
  return address;
}

/** core.v3.Address with a TCP socket_address. */
function readAddress(address: ProtoMessage): SocketAddress {
  const socket = address.message("socket_address");
  socket.enumName("protocol", ["TCP"], "TCP");
  const result = { address: socket.string("address"), port: socket.uint32("port_value", 65535) };
  socket.end();
  address.end();
  return result;
}

function readStatsConfig(config: ProtoMessage | undefined): StatsConfig {
  if (config === undefined) return { statsTags: [], useAllDefaultTags: true };
  const useAllDefaultTags = config.bool("use_all_default_tags", true);
  const statsTags = config.messages("stats_tags").map((tag) => {
    const specifier = { tagName: tag.string("tag_name"), regex: tag.optionalString("regex") ?? "" };
    tag.end();
    return specifier;
  });
  config.end();
  return { statsTags, useAllDefaultTags };
}

function readStatsFlush(bootstrap: ProtoMessage): number | undefined {
  const intervalMs = bootstrap.optionalDurationMs("stats_flush_interval");
  const onAdmin = bootstrap.bool("stats_flush_on_admin", false);
  if (onAdmin && intervalMs !== undefined) {
    bootstrap.fail("stats_flush_on_admin", "only one of stats_flush_interval and stats_flush_on_admin can be set");
  }
  if (intervalMs !== undefined && (intervalMs < 1 || intervalMs > 300_000)) {
    bootstrap.fail("stats_flush_interval", "must be from 1ms to 5 minutes");
  }
  return onAdmin ? undefined : (intervalMs ?? DEFAULT_STATS_FLUSH_INTERVAL_MS);
}

function readListener(listener: ProtoMessage, clusters: readonly ClusterConfig[]): ListenerConfig {
  const name = listener.string("name");
  const address = readAddress(listener.message("address"));
  const statPrefix = listener.optionalString("stat_prefix") || addressStatName(address);
  const direction = listener.enumName("traffic_direction", TRAFFIC_DIRECTIONS, "UNSPECIFIED");
  const bufferLimitBytes = listener.optionalUint32("per_connection_buffer_limit_bytes") ?? DEFAULT_BUFFER_LIMIT_BYTES;
  const chains = listener.messages("filter_chains");
  if (chains.length !== 1) listener.fail("filter_chains", `exactly one filter chain is supported, got ${chains.length}`);
  const chain = chains[0];
  const filterChainName = chain.optionalString("name") ?? "";
  const trafficDirection = TRAFFIC_DIRECTIONS.indexOf(direction);
  const { wasmFilters, terminal } = readFilters(chain, trafficDirection, clusters);
  chain.end();
  listener.end();
  return {
    name,
    address,
    statPrefix,
    trafficDirection,
    bufferLimitBytes,
    filterChainName,
    wasmFilters,
    ...terminal,
  };
}

/** An address as Envoy prints it: "127.0.0.1:80", "[::1]:80". */
export function hostPort({ address, port }: SocketAddress): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** How Envoy names a listener's stats scope from its configured address: "127.0.0.1:0" with ':' sanitized to '_'. */
function addressStatName(address: SocketAddress): string {
  return hostPort(address).replaceAll(":", "_");
}

type TerminalFilter = { tcpProxy: TcpProxyConfig } | { httpConnectionManager: HttpConnectionManagerConfig };

/** Zero or more wasm filters followed by exactly one terminal filter (filters are told apart by their @type). */
function readFilters(
  chain: ProtoMessage,
  listenerDirection: number,
  clusters: readonly ClusterConfig[],
): { wasmFilters: WasmPluginConfig[]; terminal: TerminalFilter } {
  const filters = chain.messages("filters");
  const wasmFilters: WasmPluginConfig[] = [];
  let terminal: TerminalFilter | undefined;
  for (const filter of filters) {
    filter.string("name");
    const type = filter.anyType("typed_config");
    if (terminal !== undefined) {
      const name = "tcpProxy" in terminal ? "tcp_proxy" : "http_connection_manager";
      filter.fail("typed_config", `${name} is a terminal filter: no filter may follow it`);
    }
    if (type === WASM_FILTER_TYPE) wasmFilters.push(readWasmFilter(filter.any("typed_config", type), listenerDirection));
    else if (type === TCP_PROXY_TYPE) terminal = { tcpProxy: readTcpProxy(filter.any("typed_config", type)) };
    else if (type === HTTP_CONNECTION_MANAGER_TYPE) terminal = { httpConnectionManager: readHcm(filter.any("typed_config", type), clusters) };
    else filter.fail("typed_config", `filter type ${type} is not supported by this host (supported: ${WASM_FILTER_TYPE}, ${TCP_PROXY_TYPE}, ${HTTP_CONNECTION_MANAGER_TYPE})`);
    filter.end();
  }
  if (terminal === undefined) {
    chain.fail("filters", "the chain must end with an envoy.filters.network.tcp_proxy or envoy.filters.network.http_connection_manager filter");
  }
  return { wasmFilters, terminal };
}

/**
 * The connection manager, with its routes' clusters checked as Envoy checks a static route_config (validate_clusters
 * defaults to true for it): each must exist; and here also speak HTTP/2, the only upstream protocol implemented.
 */
function readHcm(hcm: ProtoMessage, clusters: readonly ClusterConfig[]): HttpConnectionManagerConfig {
  const config = readHttpConnectionManager(hcm);
  for (const { cluster, where } of routedClusters(config.routeConfig)) {
    const path = `${hcm.fieldPath("route_config")}.${where}`;
    const found = clusters.find((candidate) => candidate.name === cluster);
    if (found === undefined) throw new BootstrapError(path, `route: unknown cluster '${cluster}'`);
    if (!found.http2) {
      throw new BootstrapError(path, `cluster '${cluster}' has no HTTP/2 protocol options (typed_extension_protocol_options ${HTTP_PROTOCOL_OPTIONS_KEY} explicit_http_config.http2_protocol_options): HTTP/1 upstreams are not supported by this host`);
    }
  }
  return config;
}

function readWasmFilter(wasm: ProtoMessage, listenerDirection: number): WasmPluginConfig {
  const plugin = wasm.message("config");
  const name = plugin.optionalString("name") ?? "";
  const rootId = plugin.optionalString("root_id") ?? "";
  const configuration = readStringValue(plugin, "configuration");
  const failOpen = plugin.bool("fail_open", false);
  const policy = plugin.enumName("failure_policy", ["UNSPECIFIED", ...FAILURE_POLICIES], "UNSPECIFIED");
  const reloadBaseIntervalMs = readReloadConfig(plugin.optionalMessage("reload_config"));
  const vm = plugin.message("vm_config");
  const vmId = vm.optionalString("vm_id") ?? "";
  vm.enumName("runtime", ["envoy.wasm.runtime.v8"], "envoy.wasm.runtime.v8");
  const code = vm.message("code");
  const local = code.message("local");
  const wasmPath = path.resolve(local.string("filename"));
  local.end();
  code.end();
  const vmConfiguration = readStringValue(vm, "configuration");
  const environment = readEnvironment(vm.optionalMessage("environment_variables"));
  vm.end();
  plugin.end();
  wasm.end();
  return {
    name,
    rootId,
    vmId,
    configuration,
    vmConfiguration,
    wasmPath,
    failOpen,
    ...(policy !== "UNSPECIFIED" && { failurePolicy: policy }),
    ...(reloadBaseIntervalMs !== undefined && { reloadBaseIntervalMs }),
    environment,
    listenerDirection,
  };
}

/** reload_config.backoff (a core.v3.BackoffStrategy): its base_interval, in whole milliseconds as Envoy reads it. */
function readReloadConfig(reload: ProtoMessage | undefined): number | undefined {
  const backoff = reload?.optionalMessage("backoff");
  if (reload === undefined || backoff === undefined) {
    reload?.end();
    return undefined;
  }
  const baseMs = backoff.optionalDurationMs("base_interval") ?? 0;
  if (baseMs < 1) backoff.fail("base_interval", "required, at least 1ms");
  const maxMs = backoff.optionalDurationMs("max_interval");
  if (maxMs !== undefined && maxMs <= 0) backoff.fail("max_interval", "must be greater than 0s");
  backoff.end();
  reload.end();
  return Math.floor(baseMs);
}

/** A google.protobuf.Any holding a StringValue (what Envoy passes to the plugin unwrapped); absent is "". */
function readStringValue(message: ProtoMessage, key: string): string {
  const value = message.optionalAny(key, STRING_VALUE_TYPE);
  if (value === undefined) return "";
  const text = value.optionalString("value") ?? "";
  value.end();
  return text;
}

function readEnvironment(variables: ProtoMessage | undefined): Record<string, string> {
  if (variables === undefined) return {};
  const environment: Record<string, string> = {};
  for (const key of variables.strings("host_env_keys")) {
    const value = process.env[key];
    if (value !== undefined) environment[key] = value; // Envoy skips keys missing from its environment
  }
  for (const [key, value] of Object.entries(variables.map("key_values"))) {
    if (typeof value !== "string") {
      throw new BootstrapError(`${variables.fieldPath("key_values")}.${key}`, "expected a string");
    }
    environment[key] = value;
  }
  variables.end();
  return environment;
}

function readTcpProxy(proxy: ProtoMessage): TcpProxyConfig {
  const statPrefix = proxy.string("stat_prefix");
  const route = readClusterSpecifier(proxy);
  const maxEarlyDataBytes = proxy.optionalUint32("max_early_data_bytes", 1024 * 1024);
  const upstreamConnectMode = proxy.enumName<UpstreamConnectMode>(
    "upstream_connect_mode",
    ["IMMEDIATE", "ON_DOWNSTREAM_DATA", "ON_DOWNSTREAM_TLS_HANDSHAKE"],
    "IMMEDIATE",
  );
  if (upstreamConnectMode !== "IMMEDIATE" && maxEarlyDataBytes === undefined) {
    proxy.fail("max_early_data_bytes", "max_early_data_bytes must be set when upstream_connect_mode is not IMMEDIATE");
  }
  const idleTimeoutMs = proxy.optionalDurationMs("idle_timeout") ?? DEFAULT_TCP_IDLE_TIMEOUT_MS;
  proxy.end();
  return {
    statPrefix,
    route,
    maxEarlyDataBytes,
    upstreamConnectMode,
    idleTimeoutMs: idleTimeoutMs > 0 ? idleTimeoutMs : undefined,
  };
}

function readClusterSpecifier(proxy: ProtoMessage): ClusterSpecifier {
  const cluster = proxy.optionalString("cluster") || undefined;
  const weighted = proxy.optionalMessage("weighted_clusters");
  if (cluster !== undefined && weighted === undefined) return { cluster };
  if (weighted !== undefined && cluster === undefined) return { weightedClusters: readWeightedClusters(weighted) };
  return proxy.fail("cluster", "exactly one of cluster and weighted_clusters must be set");
}

function readWeightedClusters(weighted: ProtoMessage): WeightedCluster[] {
  const clusters = weighted.messages("clusters").map((entry) => {
    const cluster = { name: entry.string("name"), weight: entry.uint32("weight") };
    if (cluster.weight < 1) entry.fail("weight", "must be at least 1");
    entry.end();
    return cluster;
  });
  if (clusters.length === 0) weighted.fail("clusters", "at least one cluster is required");
  weighted.end();
  return clusters;
}

function readCluster(cluster: ProtoMessage): ClusterConfig {
  const name = cluster.string("name");
  const type = cluster.enumName<DiscoveryType>("type", ["STATIC", "STRICT_DNS", "LOGICAL_DNS"], "STATIC");
  const dnsLookupFamily = cluster.enumName<DnsLookupFamily>(
    "dns_lookup_family",
    ["AUTO", "V4_ONLY", "V6_ONLY", "V4_PREFERRED", "ALL"],
    "AUTO",
  );
  const connectTimeoutMs = cluster.optionalDurationMs("connect_timeout") ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (connectTimeoutMs <= 0) cluster.fail("connect_timeout", "must be greater than 0s");
  const bufferLimitBytes = cluster.optionalUint32("per_connection_buffer_limit_bytes") ?? DEFAULT_BUFFER_LIMIT_BYTES;
  const lbPolicy = cluster.enumName<LbPolicy>("lb_policy", ["ROUND_ROBIN", "RANDOM"], "ROUND_ROBIN");
  const endpoints = readLoadAssignment(cluster.message("load_assignment"));
  refuseEndpointsUnfitFor(type, endpoints, cluster);
  const http2 = readHttp2(cluster);
  cluster.end();
  return { name, type, dnsLookupFamily, connectTimeoutMs, bufferLimitBytes, lbPolicy, endpoints, http2 };
}

function refuseEndpointsUnfitFor(type: DiscoveryType, endpoints: SocketAddress[], cluster: ProtoMessage): void {
  if (type === "LOGICAL_DNS" && endpoints.length !== 1) {
    cluster.fail("load_assignment", `LOGICAL_DNS clusters must have exactly one endpoint, got ${endpoints.length}`);
  }
  const hostname = endpoints.find((endpoint) => net.isIP(endpoint.address) === 0);
  if (type === "STATIC" && hostname !== undefined) {
    cluster.fail("load_assignment", `malformed IP address: ${hostname.address} (STATIC clusters take IP addresses; use STRICT_DNS for names)`);
  }
}

function readLoadAssignment(assignment: ProtoMessage): SocketAddress[] {
  assignment.string("cluster_name");
  const endpoints = assignment.messages("endpoints").flatMap((locality) => {
    const addresses = locality.messages("lb_endpoints").map((lbEndpoint) => {
      const endpoint = lbEndpoint.message("endpoint");
      const address = readAddress(endpoint.message("address"));
      endpoint.end();
      lbEndpoint.end();
      return address;
    });
    locality.end();
    return addresses;
  });
  assignment.end();
  return endpoints;
}

/** True when typed_extension_protocol_options configures HttpProtocolOptions with explicit HTTP/2. */
function readHttp2(cluster: ProtoMessage): boolean {
  let http2 = false;
  for (const [key, value] of Object.entries(cluster.map("typed_extension_protocol_options"))) {
    const keyPath = `${cluster.fieldPath("typed_extension_protocol_options")}.${key}`;
    if (key !== HTTP_PROTOCOL_OPTIONS_KEY) {
      throw new BootstrapError(keyPath, `not supported by this host (supported: ${HTTP_PROTOCOL_OPTIONS_KEY})`);
    }
    const options = ProtoMessage.unpack(value, keyPath, HTTP_PROTOCOL_OPTIONS_TYPE);
    const explicit: ProtoMessage = options.message("explicit_http_config");
    const http2Options = explicit.optionalMessage("http2_protocol_options");
    const http1Options = explicit.optionalMessage("http_protocol_options");
    const chosen = http2Options ?? http1Options;
    if (chosen === undefined || (http2Options && http1Options)) {
      explicit.fail("http2_protocol_options", "exactly one of http_protocol_options and http2_protocol_options must be set");
    }
    chosen.end(); // their own settings are not supported
    explicit.end();
    options.end();
    http2 = http2Options !== undefined;
  }
  return http2;
}

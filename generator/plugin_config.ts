// The plugin configuration (the JSON the filters read in proxy_on_configure, assembly/framework/config.ts) for one
// side of a service. Only what the input sets is written, so the filters' defaults stay the documented ones.
// Each part written is traced back to the input node it came from (`ConfigOrigins`), so that when the filter module
// refuses a field (generator/plugin_check.ts), the error names the field the user wrote.
import { envoyClusterName, istioInboundCluster, istioOutboundCluster } from "./clusters.ts";
import type { Node } from "./input/reader.ts";
import type { AttributeMatch, Destination, KeyValue, RouteSpec, ServiceSpec, TokenBucketSpec } from "./model.ts";

/** Where a filter runs: a sidecar's client side, its server side, or a plain Envoy in front of the service. */
export type Side = "outbound" | "inbound" | "envoy";

type Json = Record<string, unknown>;

/** Plugin configuration field paths (as the filters name them: `routes[0].match.metadata[1]`) to input nodes. */
export type ConfigOrigins = ReadonlyMap<string, Node>;

/** tcp_proxy's max_early_data_bytes is at most 1 MiB (its proto validation). */
const MAX_EARLY_DATA_BYTES = 1024 * 1024;
const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

export function pluginConfig(service: ServiceSpec, side: Side): Json {
  return tracedPluginConfig(service, side).json;
}

/** The plugin configuration and where each of its parts came from in the input. */
export function tracedPluginConfig(service: ServiceSpec, side: Side): { json: Json; origins: ConfigOrigins } {
  const origins = new Map<string, Node>();
  const at = (path: string, node: Node | undefined) => node !== undefined && origins.set(path, node);
  const { filter } = service;
  const option = (key: string) => filter.origin?.entry(key);
  const routes = hasRoutes(service, side) ? service.routes : [];
  const clusterName = clusterNamer(service, side);
  const limited = hasRateLimits(service, side);
  at("stat_prefix", option("statPrefix"));
  at("max_frame_size", option("maxFrameSize"));
  at("max_pending_requests", option("maxPendingRequests"));
  at("access_log", option(filter.accessLogFormat !== undefined ? "accessLogFormat" : "accessLog"));
  at("request_id", option("generateRequestId"));
  at("codec", option("codec"));
  at("connection_routing", option("connectionRouting"));
  at("route_mismatch", option("routeMismatch"));
  at("frame_timeout", option("frameTimeout"));
  const json = omitUndefined({
    stat_prefix: filter.statPrefix ?? (side === "envoy" ? service.name : `${service.name}_${side}`),
    max_frame_size: filter.maxFrameSize,
    max_pending_requests: filter.maxPendingRequests,
    access_log: filter.accessLogFormat !== undefined ? { format: filter.accessLogFormat } : filter.accessLog,
    request_id: filter.generateRequestId !== undefined ? { generate: filter.generateRequestId } : undefined,
    request_mutation: mutationJson(filter.requestMutation, "request_mutation", at, option("requestMutation")),
    codec: filter.codec,
    routes: routes.length > 0 ? routes.map((route, r) => routeJson(route, clusterName, `routes[${r}]`, at)) : undefined,
    // Inbound every route leads to the local pod: holding connections to choose would gain nothing.
    connection_routing: routes.length > 0 && side === "inbound" ? false : filter.connectionRouting,
    route_mismatch: filter.routeMismatch,
    frame_timeout: filter.frameTimeout,
    local_ratelimit: limited ? localRateLimitJson(service, at) : undefined,
    ratelimit: limited ? globalRateLimitJson(service, side, at) : undefined,
  });
  return { json, origins };
}

type Trace = (path: string, node: Node | undefined) => void;

/** A bridge plugin's side: facing the RPC clients (before the HTTP connection manager) or the RPC server. */
export type BridgeSide = "client" | "server";

/** The configuration fields a bridge plugin takes besides mode and bridge: the core's, not tcp mode's chain. */
const BRIDGE_CORE_FIELDS = ["max_frame_size", "max_pending_requests", "codec", "frame_timeout"];

/**
 * A bridge plugin's configuration: the side, then the core fields of the service's plain Envoy configuration. Its
 * stat prefix gets the side, as both sides of one service run in one Envoy and would otherwise share metrics.
 */
export function tracedBridgeConfig(service: ServiceSpec, side: BridgeSide): { json: Json; origins: ConfigOrigins } {
  const plain = tracedPluginConfig(service, "envoy");
  const json: Json = {
    mode: "bridge",
    bridge: side === "client" ? { side, authority: service.bridge!.authority } : { side },
    stat_prefix: `${plain.json.stat_prefix as string}_${side}`,
  };
  for (const field of BRIDGE_CORE_FIELDS) if (plain.json[field] !== undefined) json[field] = plain.json[field];
  const origins = new Map([...plain.origins].filter(([path]) => path === "stat_prefix" || BRIDGE_CORE_FIELDS.includes(path.split(/[.[]/)[0])));
  if (side === "client") origins.set("bridge.authority", service.bridge!.origin.entry("authority") ?? service.hostOrigin);
  return { json, origins };
}

/**
 * Routes are applied once, where they can choose: on the client side (outbound, both), in plain Envoy, and on the
 * server side only for an inbound-only service (there they can reject and mutate).
 */
function hasRoutes(service: ServiceSpec, side: Side): boolean {
  return side !== "inbound" || service.direction === "inbound";
}

/** Rate limits are applied once: on the server side when there is one (as Aeraki does), else on the client side. */
function hasRateLimits(service: ServiceSpec, side: Side): boolean {
  return side === "envoy" || (side === "inbound") === (service.direction !== "outbound");
}

/** True when the filter holds new connections to pick their cluster: tcp_proxy must then accept early data. */
export function usesConnectionRouting(service: ServiceSpec, side: Side): boolean {
  return side !== "inbound" && hasRoutes(service, side) && service.routes.length > 0 && service.filter.connectionRouting !== false;
}

/** Enough early data for the first request, which the filter holds until it is whole. */
export function maxEarlyDataBytes(service: ServiceSpec): number {
  return Math.min(service.filter.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, MAX_EARLY_DATA_BYTES);
}

function clusterNamer(service: ServiceSpec, side: Side): (destination: Destination) => string {
  if (side === "envoy") return (destination) => envoyClusterName(service, destination);
  if (side === "inbound") return () => istioInboundCluster(service.targetPort);
  return istioOutboundCluster;
}

function routeJson(route: RouteSpec, clusterName: (destination: Destination) => string, path: string, at: Trace): Json {
  at(path, route.origin);
  const [first, ...others] = route.destinations;
  at(`${path}.route`, route.origin?.entry("route"));
  route.destinations.forEach((d, i) => at(`${path}.route.weighted_clusters.clusters[${i}]`, d.origin));
  const action =
    others.length === 0
      ? { cluster: clusterName(first) }
      : { weighted_clusters: { clusters: route.destinations.map((d) => ({ name: clusterName(d), weight: d.weight })) } };
  return omitUndefined({
    name: route.name === "" ? undefined : route.name,
    match: matchJson(route.match, `${path}.match`, at),
    route: action,
    request_mutation: mutationJson(route.requestMutation, `${path}.request_mutation`, at, route.origin?.entry("requestMutation")),
    response_mutation: mutationJson(route.responseMutation, `${path}.response_mutation`, at, route.origin?.entry("responseMutation")),
  });
}

function matchJson(match: readonly AttributeMatch[], path: string, at: Trace): Json | undefined {
  return match.length === 0 ? undefined : { metadata: matchersJson(match, `${path}.metadata`, at) };
}

/** Envoy HeaderMatchers on the request's metadata. */
function matchersJson(match: readonly AttributeMatch[], path: string, at: Trace): Json[] {
  return match.map(({ name, kind, value, origin }, i) => {
    at(`${path}[${i}]`, origin);
    if (kind === "present") return { name, present_match: true };
    at(`${path}[${i}].${kind === "regex" ? "safe_regex" : kind}_match`, origin?.entry(kind));
    if (kind === "regex") return { name, safe_regex_match: { regex: value } };
    return { name, [`${kind}_match`]: value };
  });
}

function mutationJson(mutation: readonly KeyValue[], path: string, at: Trace, origin: Node | undefined): Json[] | undefined {
  if (mutation.length === 0) return undefined;
  at(path, origin);
  return mutation.map(({ key, value, origin: item }, i) => {
    at(`${path}[${i}]`, item);
    return { key, value };
  });
}

function localRateLimitJson(service: ServiceSpec, at: Trace): Json | undefined {
  const limit = service.localRateLimit;
  if (limit === undefined) return undefined;
  at("local_ratelimit", limit.origin);
  return omitUndefined({
    token_bucket: limit.tokenBucket === undefined ? undefined : tokenBucketJson(limit.tokenBucket, "local_ratelimit.token_bucket", at),
    conditions:
      limit.conditions.length === 0
        ? undefined
        : limit.conditions.map((condition, i) => {
            const path = `local_ratelimit.conditions[${i}]`;
            at(path, condition.origin);
            return { match: matchJson(condition.match, `${path}.match`, at) ?? {}, token_bucket: tokenBucketJson(condition.tokenBucket, `${path}.token_bucket`, at) };
          }),
  });
}

function tokenBucketJson(bucket: TokenBucketSpec, path: string, at: Trace): Json {
  at(path, bucket.origin);
  at(`${path}.max_tokens`, bucket.origin?.entry("maxTokens"));
  at(`${path}.tokens_per_fill`, bucket.origin?.entry("tokensPerFill"));
  at(`${path}.fill_interval`, bucket.origin?.entry("fillInterval"));
  return omitUndefined({ max_tokens: bucket.maxTokens, tokens_per_fill: bucket.tokensPerFill, fill_interval: bucket.fillInterval });
}

function globalRateLimitJson(service: ServiceSpec, side: Side, at: Trace): Json | undefined {
  const limit = service.globalRateLimit;
  if (limit === undefined) return undefined;
  const field = (key: string) => limit.origin?.entry(key);
  at("ratelimit", limit.origin);
  at("ratelimit.domain", field("domain"));
  at("ratelimit.rate_limit_service", field("rateLimitService"));
  at("ratelimit.timeout", field("requestTimeout"));
  at("ratelimit.failure_mode_deny", field("denyOnFail"));
  limit.descriptors.forEach((descriptor, i) => at(`ratelimit.descriptors[${i}]`, descriptor.origin));
  // A sidecar reaches the rate limit service through its outbound cluster, whichever side the filter runs on.
  const cluster = side === "envoy" ? envoyClusterName(service, limit.service) : istioOutboundCluster(limit.service);
  return omitUndefined({
    domain: limit.domain,
    match: matchJson(limit.match, "ratelimit.match", at),
    descriptors: limit.descriptors.map(({ property, descriptorKey }) => ({ property, descriptor_key: descriptorKey })),
    rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: cluster } } },
    timeout: limit.timeout,
    failure_mode_deny: limit.failureModeDeny,
  });
}

function omitUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** JSON with a space after ':' and ',', the style of the hand-written configurations in envoy/*.yaml. */
export function formatJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${formatJson(item)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

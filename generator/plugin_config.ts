// The plugin configuration (the JSON the filters read in proxy_on_configure, assembly/framework/config.ts) for one
// side of a service. Only what the input sets is written, so the filters' defaults stay the documented ones.
import { envoyClusterName, istioInboundCluster, istioOutboundCluster } from "./clusters.ts";
import type { AttributeMatch, Destination, KeyValue, RouteSpec, ServiceSpec, TokenBucketSpec } from "./model.ts";

/** Where a filter runs: a sidecar's client side, its server side, or a plain Envoy in front of the service. */
export type Side = "outbound" | "inbound" | "envoy";

type Json = Record<string, unknown>;

/** tcp_proxy's max_early_data_bytes is at most 1 MiB (its proto validation). */
const MAX_EARLY_DATA_BYTES = 1024 * 1024;
const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

export function pluginConfig(service: ServiceSpec, side: Side): Json {
  const { filter } = service;
  const routes = hasRoutes(service, side) ? service.routes : [];
  const clusterName = clusterNamer(service, side);
  return omitUndefined({
    stat_prefix: filter.statPrefix ?? (side === "envoy" ? service.name : `${service.name}_${side}`),
    max_frame_size: filter.maxFrameSize,
    max_pending_requests: filter.maxPendingRequests,
    access_log: filter.accessLogFormat !== undefined ? { format: filter.accessLogFormat } : filter.accessLog,
    request_id: filter.generateRequestId !== undefined ? { generate: filter.generateRequestId } : undefined,
    request_mutation: mutationJson(filter.requestMutation),
    codec: filter.codec,
    routes: routes.length > 0 ? routes.map((route) => routeJson(route, clusterName)) : undefined,
    // Inbound every route leads to the local pod: holding connections to choose would gain nothing.
    connection_routing: routes.length > 0 && side === "inbound" ? false : filter.connectionRouting,
    route_mismatch: filter.routeMismatch,
    frame_timeout: filter.frameTimeout,
    local_ratelimit: hasRateLimits(service, side) ? localRateLimitJson(service) : undefined,
    ratelimit: hasRateLimits(service, side) ? globalRateLimitJson(service, side) : undefined,
  });
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

function routeJson(route: RouteSpec, clusterName: (destination: Destination) => string): Json {
  const [first, ...others] = route.destinations;
  const action =
    others.length === 0
      ? { cluster: clusterName(first) }
      : { weighted_clusters: { clusters: route.destinations.map((d) => ({ name: clusterName(d), weight: d.weight })) } };
  return omitUndefined({
    name: route.name === "" ? undefined : route.name,
    match: matchJson(route.match),
    route: action,
    request_mutation: mutationJson(route.requestMutation),
    response_mutation: mutationJson(route.responseMutation),
  });
}

function matchJson(match: readonly AttributeMatch[]): Json | undefined {
  return match.length === 0 ? undefined : { metadata: matchersJson(match) };
}

/** Envoy HeaderMatchers on the request's metadata. */
function matchersJson(match: readonly AttributeMatch[]): Json[] {
  return match.map(({ name, kind, value }) => {
    if (kind === "present") return { name, present_match: true };
    if (kind === "regex") return { name, safe_regex_match: { regex: value } };
    return { name, [`${kind}_match`]: value };
  });
}

function mutationJson(mutation: readonly KeyValue[]): Json[] | undefined {
  return mutation.length === 0 ? undefined : mutation.map(({ key, value }) => ({ key, value }));
}

function localRateLimitJson(service: ServiceSpec): Json | undefined {
  const limit = service.localRateLimit;
  if (limit === undefined) return undefined;
  return omitUndefined({
    token_bucket: limit.tokenBucket === undefined ? undefined : tokenBucketJson(limit.tokenBucket),
    conditions:
      limit.conditions.length === 0
        ? undefined
        : limit.conditions.map((condition) => ({ match: matchJson(condition.match) ?? {}, token_bucket: tokenBucketJson(condition.tokenBucket) })),
  });
}

function tokenBucketJson(bucket: TokenBucketSpec): Json {
  return omitUndefined({ max_tokens: bucket.maxTokens, tokens_per_fill: bucket.tokensPerFill, fill_interval: bucket.fillInterval });
}

function globalRateLimitJson(service: ServiceSpec, side: Side): Json | undefined {
  const limit = service.globalRateLimit;
  if (limit === undefined) return undefined;
  // A sidecar reaches the rate limit service through its outbound cluster, whichever side the filter runs on.
  const cluster = side === "envoy" ? envoyClusterName(service, limit.service) : istioOutboundCluster(limit.service);
  return omitUndefined({
    domain: limit.domain,
    match: matchJson(limit.match),
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

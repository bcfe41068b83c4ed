// The client side's HTTP connection manager: HTTP/2 from the bridge, one virtual host for the bridge's :authority,
// the service's routes translated to Envoy routes, and the HTTP filters (local rate limit, router).
import { envoyClusterName, serviceDestination } from "../clusters.ts";
import type { Json } from "../envoy_parts.ts";
import type { Destination, MirrorSpec, RetriesSpec, RouteSpec, ServiceSpec, TokenBucketSpec } from "../model.ts";
import { headerToAdd, routeMatch } from "./call_path.ts";

const HCM_FILTER = "envoy.filters.network.http_connection_manager";
const HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const LOCAL_RATE_LIMIT_FILTER = "envoy.filters.http.local_ratelimit";
const LOCAL_RATE_LIMIT_TYPE = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
const ROUTER_FILTER = "envoy.filters.http.router";
const ROUTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

export function httpConnectionManager(service: ServiceSpec): Json {
  const statPrefix = service.envoy.listener.name;
  const filterMutations = service.filter.requestMutation.map(headerToAdd);
  return {
    name: HCM_FILTER,
    typed_config: {
      "@type": HCM_TYPE,
      stat_prefix: statPrefix,
      codec_type: "HTTP2",
      route_config: {
        name: statPrefix,
        virtual_hosts: [
          {
            name: statPrefix,
            domains: [service.bridge!.authority],
            routes: service.routes.length === 0 ? [catchAll(service)] : service.routes.map((route) => routeJson(service, route)),
            ...(filterMutations.length > 0 && { request_headers_to_add: filterMutations }),
          },
        ],
      },
      http_filters: [...localRateLimit(service, statPrefix), { name: ROUTER_FILTER, typed_config: { "@type": ROUTER_TYPE } }],
    },
  };
}

/** Without routes every call goes to the service, as in tcp mode. */
function catchAll(service: ServiceSpec): Json {
  return { match: { prefix: "/" }, route: { cluster: envoyClusterName(service, serviceDestination(service)) } };
}

function routeJson(service: ServiceSpec, route: RouteSpec): Json {
  // Envoy's HTTP fault filter is not among the filters the bundled host runs, so no bootstrap here could be tested with it.
  route.fault?.origin.fail("not generated for plain Envoy (it needs envoy.filters.http.fault, which the bundled host does not run); meta-protocol-wasm istio writes it as the VirtualService's fault");
  const cluster = (destination: Destination) => envoyClusterName(service, destination);
  const [first, ...others] = route.destinations;
  const requestHeaders = route.requestMutation.map(headerToAdd);
  const responseHeaders = route.responseMutation.map(headerToAdd);
  return {
    ...(route.name !== "" && { name: route.name }),
    match: routeMatch(service.protocol, route.match),
    route: {
      ...(others.length === 0
        ? { cluster: cluster(first) }
        : { weighted_clusters: { clusters: route.destinations.map((d) => ({ name: cluster(d), weight: d.weight })) } }),
      ...(route.timeout !== undefined && { timeout: route.timeout }),
      ...(route.retries !== undefined && { retry_policy: retryPolicy(route.retries) }),
      ...(route.mirror !== undefined && { request_mirror_policies: [mirrorPolicy(route.mirror, cluster)] }),
    },
    ...(requestHeaders.length > 0 && { request_headers_to_add: requestHeaders }),
    ...(responseHeaders.length > 0 && { response_headers_to_add: responseHeaders }),
  };
}

function retryPolicy({ attempts, perTryTimeout, retryOn }: RetriesSpec): Json {
  return { retry_on: retryOn, num_retries: attempts, ...(perTryTimeout !== undefined && { per_try_timeout: perTryTimeout }) };
}

/** All calls, or the percentage as a fraction of a million (a percentage to four decimals). */
function mirrorPolicy({ destination, percentage }: MirrorSpec, cluster: (destination: Destination) => string): Json {
  if (percentage === 100) return { cluster: cluster(destination) };
  return { cluster: cluster(destination), runtime_fraction: { default_value: { numerator: Math.round(percentage * 10_000), denominator: "MILLION" } } };
}

/** One token bucket for every call of the service, shared by Envoy's workers, as the tcp-mode filter's. */
function localRateLimit(service: ServiceSpec, statPrefix: string): Json[] {
  const bucket = service.localRateLimit?.tokenBucket;
  if (bucket === undefined) return [];
  return [
    {
      name: LOCAL_RATE_LIMIT_FILTER,
      typed_config: {
        "@type": LOCAL_RATE_LIMIT_TYPE,
        stat_prefix: statPrefix,
        token_bucket: tokenBucket(bucket),
        filter_enabled: allRequests(),
        filter_enforced: allRequests(),
      },
    },
  ];
}

/** Envoy's local rate limit filter is enabled and enforced for 0% of requests unless told otherwise. */
function allRequests(): Json {
  return { default_value: { numerator: 100, denominator: "HUNDRED" } };
}

function tokenBucket({ maxTokens, tokensPerFill, fillInterval }: TokenBucketSpec): Json {
  return { max_tokens: maxTokens, ...(tokensPerFill !== undefined && { tokens_per_fill: tokensPerFill }), fill_interval: fillInterval };
}

// The static `route_config` (config.route.v3.RouteConfiguration) of an HTTP connection manager, read strictly: the
// subset below, every other field refused by name. Defaults and validations are Envoy's
// (api/envoy/config/route/v3/route.proto, route_components.proto; source/common/router/config_impl.cc).
import type { WeightedCluster } from "../bootstrap.ts";
import type { ProtoMessage } from "../proto_json.ts";
import { readHeaderMutations, type HeaderMutation } from "./header_mutation.ts";
import { readHeaderMatcher, readRegex, type HeaderMatcher } from "./string_matcher.ts";
import { readRuntimeFraction } from "./local_ratelimit.ts";

export interface RouteConfig {
  readonly name: string;
  readonly virtualHosts: readonly VirtualHost[];
  readonly ignorePortInHostMatching: boolean;
  readonly requestHeadersToAdd: readonly HeaderMutation[];
  readonly responseHeadersToAdd: readonly HeaderMutation[];
}

export interface VirtualHost {
  readonly name: string;
  /** Lowercase: exact names, "*", "*suffix" or "prefix*". */
  readonly domains: readonly string[];
  readonly routes: readonly Route[];
  readonly requestHeadersToAdd: readonly HeaderMutation[];
  readonly responseHeadersToAdd: readonly HeaderMutation[];
}

export type PathMatch =
  | { readonly prefix: string }
  | { readonly path: string }
  | { readonly regex: RegExp };

export interface RouteMatch {
  readonly path: PathMatch;
  readonly caseSensitive: boolean;
  readonly headers: readonly HeaderMatcher[];
}

export interface Route {
  readonly name: string;
  readonly match: RouteMatch;
  readonly action: { readonly route: RouteAction } | { readonly directResponse: DirectResponse };
  readonly requestHeadersToAdd: readonly HeaderMutation[];
  readonly responseHeadersToAdd: readonly HeaderMutation[];
}

export interface RouteAction {
  readonly target: { readonly cluster: string } | { readonly weightedClusters: readonly WeightedCluster[] };
  /** 0: no route timeout. */
  readonly timeoutMs: number;
  readonly retryPolicy?: RetryPolicy;
  /** Clusters receiving a copy of requests, each of this fraction of them (1: every request). */
  readonly mirrors: readonly { readonly cluster: string; readonly fraction: number }[];
}

export const RETRY_ON = ["5xx", "gateway-error", "reset", "connect-failure", "retriable-status-codes", "refused-stream"] as const;
export type RetryOn = (typeof RETRY_ON)[number];

export interface RetryPolicy {
  readonly retryOn: ReadonlySet<RetryOn>;
  readonly numRetries: number;
  /** 0: none (each try may use what is left of the route timeout). */
  readonly perTryTimeoutMs: number;
  readonly retriableStatusCodes: readonly number[];
  readonly backOffBaseMs: number;
  readonly backOffMaxMs: number;
  /** `envoy.retry_host_predicates.previous_hosts`: a retry avoids the hosts already tried. */
  readonly previousHosts: boolean;
  /** host_selection_retry_max_attempts: picks after the first when the predicate rejects one (default 1). */
  readonly hostSelectionMaxAttempts: number;
}

export interface DirectResponse {
  readonly status: number;
  readonly body: string;
}

/** RouteAction.timeout's default. */
const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** Envoy's retry back-off without retry_back_off (runtime upstream.base_retry_backoff_ms, max = 10 × base). */
const DEFAULT_RETRY_BASE_MS = 25;

export function readRouteConfig(config: ProtoMessage): RouteConfig {
  const name = config.optionalString("name") ?? "";
  const virtualHosts = config.messages("virtual_hosts").map(readVirtualHost);
  refuseDuplicateDomains(config, virtualHosts);
  const ignorePortInHostMatching = config.bool("ignore_port_in_host_matching", false);
  const requestHeadersToAdd = readHeaderMutations(config, "request_headers_to_add");
  const responseHeadersToAdd = readHeaderMutations(config, "response_headers_to_add");
  config.end();
  return { name, virtualHosts, ignorePortInHostMatching, requestHeadersToAdd, responseHeadersToAdd };
}

/** Every cluster a route sends to, with the path of the route that names it. */
export function routedClusters(config: RouteConfig): { cluster: string; where: string }[] {
  return config.virtualHosts.flatMap((host, h) =>
    host.routes.flatMap((route, r) => {
      if (!("route" in route.action)) return [];
      const { target, mirrors } = route.action.route;
      const mirrorClusters = mirrors.map((mirror) => mirror.cluster);
      const clusters = "cluster" in target ? [target.cluster] : target.weightedClusters.map((entry) => entry.name);
      const where = `virtual_hosts[${h}].routes[${r}].route`;
      return [...clusters, ...mirrorClusters].map((cluster) => ({ cluster, where }));
    }),
  );
}

function readVirtualHost(host: ProtoMessage): VirtualHost {
  const name = host.string("name");
  const domains = host.strings("domains").map((domain) => domain.toLowerCase());
  if (domains.length === 0) host.fail("domains", "at least one domain is required");
  const routes = host.messages("routes").map(readRoute);
  const requestHeadersToAdd = readHeaderMutations(host, "request_headers_to_add");
  const responseHeadersToAdd = readHeaderMutations(host, "response_headers_to_add");
  host.end();
  return { name, domains, routes, requestHeadersToAdd, responseHeadersToAdd };
}

/** RouteMatcher's constructor: one "*" in all, and no domain twice. */
function refuseDuplicateDomains(config: ProtoMessage, hosts: readonly VirtualHost[]): void {
  const seen = new Set<string>();
  for (const domain of hosts.flatMap((host) => host.domains)) {
    if (seen.has(domain)) {
      config.fail("virtual_hosts", domain === "*" ? "only a single wildcard domain is permitted" : `duplicate domain ${domain}`);
    }
    seen.add(domain);
  }
}

function readRoute(route: ProtoMessage): Route {
  const name = route.optionalString("name") ?? "";
  const match = readRouteMatch(route.message("match"));
  const forward = route.optionalMessage("route");
  const direct = route.optionalMessage("direct_response");
  if ((forward === undefined) === (direct === undefined)) route.fail("route", "exactly one of route and direct_response must be set");
  const action = forward ? { route: readRouteAction(forward) } : { directResponse: readDirectResponse(direct!) };
  const requestHeadersToAdd = readHeaderMutations(route, "request_headers_to_add");
  const responseHeadersToAdd = readHeaderMutations(route, "response_headers_to_add");
  route.end();
  return { name, match, action, requestHeadersToAdd, responseHeadersToAdd };
}

function readRouteMatch(match: ProtoMessage): RouteMatch {
  const prefix = match.optionalString("prefix");
  const path = match.optionalString("path");
  const regex = match.optionalMessage("safe_regex");
  const given = [prefix, path, regex].filter((value) => value !== undefined).length;
  if (given !== 1) match.fail("prefix", "exactly one of prefix, path and safe_regex must be set");
  const pathMatch: PathMatch = prefix !== undefined ? { prefix } : path !== undefined ? { path } : { regex: readRegex(regex!) };
  const caseSensitive = match.bool("case_sensitive", true);
  const headers = match.messages("headers").map(readHeaderMatcher);
  match.end();
  return { path: pathMatch, caseSensitive, headers };
}

function readRouteAction(action: ProtoMessage): RouteAction {
  const cluster = action.optionalString("cluster") || undefined;
  const weighted = action.optionalMessage("weighted_clusters");
  if ((cluster === undefined) === (weighted === undefined)) action.fail("cluster", "exactly one of cluster and weighted_clusters must be set");
  const target = cluster !== undefined ? { cluster } : { weightedClusters: readWeightedClusters(weighted!) };
  const timeoutMs = action.optionalDurationMs("timeout") ?? DEFAULT_ROUTE_TIMEOUT_MS;
  const retry = action.optionalMessage("retry_policy");
  const mirrors = action.messages("request_mirror_policies").map((policy) => {
    const cluster = policy.string("cluster");
    const fraction = readRuntimeFraction(policy.optionalMessage("runtime_fraction")) ?? 1;
    policy.end();
    return { cluster, fraction };
  });
  action.end();
  return { target, timeoutMs, ...(retry && { retryPolicy: readRetryPolicy(retry) }), mirrors };
}

/** Route weighted clusters: a weight may be 0, the sum must not. */
function readWeightedClusters(weighted: ProtoMessage): WeightedCluster[] {
  const clusters = weighted.messages("clusters").map((entry) => {
    const cluster = { name: entry.string("name"), weight: entry.optionalUint32("weight") ?? 0 };
    entry.end();
    return cluster;
  });
  weighted.end();
  if (clusters.reduce((sum, entry) => sum + entry.weight, 0) === 0) weighted.fail("clusters", "the sum of the weights must be greater than 0");
  return clusters;
}

const PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
const PREVIOUS_HOSTS_TYPE = "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate";

function readRetryPolicy(policy: ProtoMessage): RetryPolicy {
  const retryOn = new Set<RetryOn>();
  for (const condition of (policy.optionalString("retry_on") ?? "").split(",").map((item) => item.trim())) {
    if (condition === "") continue;
    if (!RETRY_ON.includes(condition as RetryOn)) {
      policy.fail("retry_on", `"${condition}" is not supported by this host (supported: ${RETRY_ON.join(", ")})`);
    }
    retryOn.add(condition as RetryOn);
  }
  const numRetries = policy.optionalUint32("num_retries") ?? 1;
  const perTryTimeoutMs = policy.optionalDurationMs("per_try_timeout") ?? 0;
  const retriableStatusCodes = policy.uint32s("retriable_status_codes", 599);
  const backOff = policy.optionalMessage("retry_back_off");
  const backOffBaseMs = backOff?.optionalDurationMs("base_interval") ?? DEFAULT_RETRY_BASE_MS;
  const backOffMaxMs = backOff?.optionalDurationMs("max_interval") ?? backOffBaseMs * 10;
  if (backOff !== undefined && backOffBaseMs <= 0) backOff.fail("base_interval", "required, greater than 0");
  if (backOffMaxMs < backOffBaseMs) backOff!.fail("max_interval", "must be at least base_interval");
  backOff?.end();
  const previousHosts = policy.messages("retry_host_predicate").map((predicate) => {
    const name = predicate.string("name");
    if (name !== PREVIOUS_HOSTS) predicate.fail("name", `"${name}" is not supported by this host (supported: ${PREVIOUS_HOSTS})`);
    predicate.optionalAny("typed_config", PREVIOUS_HOSTS_TYPE)?.end(); // PreviousHostsPredicate has no fields
    predicate.end();
    return true;
  }).length > 0;
  const hostSelectionMaxAttempts = policy.optionalUint32("host_selection_retry_max_attempts") ?? 1;
  policy.end();
  return { retryOn, numRetries, perTryTimeoutMs, retriableStatusCodes, backOffBaseMs, backOffMaxMs, previousHosts, hostSelectionMaxAttempts };
}

function readDirectResponse(direct: ProtoMessage): DirectResponse {
  const status = direct.uint32("status", 599);
  if (status < 200) direct.fail("status", "must be from 200 to 599");
  const body = direct.optionalMessage("body");
  const text = body?.optionalString("inline_string") ?? "";
  body?.end();
  direct.end();
  return { status, body: text };
}

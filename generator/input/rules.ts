// Reading the traffic rules, in the shape of Aeraki's MetaRouter spec (routes, localRateLimit, globalRateLimit), so
// that our own documents and Aeraki's resources share one reader and one set of error messages.
import type {
  AttributeMatch,
  Destination,
  FaultSpec,
  GlobalRateLimitSpec,
  KeyValue,
  LocalRateLimitSpec,
  MatchKind,
  MirrorSpec,
  Mode,
  RetriesSpec,
  RouteSpec,
  TokenBucketSpec,
  WeightedDestination,
} from "../model.ts";
import type { Node } from "./reader.ts";

/** Destinations without a host or port are the service's own. */
export interface ServiceAddress {
  readonly host: string;
  readonly port: number;
  readonly hostOrigin: Node;
}

const ROUTE_FIELDS = ["name", "match", "route", "requestMutation", "responseMutation", "timeout", "retries", "mirror", "mirrorPercentage", "fault"];
/**
 * Envoy's retry_on conditions that need no other setting (source/common/router/retry_state_impl.cc,
 * RetryStateImpl::parseRetryOn and wouldRetryFromHeaders / wouldRetryFromReset). Not offered: the gRPC ones (the
 * bridge writes no grpc-status), retriable-status-codes and retriable-headers (they need lists this input lacks).
 */
const RETRY_ON = ["5xx", "gateway-error", "reset", "connect-failure", "refused-stream", "retriable-4xx", "envoy-ratelimited"];
/** Retry only what never reached a server: a call retried after the server ran it may run twice. */
const DEFAULT_RETRY_ON = "connect-failure,refused-stream";
const STRING_MATCH_KINDS = ["exact", "prefix", "suffix", "contains", "regex", "present"] as const;
/** Protobuf JSON durations ("0.25s"), or Go's as Kubernetes resources write them ("100ms", "1m30s"). */
const DURATION = /^(\d{1,11}(\.\d{1,9})?(h|m|s|ms|us|ns))+$/;
export const DURATION_TEXT = 'a duration like "1s", "0.25s", "100ms" or "1m"';
const SECONDS_PER_UNIT: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
export const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
export const HOST_NAME_TEXT = "a host name like demo.default.svc.cluster.local";
/**
 * A DestinationRule subset name as Istio validates it (pkg/config/validation/validation.go validateSubsetName:
 * labels.IsDNS1123Label, pkg/config/labels/instance.go): letters, digits and '-', starting and ending with a letter
 * or digit, at most 63. A subset name Istio refuses can name no cluster.
 */
export const SUBSET_NAME = /^(?=.{1,63}$)[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const SUBSET_NAME_TEXT = "a subset name as Istio accepts it in a DestinationRule: letters, digits and '-', starting and ending with a letter or digit, at most 63";
/** Istio's cluster naming, which Aeraki's rateLimitService uses: outbound|PORT|SUBSET|HOST. */
const ISTIO_CLUSTER = /^outbound\|(\d{1,5})\|([^|]*)\|(.+)$/;

export function readRoutes(node: Node, service: ServiceAddress, mode: Mode): RouteSpec[] {
  return node.list("a list of routes").map((route) => readRoute(route, service, mode));
}

function readRoute(node: Node, service: ServiceAddress, mode: Mode): RouteSpec {
  const route = node.object(ROUTE_FIELDS);
  if (mode === "tcp") {
    for (const unsupported of ["mirror", "mirrorPercentage"]) {
      route.optional(unsupported)?.fail("not supported: a network filter cannot copy requests to another cluster");
    }
    for (const unsupported of ["timeout", "retries"]) {
      route.optional(unsupported)?.fail("not supported in tcp mode: a network filter cannot time out or retry one call (mode: bridge can)");
    }
    route.optional("fault")?.fail("not supported in tcp mode: a network filter cannot delay or abort one call (mode: bridge can, in Istio output)");
  }
  const timeout = optionalDuration(route.optional("timeout"));
  const retries = route.optional("retries");
  const mirror = route.optional("mirror");
  const fault = route.optional("fault");
  if (mirror === undefined) route.optional("mirrorPercentage")?.fail("expected no mirrorPercentage without a mirror");
  return {
    origin: node,
    name: route.optional("name")?.string() ?? "",
    match: readMatch(route.optional("match")),
    destinations: readDestinations(route.get("route", "a list of destinations"), service),
    requestMutation: readMutation(route.optional("requestMutation")),
    responseMutation: readMutation(route.optional("responseMutation")),
    ...(timeout !== undefined && { timeout }),
    ...(retries !== undefined && { retries: readRetries(retries) }),
    ...(mirror !== undefined && { mirror: readMirror(mirror, route.optional("mirrorPercentage"), service) }),
    ...(fault !== undefined && { fault: readFault(fault) }),
  };
}

function readRetries(node: Node): RetriesSpec {
  const retries = node.object(["attempts", "perTryTimeout", "retryOn"]);
  const perTryTimeout = optionalDuration(retries.optional("perTryTimeout"));
  const retryOnNode = retries.optional("retryOn");
  const conditions = (retryOnNode?.string(`a comma-separated list of ${RETRY_ON.join(", ")}`) ?? DEFAULT_RETRY_ON).split(",").map((c) => c.trim());
  const unknown = conditions.find((condition) => !RETRY_ON.includes(condition));
  if (unknown !== undefined) retryOnNode!.fail(`unknown retry condition ${JSON.stringify(unknown)}; expected a comma-separated list of ${RETRY_ON.join(", ")}`);
  return {
    attempts: retries.get("attempts", "the number of retries").integer(1, 10),
    ...(perTryTimeout !== undefined && { perTryTimeout }),
    retryOn: conditions.join(","),
  };
}

/** Aeraki's shape: `mirror` is a destination, `mirrorPercentage: {value}` the percent of calls copied (all by default). */
function readMirror(node: Node, percentage: Node | undefined, service: ServiceAddress): MirrorSpec {
  return { destination: readDestination(node, service), percentage: readPercentage(percentage) };
}

/**
 * Istio's HTTPFaultInjection: a delay, an abort, or both, each for a percentage of the calls (all by default). Istio
 * refuses a status outside 200-599 and a delay under 1ms (pkg/config/validation/validation.go,
 * validateHTTPFaultInjectionAbort, validateHTTPStatus, validateHTTPFaultInjectionDelay).
 */
function readFault(node: Node): FaultSpec {
  const fault = node.object(["delay", "abort"]);
  const delayNode = fault.optional("delay");
  const abortNode = fault.optional("abort");
  if (delayNode === undefined && abortNode === undefined) node.expected("a delay, an abort, or both");
  const delay = delayNode?.object(["fixedDelay", "percentage"]);
  const abort = abortNode?.object(["httpStatus", "percentage"]);
  const fixedDelay = delay === undefined ? undefined : readDuration(delay.get("fixedDelay", DURATION_TEXT));
  if (fixedDelay !== undefined && parseFloat(fixedDelay) < 0.001) delay!.get("fixedDelay").expected("at least 1ms (Istio refuses shorter delays)");
  return {
    origin: node,
    ...(delay !== undefined && { delay: { fixedDelay: fixedDelay!, percentage: readPercentage(delay.optional("percentage")) } }),
    ...(abort !== undefined && {
      abort: {
        httpStatus: abort.get("httpStatus", "an HTTP status from 200 to 599").integer(200, 599),
        percentage: readPercentage(abort.optional("percentage")),
      },
    }),
  };
}

/** Istio's Percent, `{value}` from 0 to 100; absent: every call. */
function readPercentage(node: Node | undefined): number {
  const value = node?.object(["value"]).get("value", "a percentage from 0 to 100");
  if (value !== undefined && (typeof value.value !== "number" || !(value.value >= 0 && value.value <= 100))) value.expected("a percentage from 0 to 100");
  return (value?.value as number | undefined) ?? 100;
}

function readDestinations(node: Node, service: ServiceAddress): WeightedDestination[] {
  const items = node.list("a list of {destination, weight}");
  if (items.length === 0) node.expected("at least one destination");
  const destinations = items.map((item) => {
    const entry = item.object(["destination", "weight"]);
    const weight = entry.optional("weight")?.integer(0, 1_000_000);
    if (weight === undefined && items.length > 1) entry.get("weight", "a weight for each of several destinations");
    return { ...readDestination(entry.get("destination", "a map with host, subset, port"), service), weight: weight ?? 100, origin: item };
  });
  if (destinations.every((d) => d.weight === 0)) node.expected("weights adding up to more than 0");
  return destinations;
}

function readDestination(node: Node, service: ServiceAddress): Destination {
  const destination = node.object(["host", "subset", "port"]);
  const hostNode = destination.optional("host");
  const host = hostNode?.matching(HOST_NAME, HOST_NAME_TEXT) ?? service.host;
  const port = destination.optional("port")?.object(["number"]).get("number", "a port number").integer(1, 65535);
  const subset = destination.optional("subset")?.matching(SUBSET_NAME, SUBSET_NAME_TEXT);
  return { host, hostOrigin: hostNode ?? service.hostOrigin, port: port ?? service.port, ...(subset !== undefined && { subset }) };
}

/** `{attributes: {name: StringMatch}}`; absent: matches every request. */
export function readMatch(node: Node | undefined): AttributeMatch[] {
  if (node === undefined) return [];
  const attributes = node.object(["attributes"]).optional("attributes");
  return attributes === undefined ? [] : attributes.entries("a map of attribute name to {exact|prefix|...}").map(readStringMatch);
}

/**
 * One of exact, prefix, suffix, contains, regex (RE2, full match), present: true. As in Aeraki, an empty match or
 * regex "*" checks that the attribute is present.
 */
function readStringMatch(node: Node): AttributeMatch {
  const name = node.key();
  if (node.value === null || (typeof node.value === "object" && Object.keys(node.value as object).length === 0)) {
    return { name, kind: "present", value: "", origin: node };
  }
  const match = node.object(STRING_MATCH_KINDS);
  const kind: MatchKind = match.exactlyOne(STRING_MATCH_KINDS) as MatchKind;
  const field = match.get(kind);
  if (kind === "present") {
    if (field.value !== true) field.expected("true (to match absence, leave the attribute out of the match)");
    return { name, kind, value: "", origin: node };
  }
  if (typeof field.value !== "string") field.expected("a string");
  const value = field.value as string;
  if (kind === "regex" && value === "*") return { name, kind: "present", value: "", origin: node };
  return { name, kind, value, origin: node };
}

/** `[{key, value}]`: Dubbo attachments, THeader headers. */
export function readMutation(node: Node | undefined): KeyValue[] {
  if (node === undefined) return [];
  return node.list("a list of {key, value}").map((item) => {
    const entry = item.object(["key", "value"]);
    const value = entry.get("value", "a string");
    if (typeof value.value !== "string") value.expected("a string");
    return { key: entry.get("key", "a string").string(), value: value.value as string, origin: item };
  });
}

export function readLocalRateLimit(node: Node): LocalRateLimitSpec {
  const limit = node.object(["tokenBucket", "conditions"]);
  const bucket = limit.optional("tokenBucket");
  const conditions = (limit.optional("conditions")?.list("a list of {match, tokenBucket}") ?? []).map((item) => {
    const condition = item.object(["match", "tokenBucket"]);
    return {
      origin: item,
      match: readMatch(condition.get("match", "a map with attributes")),
      tokenBucket: readTokenBucket(condition.get("tokenBucket", "a token bucket")),
    };
  });
  if (bucket === undefined && conditions.length === 0) node.expected("a tokenBucket, conditions, or both");
  return { origin: node, ...(bucket !== undefined && { tokenBucket: readTokenBucket(bucket) }), conditions };
}

function readTokenBucket(node: Node): TokenBucketSpec {
  const bucket = node.object(["maxTokens", "tokensPerFill", "fillInterval"]);
  const fillInterval = readDuration(bucket.get("fillInterval", DURATION_TEXT));
  if (parseFloat(fillInterval) < 0.05) bucket.get("fillInterval").expected("at least 0.05s (Envoy refuses shorter fill intervals)");
  const tokensPerFill = bucket.optional("tokensPerFill")?.integer(1, 4294967295);
  return {
    origin: node,
    maxTokens: bucket.get("maxTokens", "an integer from 1").integer(1, 4294967295),
    ...(tokensPerFill !== undefined && { tokensPerFill }),
    fillInterval,
  };
}

export function readGlobalRateLimit(node: Node): GlobalRateLimitSpec {
  const limit = node.object(["match", "domain", "requestTimeout", "denyOnFail", "rateLimitService", "descriptors"]);
  const descriptors = limit.get("descriptors", "a list of {property, descriptorKey}").list().map((item) => {
    const descriptor = item.object(["property", "descriptorKey"]);
    return { property: descriptor.get("property").string(), descriptorKey: descriptor.get("descriptorKey").string(), origin: item };
  });
  if (descriptors.length === 0) limit.get("descriptors").expected("at least one descriptor");
  return {
    origin: node,
    domain: limit.get("domain", "the rate limit service's domain").string(),
    match: readMatch(limit.optional("match")),
    descriptors,
    service: readRateLimitService(limit.get("rateLimitService", "{host, port} or outbound|PORT||HOST")),
    timeout: optionalDuration(limit.optional("requestTimeout")) ?? "0.02s",
    failureModeDeny: limit.optional("denyOnFail")?.boolean() ?? false,
  };
}

/** `{host, port}`, or Aeraki's cluster name `outbound|PORT||HOST`. */
function readRateLimitService(node: Node): Destination {
  if (typeof node.value === "string") {
    const cluster = ISTIO_CLUSTER.exec(node.value);
    if (cluster === null || cluster[2] !== "" || !HOST_NAME.test(cluster[3]) || Number(cluster[1]) > 65535) {
      node.expected("{host, port} or an Istio cluster name outbound|PORT||HOST");
    }
    return { host: cluster[3], port: Number(cluster[1]), hostOrigin: node };
  }
  const service = node.object(["host", "port"]);
  return {
    host: service.get("host", HOST_NAME_TEXT).matching(HOST_NAME, HOST_NAME_TEXT),
    hostOrigin: service.get("host"),
    port: service.get("port", "a port number").integer(1, 65535),
  };
}

function optionalDuration(node: Node | undefined): string | undefined {
  return node === undefined ? undefined : readDuration(node);
}

/** A duration as the filters read it: "<seconds>s". */
export function readDuration(node: Node): string {
  const text = node.matching(DURATION, DURATION_TEXT);
  if (/^\d+(\.\d+)?s$/.test(text)) return text;
  let seconds = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|ns)/g)) seconds += Number(amount) * SECONDS_PER_UNIT[unit];
  return `${Number(seconds.toFixed(9))}s`;
}

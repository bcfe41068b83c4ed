// A bridge-mode service's traffic rules as Istio's own resources: every call is an HTTP/2 request on
// `/<service>/<method>` (call_path.ts), so the routes become a VirtualService on the service's host, its subsets a
// DestinationRule, and the methods the server accepts an AuthorizationPolicy on their paths (enforced by the server
// sidecar's inbound HTTP connection manager, which bridge mode keeps).
import type { AttributeMatch, Destination, FaultSpec, KeyValue, RouteSpec, ServiceSpec } from "../model.ts";
import { type Json, metadata } from "../istio_parts.ts";
import { callMatch, escapeRegex, headerToAdd, methodPath } from "./call_path.ts";

/** v1beta1: served by every Istio from 1.20 on (v1 only from 1.22). */
const NETWORKING_API = "networking.istio.io/v1beta1";
const SECURITY_API = "security.istio.io/v1beta1";

export function istioTrafficRules(service: ServiceSpec): Json[] {
  const istio = service.istio!;
  return [
    ...(service.routes.length > 0 ? [virtualService(service)] : []),
    ...(istio.subsets.length > 0 || istio.trafficPolicy !== undefined ? [destinationRule(service)] : []),
    ...(istio.allowMethods !== undefined ? [authorizationPolicy(service)] : []),
  ];
}

function virtualService(service: ServiceSpec): Json {
  return {
    apiVersion: NETWORKING_API,
    kind: "VirtualService",
    metadata: metadata(service, service.name),
    spec: { hosts: [service.host], http: service.routes.map((route) => httpRoute(service, route)) },
  };
}

function httpRoute(service: ServiceSpec, route: RouteSpec): Json {
  const { path, headers } = callMatch(service.protocol, route.match);
  const single = route.destinations.length === 1;
  const requestSet = headerSet([...route.requestMutation, ...service.filter.requestMutation]);
  const responseSet = headerSet(route.responseMutation);
  return {
    ...(route.name !== "" && { name: route.name }),
    match: [{ uri: { [path.kind]: path.value }, ...(headers.length > 0 && { headers: Object.fromEntries(headers.map((h) => [h.name, stringMatch(h)])) }) }],
    route: route.destinations.map((d) => ({ destination: destination(d), ...(!single && { weight: d.weight }) })),
    ...((requestSet !== undefined || responseSet !== undefined) && {
      headers: { ...(requestSet !== undefined && { request: { set: requestSet } }), ...(responseSet !== undefined && { response: { set: responseSet } }) },
    }),
    ...(route.timeout !== undefined && { timeout: route.timeout }),
    ...(route.retries !== undefined && {
      retries: { attempts: route.retries.attempts, ...(route.retries.perTryTimeout !== undefined && { perTryTimeout: route.retries.perTryTimeout }), retryOn: route.retries.retryOn },
    }),
    ...(route.mirror !== undefined && { mirror: destination(route.mirror.destination), mirrorPercentage: { value: route.mirror.percentage } }),
    ...(route.fault !== undefined && { fault: fault(route.fault) }),
  };
}

/** The abort's status reaches the client side without the bridge's marker: it answers with the protocol's error reply. */
function fault({ delay, abort }: FaultSpec): Json {
  return {
    ...(delay !== undefined && { delay: { fixedDelay: delay.fixedDelay, percentage: { value: delay.percentage } } }),
    ...(abort !== undefined && { abort: { httpStatus: abort.httpStatus, percentage: { value: abort.percentage } } }),
  };
}

function destination({ host, subset, port }: Destination): Json {
  return { host, ...(subset !== undefined && { subset }), port: { number: port } };
}

/**
 * Istio's StringMatch has exact, prefix and regex (RE2, full match); suffix and contains become regexes, and an empty
 * match is Envoy's present_match (route.go translateHeaderMatch, canBeConvertedToPresentMatch).
 */
function stringMatch(match: AttributeMatch): Json {
  const literal = escapeRegex(match.value);
  switch (match.kind) {
    case "exact":
    case "prefix":
    case "regex":
      return { [match.kind]: match.value };
    case "suffix":
      return { regex: `.*${literal}` };
    case "contains":
      return { regex: `.*${literal}.*` };
    case "present":
      return {};
  }
}

/**
 * The headers a route sets, the service's (filter.requestMutation) after the route's so that they win, as Envoy
 * applies a virtual host's additions after a route's in the plain Envoy output.
 */
function headerSet(mutations: readonly KeyValue[]): Record<string, string> | undefined {
  if (mutations.length === 0) return undefined;
  return Object.fromEntries(mutations.map((m) => {
    const { header } = headerToAdd(m) as { header: { key: string; value: string } };
    return [header.key, header.value];
  }));
}

function destinationRule(service: ServiceSpec): Json {
  const { subsets, trafficPolicy } = service.istio!;
  return {
    apiVersion: NETWORKING_API,
    kind: "DestinationRule",
    metadata: metadata(service, service.name),
    spec: {
      host: service.host,
      ...(trafficPolicy !== undefined && { trafficPolicy }),
      ...(subsets.length > 0 && {
        subsets: subsets.map(({ name, labels, trafficPolicy }) => ({ name, labels, ...(trafficPolicy !== undefined && { trafficPolicy }) })),
      }),
    },
  };
}

/**
 * ALLOW the listed methods' paths on the server workloads. An ALLOW policy denies every other request to those
 * workloads (any port) that no other ALLOW policy matches.
 */
function authorizationPolicy(service: ServiceSpec): Json {
  const paths = service.istio!.allowMethods!.map(({ service: name, method }) => (method === "*" ? `${methodPath(name, "")}*` : methodPath(name, method)));
  return {
    apiVersion: SECURITY_API,
    kind: "AuthorizationPolicy",
    metadata: metadata(service, `${service.name}-allow-methods`),
    spec: {
      ...(service.serverSelector !== undefined && { selector: { matchLabels: service.serverSelector } }),
      action: "ALLOW",
      rules: [{ to: [{ operation: { paths } }] }],
    },
  };
}

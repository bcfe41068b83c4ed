// Reading the `istio` map of a bridge-mode service: what Istio output needs besides the routes (the DestinationRule's
// subsets and traffic policy, the methods an AuthorizationPolicy allows). tcp mode refuses the map.
import type { IstioSpec, MethodSpec, Mode, RouteSpec, SubsetSpec } from "../model.ts";
import type { Node, ObjectNode } from "./reader.ts";
import { type ServiceAddress, SUBSET_NAME, SUBSET_NAME_TEXT } from "./rules.ts";

const ISTIO_FIELDS = ["subsets", "trafficPolicy", "authorization"];
/** A path segment the bridge writes: anything but '/', which would move the method into another segment. */
const SEGMENT = /^[^/\s]+$/;
const SEGMENT_TEXT = "a name without '/' or spaces";

export function readIstio(spec: ObjectNode, mode: Mode, routes: readonly RouteSpec[], service: ServiceAddress): IstioSpec | undefined {
  const node = spec.optional("istio");
  if (node === undefined) return mode === "bridge" ? { origin: spec.node, subsets: [] } : undefined;
  if (mode === "tcp") node.fail("is for bridge mode (mode: bridge): in tcp mode write the DestinationRule and policies yourself");
  const istio = node.object(ISTIO_FIELDS);
  const subsets = (istio.optional("subsets")?.list("a list of {name, labels}") ?? []).map(readSubset);
  subsets.forEach((subset, i) => {
    if (subsets.findIndex((other) => other.name === subset.name) !== i) istio.get("subsets").child(i, undefined).child("name", subset.name).fail("expected a subset name not used already");
  });
  refuseUndefinedSubsets(routes, subsets, service, "istio.subsets");
  const trafficPolicy = readTrafficPolicy(istio.optional("trafficPolicy"));
  const allowMethodsNode = istio.optional("authorization")?.object(["allowMethods"]).get("allowMethods", "a list of {service, method}");
  const allowMethods = allowMethodsNode?.list("a list of {service, method}").map(readMethod);
  if (allowMethods?.length === 0) allowMethodsNode!.expected("at least one method");
  return {
    origin: node,
    subsets,
    ...(trafficPolicy !== undefined && { trafficPolicy }),
    ...(allowMethods !== undefined && { allowMethods }),
  };
}

function readSubset(node: Node): SubsetSpec {
  const subset = node.object(["name", "labels", "trafficPolicy"]);
  const trafficPolicy = readTrafficPolicy(subset.optional("trafficPolicy"));
  return {
    name: subset.get("name", SUBSET_NAME_TEXT).matching(SUBSET_NAME, SUBSET_NAME_TEXT),
    labels: subset.get("labels", "a map of pod labels").stringMap("a map of pod labels"),
    ...(trafficPolicy !== undefined && { trafficPolicy }),
  };
}

/** Written as given: Istio's DestinationRule schema (kubectl apply) checks its fields. */
function readTrafficPolicy(node: Node | undefined): Record<string, unknown> | undefined {
  node?.entries("a DestinationRule trafficPolicy map");
  return node?.value as Record<string, unknown> | undefined;
}

function readMethod(node: Node): MethodSpec {
  const method = node.object(["service", "method"]);
  return {
    service: method.optional("service")?.matching(SEGMENT, SEGMENT_TEXT) ?? "",
    method: method.get("method", `${SEGMENT_TEXT}, or * for every method`).matching(SEGMENT, `${SEGMENT_TEXT}, or * for every method`),
    origin: node,
  };
}

/** A route to a subset of the service that the DestinationRule does not define would go to a cluster Istio never makes. */
export function refuseUndefinedSubsets(routes: readonly RouteSpec[], subsets: readonly SubsetSpec[], service: ServiceAddress, definedIn: string): void {
  for (const route of routes) {
    for (const destination of [...route.destinations, ...(route.mirror === undefined ? [] : [route.mirror.destination])]) {
      if (destination.subset === undefined || destination.host !== service.host) continue;
      if (subsets.some((subset) => subset.name === destination.subset)) continue;
      const at = "origin" in destination && destination.origin !== undefined ? (destination.origin as Node) : (route.origin ?? service.hostOrigin);
      at.fail(`expected a subset defined in ${definedIn} (${subsets.map((s) => s.name).join(", ") || "none defined"}), got ${destination.subset}: Istio makes a subset's cluster only from its DestinationRule`);
    }
  }
}

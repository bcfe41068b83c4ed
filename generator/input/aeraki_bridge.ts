// Bridge mode for Aeraki input: a MetaRouter annotated meta-protocol-wasm/mode: bridge is generated as a bridge-mode
// service (each call an HTTP/2 stream Istio's own VirtualService routes). Aeraki's MetaRouter has no subsets: as
// Aeraki does, the subsets its routes name come from the Istio DestinationRules of the input, which stay the user's
// (the generator checks the routes against them and writes no DestinationRule of its own).
import { bridgedProtocols } from "../bridge/call_path.ts";
import type { BridgeSpec, IstioSpec, Mode, RouteSpec, SubsetSpec } from "../model.ts";
import { refuseUndefinedSubsets } from "./istio_bridge.ts";
import type { Node } from "./reader.ts";
import type { ServiceAddress } from "./rules.ts";

export const MODE_ANNOTATION = "meta-protocol-wasm/mode";
export const SERVER_PORT_ANNOTATION = "meta-protocol-wasm/bridge-server-port";
const DEFAULT_SERVER_ADDRESS = "127.0.0.1";

/** A DestinationRule's host (as an FQDN) and subsets: all a bridge-mode MetaRouter needs of it. */
export interface DestinationRuleSubsets {
  readonly host: string;
  readonly subsets: readonly SubsetSpec[];
}

/** The MetaRouter's mode annotation: tcp (the default, as Aeraki's own proxy routes per call in the network filter) or bridge. */
export function readRouterMode(metadata: Node): Mode {
  return annotation(metadata, MODE_ANNOTATION)?.oneOf<Mode>(["tcp", "bridge"]) ?? "tcp";
}

/**
 * The bridge settings of one port of a bridge-mode MetaRouter: authority the service's FQDN, server-side listener on
 * 127.0.0.1 at the bridge-server-port annotation, by default the service port + 1.
 */
export function aerakiBridge(metadata: Node, protocol: string, address: ServiceAddress): BridgeSpec {
  const modeNode = annotation(metadata, MODE_ANNOTATION)!;
  if (!bridgedProtocols().includes(protocol)) modeNode.fail(`expected tcp for protocol ${protocol}: bridge mode is generated for ${bridgedProtocols().join(", ")}`);
  const portNode = annotation(metadata, SERVER_PORT_ANNOTATION);
  if (portNode === undefined && address.port === 65535) {
    metadata.child("annotations", undefined).child(SERVER_PORT_ANNOTATION, undefined).fail("required annotation missing; expected the server-side listener's port (the service port + 1 is past 65535)");
  }
  const serverPort = portNode === undefined ? address.port + 1 : Number(portNode.matching(/^\d{1,5}$/, "a port number as a string, like \"20881\""));
  if (serverPort < 1 || serverPort > 65535) portNode!.expected("a port number from 1 to 65535");
  // The reader has refused a port whose Service does not make it HTTP/2.
  return { origin: portNode ?? modeNode, authority: address.host, serverAddress: DEFAULT_SERVER_ADDRESS, serverPort, http2PortChecked: true };
}

/** No DestinationRule nor AuthorizationPolicy of our own; the routes' subsets must be the input DestinationRule's. */
export function aerakiIstio(metadata: Node, routes: readonly RouteSpec[], address: ServiceAddress, rules: ReadonlyMap<string, DestinationRuleSubsets>): IstioSpec {
  const subsets = rules.get(address.host)?.subsets ?? [];
  refuseUndefinedSubsets(routes, subsets, address, `the input's DestinationRule for ${address.host}`);
  return { origin: metadata, subsets: [] };
}

/** Only spec.host and the subsets' names and labels; the rest of the DestinationRule is Istio's to check. */
export function readDestinationRule(node: Node, namespace: string): DestinationRuleSubsets {
  const spec = node.child("spec", (node.value as { spec?: unknown }).spec).object(["host", "subsets", "trafficPolicy", "exportTo", "workloadSelector"]);
  const host = spec.get("host", "a host name").string();
  const subsets = (spec.optional("subsets")?.list("a list of subsets") ?? []).map((item) => {
    const subset = item.object(["name", "labels", "trafficPolicy"]);
    return { name: subset.get("name", "a subset name").string(), labels: subset.optional("labels")?.stringMap("a map of pod labels") ?? {} };
  });
  // Istio reads a short host in the DestinationRule's namespace.
  return { host: host.includes(".") ? host : `${host}.${namespace}.svc.cluster.local`, subsets };
}

function annotation(metadata: Node, key: string): Node | undefined {
  return metadata.entry("annotations")?.entry(key);
}

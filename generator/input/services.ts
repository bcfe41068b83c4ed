// Our input format: one `kind: MetaProtocolService` document per protocol service (docs/generator.md lists every
// field).
import {
  type Direction,
  type EnvoyClusterSpec,
  type EnvoySpec,
  type FilterOptions,
  type Labels,
  type ModuleSpec,
  type RouteSpec,
  type ServiceSpec,
} from "../model.ts";
import { builtInProtocols, closestBuiltIn, isBuiltIn, shippedModuleFromHere } from "../modules.ts";
import { readBridge, readMode, refuseTcpOnlyFields } from "./bridge.ts";
import { readIstio } from "./istio_bridge.ts";
import type { Node, ObjectNode } from "./reader.ts";
import {
  HOST_NAME,
  HOST_NAME_TEXT,
  readDuration,
  readGlobalRateLimit,
  readLocalRateLimit,
  readMutation,
  readRoutes,
  type ServiceAddress,
  SUBSET_NAME,
  SUBSET_NAME_TEXT,
} from "./rules.ts";

export const SERVICE_API_VERSION = "meta-protocol-wasm/v1alpha1";
export const SERVICE_KIND = "MetaProtocolService";

const SERVICE_FIELDS = [
  "apiVersion", "kind", "name", "namespace", "description", "protocol", "module", "host", "port", "targetPort", "direction",
  "selector", "clientSelector", "serverSelector", "failStrategy", "filter", "routes", "localRateLimit", "globalRateLimit", "envoy",
  "mode", "bridge", "istio",
];
const FILTER_FIELDS = [
  "statPrefix", "maxFrameSize", "maxPendingRequests", "accessLog", "accessLogFormat", "requestMutation", "codec",
  "connectionRouting", "routeMismatch", "generateRequestId", "frameTimeout",
];
/** A Kubernetes object name that is also a DNS label (used in resource names and as the default stat prefix). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_LABEL_TEXT = "a DNS label (lower case letters, digits and '-', at most 63)";
const PROTOCOL_NAME = /^[a-z][a-z0-9_]{0,30}$/;
const SHA256 = /^[a-f0-9]{64}$/;
const MODULE_URL = /^(oci|https?|file):\/\/\S+$/;
const IP_OR_HOST = /^[A-Za-z0-9.:-]+$/;
const PORT = [1, 65535] as const;

export function readService(root: Node): ServiceSpec {
  const spec = root.object(SERVICE_FIELDS);
  spec.optional("apiVersion")?.oneOf([SERVICE_API_VERSION]);
  spec.get("kind").oneOf([SERVICE_KIND]);
  const name = spec.get("name", DNS_LABEL_TEXT).matching(DNS_LABEL, DNS_LABEL_TEXT);
  const protocolText = `${builtInProtocols().join(", ")} or a custom protocol name (lower case letters, digits, _)`;
  const protocol = spec.get("protocol", protocolText).matching(PROTOCOL_NAME, protocolText);
  const address: ServiceAddress = {
    host: spec.get("host", HOST_NAME_TEXT).matching(HOST_NAME, HOST_NAME_TEXT),
    port: spec.get("port", "a port number").integer(...PORT),
    hostOrigin: spec.get("host"),
  };
  const module = readModule(spec.optional("module"));
  if (module.url === undefined && !isBuiltIn(protocol) && !spec.optional("envoy")?.object(ENVOY_FIELDS).has("module")) {
    refuseUnknownProtocol(spec, protocol);
  }
  const namespace = spec.optional("namespace")?.matching(DNS_LABEL, DNS_LABEL_TEXT);
  const description = spec.optional("description")?.string();
  const direction = spec.optional("direction")?.oneOf<Direction>(["outbound", "inbound", "both"]) ?? "both";
  const { clientSelector, serverSelector } = readSelectors(spec, direction);
  const mode = readMode(spec);
  const routes = spec.has("routes") ? readRoutes(spec.get("routes"), address, mode) : [];
  if (direction === "inbound") refuseOtherDestinations(spec.optional("routes"), routes, address);
  const filter = readFilterOptions(spec.optional("filter"));
  if (mode === "bridge") refuseTcpOnlyFields(spec, filter);
  const localRateLimit = spec.optional("localRateLimit");
  const globalRateLimit = spec.optional("globalRateLimit");
  const envoy = readEnvoy(spec.optional("envoy"), name, defaultModuleFile(protocol, module), address);
  const bridge = readBridge(spec, mode, protocol, address.host, envoy.listener.port);
  const istio = readIstio(spec, mode, routes, address);
  return {
    origin: root,
    name,
    ...(namespace !== undefined && { namespace }),
    ...(description !== undefined && { description }),
    protocol,
    module,
    ...address,
    targetPort: spec.optional("targetPort")?.integer(...PORT) ?? address.port,
    direction,
    mode,
    ...(bridge !== undefined && { bridge }),
    ...(istio !== undefined && { istio }),
    ...(clientSelector !== undefined && { clientSelector }),
    ...(serverSelector !== undefined && { serverSelector }),
    failStrategy: spec.optional("failStrategy")?.oneOf(["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as const) ?? "FAIL_CLOSE",
    filter,
    routes,
    ...(localRateLimit !== undefined && { localRateLimit: readLocalRateLimit(localRateLimit) }),
    ...(globalRateLimit !== undefined && { globalRateLimit: readGlobalRateLimit(globalRateLimit) }),
    envoy,
  };
}

/** On the inbound side there is one upstream, the local pod: routes can reject and mutate, not choose. */
function refuseOtherDestinations(node: Node | undefined, routes: readonly RouteSpec[], service: ServiceAddress): void {
  routes.forEach((route, r) =>
    route.destinations.forEach((destination, d) => {
      if (destination.subset !== undefined || destination.host !== service.host || destination.port !== service.port) {
        node!
          .child(r, undefined)
          .child("route", undefined)
          .child(d, undefined)
          .child("destination", undefined)
          .fail("expected the service itself (no subset, host or port): inbound, the only upstream is the local pod; route to subsets with direction outbound or both");
      }
    }),
  );
}

/** A protocol that is not built in needs its module; a name close to a built-in one is most likely a typo. */
function refuseUnknownProtocol(spec: ObjectNode, protocol: string): never {
  const closest = closestBuiltIn(protocol);
  if (closest !== undefined) {
    spec.get("protocol").fail(`unknown protocol ${protocol}: did you mean ${closest}? (built in: ${builtInProtocols().join(", ")}; a custom protocol needs its module)`);
  }
  return spec.node.child("module", undefined).fail(
    `required field missing; expected a module url for the custom protocol ${protocol} (built in: ${builtInProtocols().join(", ")})`,
  );
}

/**
 * clientSelector and serverSelector; `selector` stands for the one side a one-sided service has. One selector for
 * both sides would put the client side (its routes) on the servers' own outbound calls and the server side on the
 * clients, so it is refused there.
 */
function readSelectors(spec: ObjectNode, direction: Direction): { clientSelector?: Labels; serverSelector?: Labels } {
  const labels = (key: string) => spec.optional(key)?.stringMap("a map of workload labels");
  const selector = labels("selector");
  const clientSelector = labels("clientSelector");
  const serverSelector = labels("serverSelector");
  if (selector !== undefined) {
    if (clientSelector !== undefined || serverSelector !== undefined) {
      spec.get("selector").fail("expected either selector or clientSelector/serverSelector, not both");
    }
    if (direction === "both") {
      spec.get("selector").fail(
        "one selector for both sides would run the client side (its routes) on the servers' own calls too; with direction both, " +
          "set clientSelector (the clients' workload labels) and serverSelector (the servers'), or direction outbound or inbound",
      );
    }
    return direction === "outbound" ? { clientSelector: selector } : { serverSelector: selector };
  }
  if (clientSelector !== undefined && direction === "inbound") spec.get("clientSelector").fail("expected no clientSelector with direction inbound (there is no client side)");
  if (serverSelector !== undefined && direction === "outbound") spec.get("serverSelector").fail("expected no serverSelector with direction outbound (there is no server side)");
  return { ...(clientSelector !== undefined && { clientSelector }), ...(serverSelector !== undefined && { serverSelector }) };
}

function readModule(node: Node | undefined): ModuleSpec {
  if (node === undefined) return {};
  const module = node.object(["url", "sha256", "imagePullPolicy", "imagePullSecret"]);
  const url = module.get("url", "an oci://, http(s):// or file:// URL").matching(MODULE_URL, "an oci://, http(s):// or file:// URL");
  const sha256 = module.optional("sha256")?.matching(SHA256, "64 lower-case hex digits");
  if (/^https?:/.test(url) && sha256 === undefined) {
    module.get("sha256", "the module's sha256 (required with an http(s) URL, so that a changed file is refused)");
  }
  const imagePullPolicy = module.optional("imagePullPolicy")?.oneOf(["IfNotPresent", "Always"] as const);
  const imagePullSecret = module.optional("imagePullSecret")?.string();
  return {
    url,
    ...(sha256 !== undefined && { sha256 }),
    ...(imagePullPolicy !== undefined && { imagePullPolicy }),
    ...(imagePullSecret !== undefined && { imagePullSecret }),
  };
}

function readFilterOptions(node: Node | undefined): FilterOptions {
  if (node === undefined) return { requestMutation: [] };
  const filter = node.object(FILTER_FIELDS);
  const statPrefix = filter.optional("statPrefix")?.matching(/^[^.\s]+$/, "a stat prefix without dots");
  const maxFrameSize = filter.optional("maxFrameSize")?.integer(64, 64 * 1024 * 1024);
  const maxPendingRequests = filter.optional("maxPendingRequests")?.integer(1, 1_000_000);
  const accessLog = filter.optional("accessLog")?.boolean();
  const codec = filter.optional("codec");
  codec?.entries("a map of the codec's options"); // its fields are the codec's to check
  const connectionRouting = filter.optional("connectionRouting")?.boolean();
  const routeMismatch = filter.optional("routeMismatch")?.oneOf(["forward", "reject"] as const);
  const accessLogFormat = filter.optional("accessLogFormat")?.string();
  if (accessLogFormat !== undefined && accessLog === false) filter.get("accessLogFormat").expected("no format when accessLog is false");
  const generateRequestId = filter.optional("generateRequestId")?.boolean();
  const frameTimeoutNode = filter.optional("frameTimeout");
  const frameTimeout = frameTimeoutNode === undefined ? undefined : readDuration(frameTimeoutNode);
  if (frameTimeout !== undefined && frameTimeout !== "0s" && parseFloat(frameTimeout) < 0.2) {
    filter.get("frameTimeout").expected("0s (off) or at least 0.2s");
  }
  return {
    origin: node,
    ...(statPrefix !== undefined && { statPrefix }),
    ...(maxFrameSize !== undefined && { maxFrameSize }),
    ...(maxPendingRequests !== undefined && { maxPendingRequests }),
    ...(accessLog !== undefined && { accessLog }),
    requestMutation: readMutation(filter.optional("requestMutation")),
    ...(codec !== undefined && { codec: codec.value as Record<string, unknown> }),
    ...(connectionRouting !== undefined && { connectionRouting }),
    ...(routeMismatch !== undefined && { routeMismatch }),
    ...(accessLogFormat !== undefined && { accessLogFormat }),
    ...(generateRequestId !== undefined && { generateRequestId }),
    ...(frameTimeout !== undefined && { frameTimeout }),
  };
}

const ENVOY_FIELDS = ["listener", "admin", "module", "clusters"];

/** Envoy loads a local file: the module's file:// path, else the shipped module (a custom one: build/<protocol>.wasm). */
export function defaultModuleFile(protocol: string, module: ModuleSpec): string {
  if (module.url?.startsWith("file://")) return decodeURIComponent(new URL(module.url).pathname);
  return isBuiltIn(protocol) ? shippedModuleFromHere(protocol) : `build/${protocol}.wasm`;
}

function readEnvoy(node: Node | undefined, name: string, moduleFile: string, service: ServiceAddress): EnvoySpec {
  const envoy = node?.object(ENVOY_FIELDS);
  const listener = envoy?.optional("listener")?.object(["name", "address", "port"]);
  const admin = envoy?.optional("admin");
  return {
    listener: {
      name: listener?.optional("name")?.string() ?? name,
      address: listener?.optional("address")?.matching(IP_OR_HOST, "an IP address") ?? "0.0.0.0",
      port: listener?.optional("port")?.integer(0, 65535) ?? service.port,
    },
    ...(admin !== undefined && { admin: readSocketAddress(admin.object(["address", "port"])) }),
    module: envoy?.optional("module")?.string("a path to the .wasm file") ?? moduleFile,
    clusters: (envoy?.optional("clusters")?.list("a list of clusters") ?? []).map((item) => readEnvoyCluster(item, service)),
  };
}

function readSocketAddress(address: ObjectNode): { address: string; port: number } {
  return {
    address: address.get("address", "an IP address").matching(IP_OR_HOST, "an IP address"),
    port: address.get("port", "a port number").integer(0, 65535),
  };
}

function readEnvoyCluster(node: Node, service: ServiceAddress): EnvoyClusterSpec {
  const cluster = node.object(["name", "host", "port", "subset", "endpoints", "connectTimeout"]);
  const name = cluster.optional("name")?.string();
  const subset = cluster.optional("subset")?.matching(SUBSET_NAME, SUBSET_NAME_TEXT);
  const endpoints = cluster.optional("endpoints")?.list("a list of host:port").map(readEndpoint);
  if (endpoints?.length === 0) cluster.get("endpoints").expected("at least one host:port");
  const connectTimeoutNode = cluster.optional("connectTimeout");
  const connectTimeout = connectTimeoutNode === undefined ? undefined : readDuration(connectTimeoutNode);
  return {
    host: cluster.optional("host")?.matching(HOST_NAME, HOST_NAME_TEXT) ?? service.host,
    port: cluster.optional("port")?.integer(...PORT) ?? service.port,
    ...(subset !== undefined && { subset }),
    ...(name !== undefined && { name }),
    ...(endpoints !== undefined && { endpoints }),
    ...(connectTimeout !== undefined && { connectTimeout }),
  };
}

/** "10.0.0.1:8080", "[::1]:8080", "provider:20880". */
function readEndpoint(node: Node): { address: string; port: number } {
  const text = node.matching(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "host:port, like 127.0.0.1:20880 or provider:20880");
  const colon = text.lastIndexOf(":");
  const port = Number(text.slice(colon + 1));
  if (port < 1 || port > 65535) node.expected("a port from 1 to 65535");
  return { address: text.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

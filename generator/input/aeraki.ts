// Aeraki's resources as input, so that Aeraki users keep their rules: MetaRouter (routes, rate limits) and
// ApplicationProtocol (protocol name and codec), with the Kubernetes Services whose port names
// (tcp-metaprotocol-<protocol>-...) give the port and protocol, as Aeraki reads them.
// What our filters need and Aeraki's resources lack, the module's URL, comes from annotations on the
// ApplicationProtocol: meta-protocol-wasm/module-url and meta-protocol-wasm/module-sha256.
// The server side runs on the Service's pods (its spec.selector); the client side on every workload of the
// MetaRouter's namespace, as Aeraki configures every sidecar's outbound listener.
// A MetaRouter annotated meta-protocol-wasm/mode: bridge is a bridge-mode service (aeraki_bridge.ts).
import type { Labels, ModuleSpec, ServiceSpec } from "../model.ts";
import type { Node } from "./reader.ts";
import { readGlobalRateLimit, readLocalRateLimit, readRoutes, type ServiceAddress } from "./rules.ts";
import { aerakiBridge, aerakiIstio, type DestinationRuleSubsets, readDestinationRule, readRouterMode } from "./aeraki_bridge.ts";
import { refuseTcpOnlyFields } from "./bridge.ts";
import { closestName } from "../modules.ts";
import { defaultModuleFile, DNS_LABEL } from "./services.ts";

export const AERAKI_API_VERSION = "metaprotocol.aeraki.io/v1alpha1";
export const MODULE_URL_ANNOTATION = "meta-protocol-wasm/module-url";
export const MODULE_SHA256_ANNOTATION = "meta-protocol-wasm/module-sha256";
/** Aeraki's port naming: tcp-metaprotocol-<protocol>-<anything>. */
const METAPROTOCOL_PORT = /^tcp-metaprotocol-([a-z0-9]+)(-|$)/;
const CLUSTER_DOMAIN = "svc.cluster.local";

interface KubernetesService {
  readonly node: Node;
  /** The pods behind the Service; undefined for a Service without selector (its endpoints are managed by hand). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
}

interface ServicePort {
  readonly node: Node;
  readonly protocol: string;
  readonly port: number;
  readonly targetPort: number;
  readonly appProtocol?: string;
}

interface ApplicationProtocol {
  readonly node: Node;
  readonly module: ModuleSpec;
}

/** What a MetaRouter is read with: the input's Services, ApplicationProtocols and DestinationRules (bridge mode's subsets). */
interface RouterContext {
  readonly services: ReadonlyMap<string, KubernetesService>;
  readonly protocols: ReadonlyMap<string, ApplicationProtocol>;
  readonly destinationRules: ReadonlyMap<string, DestinationRuleSubsets>;
}

/** Reads the MetaRouters of `documents`, using the ApplicationProtocols, Services and DestinationRules among them. */
export function readAerakiResources(documents: readonly Node[]): ServiceSpec[] {
  const services = new Map<string, KubernetesService>();
  const protocols = new Map<string, ApplicationProtocol>();
  const destinationRules = new Map<string, DestinationRuleSubsets>();
  for (const document of documents) {
    const kind = (document.value as { kind?: unknown }).kind;
    if (kind === "Service") services.set(serviceHost(document), readKubernetesService(document));
    if (kind === "ApplicationProtocol") readApplicationProtocol(document, protocols);
    if (kind === "DestinationRule") {
      const rule = readDestinationRule(document, resourceNamespace(document));
      destinationRules.set(rule.host, rule);
    }
  }
  return documents
    .filter((document) => (document.value as { kind?: unknown }).kind === "MetaRouter")
    .flatMap((router) => readMetaRouter(router, { services, protocols, destinationRules }));
}

function readMetaRouter(node: Node, { services, protocols, destinationRules }: RouterContext): ServiceSpec[] {
  const router = node.object(["apiVersion", "kind", "metadata", "spec", "status"]);
  router.get("apiVersion").oneOf([AERAKI_API_VERSION]);
  const metadataNode = router.get("metadata", "a map with name");
  const metadata = readMetadata(metadataNode);
  const mode = readRouterMode(metadataNode);
  const spec = router.get("spec", "a map with hosts").object([
    "hosts", "gateways", "routes", "localRateLimit", "globalRateLimit", "exportTo",
  ]);
  const hosts = spec.get("hosts", "a list with one host").list();
  if (hosts.length !== 1) spec.get("hosts").expected("exactly one host (Aeraki applies only the first)");
  if ((spec.optional("gateways")?.list() ?? []).length > 0) spec.get("gateways").fail("not supported: sidecars only");
  if ((spec.optional("exportTo")?.list() ?? []).length > 0) {
    spec.get("exportTo").fail("not supported: a WasmPlugin applies to its namespace (the root namespace: the whole mesh)");
  }
  const host = hosts[0].string("the service's FQDN");
  const service = services.get(host);
  if (service === undefined) {
    return hosts[0].fail(`no Kubernetes Service for ${host} in the input; add it: its ports named tcp-metaprotocol-<protocol>-... give the port and protocol`);
  }
  if (service.ports.length === 0) service.node.fail("expected a port named tcp-metaprotocol-<protocol>-...");
  const filter = { requestMutation: [] };
  if (mode === "bridge") refuseTcpOnlyFields(spec, filter);
  return service.ports.map(({ node: portNode, protocol, port, targetPort, appProtocol }) => {
    if (mode === "bridge") refuseTcpPort(portNode, appProtocol);
    const address: ServiceAddress = { host, port, hostOrigin: hosts[0] };
    const local = spec.optional("localRateLimit");
    const global = spec.optional("globalRateLimit");
    const module = moduleFor(protocol, protocols, hosts[0]);
    const routes = spec.has("routes") ? readRoutes(spec.get("routes"), address, mode) : [];
    return {
      origin: node,
      name: service.ports.length === 1 ? metadata.name : `${metadata.name}-${port}`,
      ...(metadata.namespace !== undefined && { namespace: metadata.namespace }),
      description: `From Aeraki MetaRouter ${metadata.name}`,
      protocol,
      module,
      ...address,
      targetPort,
      // Aeraki routes on the client side and rate-limits on the server side: both.
      direction: "both",
      mode,
      ...(mode === "bridge" && {
        bridge: aerakiBridge(metadataNode, protocol, address),
        istio: aerakiIstio(metadataNode, routes, address, destinationRules),
      }),
      ...(service.selector !== undefined && { serverSelector: service.selector }),
      failStrategy: "FAIL_CLOSE",
      filter,
      routes,
      ...(local !== undefined && { localRateLimit: readLocalRateLimit(local) }),
      ...(global !== undefined && { globalRateLimit: readGlobalRateLimit(global) }),
      envoy: { listener: { name: metadata.name, address: "0.0.0.0", port }, module: defaultModuleFile(protocol, module), clusters: [] },
    };
  });
}

/**
 * Bridge mode needs Istio to treat the port as HTTP/2; a tcp-metaprotocol-* name makes it TCP unless appProtocol says
 * otherwise, which wins over the name (pkg/config/kube/conversion.go ConvertProtocol; protocol.Parse ignores case).
 */
function refuseTcpPort(port: Node, appProtocol: string | undefined): void {
  if (appProtocol !== undefined && ["http2", "grpc"].includes(appProtocol.toLowerCase())) return;
  port.child("appProtocol", appProtocol).fail(
    `expected appProtocol: http2 on a port of a bridge-mode MetaRouter (Istio reads a tcp-metaprotocol-* port as TCP); got ${appProtocol === undefined ? "none" : JSON.stringify(appProtocol)}`,
  );
}

function moduleFor(protocol: string, protocols: ReadonlyMap<string, ApplicationProtocol>, at: Node): ModuleSpec {
  const application = protocols.get(protocol);
  if (application === undefined || application.module.url === undefined) {
    const closest = application === undefined ? closestName(protocol, [...protocols.keys()]) : undefined;
    return at.fail(
      `no module for protocol ${protocol}` +
        (closest !== undefined ? ` (did you mean ${closest}, which an ApplicationProtocol of the input names?)` : "") +
        `: add an ApplicationProtocol with protocol ${protocol} and the annotation ` +
        `${MODULE_URL_ANNOTATION} (and ${MODULE_SHA256_ANNOTATION} for an http(s) URL)`,
    );
  }
  return application.module;
}

function readApplicationProtocol(node: Node, into: Map<string, ApplicationProtocol>): void {
  const resource = node.object(["apiVersion", "kind", "metadata", "spec", "status"]);
  resource.get("apiVersion").oneOf([AERAKI_API_VERSION]);
  const metadata = readMetadata(resource.get("metadata", "a map with name"));
  const spec = resource.get("spec", "a map with protocol and codec").object(["protocol", "codec"]);
  const protocol = spec.get("protocol", "a protocol name").matching(/^[a-z0-9]+$/, "a protocol name (lower case letters, digits)");
  spec.get("codec", "a codec name like aeraki.meta_protocol.codec.dubbo").string();
  const url = metadata.annotations[MODULE_URL_ANNOTATION];
  const sha256 = metadata.annotations[MODULE_SHA256_ANNOTATION];
  const annotations = resource.get("metadata").child("annotations", metadata.annotations);
  if (url !== undefined && !/^(oci|https?|file):\/\/\S+$/.test(url)) {
    annotations.child(MODULE_URL_ANNOTATION, url).expected("an oci://, http(s):// or file:// URL");
  }
  if (url !== undefined && /^https?:/.test(url) && sha256 === undefined) {
    annotations.child(MODULE_SHA256_ANNOTATION, sha256).expected("the module's sha256 (required with an http(s) URL)");
  }
  if (sha256 !== undefined && !/^[a-f0-9]{64}$/.test(sha256)) {
    annotations.child(MODULE_SHA256_ANNOTATION, sha256).expected("64 lower-case hex digits");
  }
  into.set(protocol, { node, module: { ...(url !== undefined && { url }), ...(sha256 !== undefined && { sha256 }) } });
}

/** name, namespace and annotations; other metadata (labels, uid, ...) is Kubernetes' and ignored. */
function readMetadata(node: Node): { name: string; namespace?: string; annotations: Record<string, string> } {
  const metadata = node.entries("a map with name");
  const field = (key: string) => metadata.find((entry) => entry.key() === key);
  const name = field("name") ?? node.child("name", undefined);
  const namespace = field("namespace")?.matching(DNS_LABEL, "a namespace name");
  return {
    name: name.matching(DNS_LABEL, "a DNS label (it names the generated resources)"),
    ...(namespace !== undefined && { namespace }),
    annotations: field("annotations")?.stringMap("a map of annotations") ?? {},
  };
}

/** The Service's FQDN: <name>.<namespace>.svc.cluster.local. */
function serviceHost(node: Node): string {
  const metadata = readMetadata(node.child("metadata", (node.value as { metadata?: unknown }).metadata));
  return `${metadata.name}.${resourceNamespace(node)}.${CLUSTER_DOMAIN}`;
}

function resourceNamespace(node: Node): string {
  return readMetadata(node.child("metadata", (node.value as { metadata?: unknown }).metadata)).namespace ?? "default";
}

/** Only the ports named tcp-metaprotocol-<protocol>-...; the rest of the Service is not ours to check. */
function readKubernetesService(node: Node): KubernetesService {
  const spec = node.child("spec", (node.value as { spec?: unknown }).spec);
  const portsValue = (spec.value as { ports?: unknown } | undefined)?.ports;
  const ports = portsValue === undefined ? [] : spec.child("ports", portsValue).list();
  const selectorValue = (spec.value as { selector?: unknown } | undefined)?.selector;
  const selector = selectorValue === undefined ? undefined : spec.child("selector", selectorValue).stringMap("a map of pod labels");
  return {
    node: spec,
    ...(selector !== undefined && Object.keys(selector).length > 0 && { selector }),
    ports: ports.flatMap((port) => {
      const { name, port: number, targetPort, appProtocol } = (port.value ?? {}) as { name?: unknown; port?: unknown; targetPort?: unknown; appProtocol?: unknown };
      const match = typeof name === "string" ? METAPROTOCOL_PORT.exec(name) : null;
      if (match === null) return [];
      const servicePort = port.child("port", number).integer(1, 65535);
      // A named targetPort cannot be resolved without the pods: the inbound side then assumes the service port.
      return [{
        node: port,
        protocol: match[1],
        port: servicePort,
        targetPort: typeof targetPort === "number" ? targetPort : servicePort,
        ...(typeof appProtocol === "string" && { appProtocol }),
      }];
    }),
  };
}

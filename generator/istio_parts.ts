// Pieces every Istio resource the generator writes is made of: metadata, the EnvoyFilter envelope, the module's URL
// for WasmPlugins and the inline code for EnvoyFilters.
import type { Labels, ServiceSpec } from "./model.ts";

export type Json = Record<string, unknown>;

const MANAGED_BY = { "app.kubernetes.io/managed-by": "meta-protocol-wasm" };
export const CONTEXT = { outbound: "SIDECAR_OUTBOUND", inbound: "SIDECAR_INBOUND" } as const;

/** Seconds Envoy waits for a module fetched over http(s) in the legacy EnvoyFilter. */
const REMOTE_FETCH_TIMEOUT = "30s";

/** A WasmPlugin of type NETWORK running `pluginConfig` on the listeners of `port` of one direction (Istio 1.20+). */
export function networkWasmPlugin(service: ServiceSpec, name: string, mode: "CLIENT" | "SERVER", port: number, selector: Labels | undefined, pluginConfig: Json): Json {
  const module = service.module;
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: metadata(service, name),
    spec: {
      ...(selector !== undefined && { selector: { matchLabels: selector } }),
      url: moduleUrl(service),
      ...(module.sha256 !== undefined && { sha256: module.sha256 }),
      ...(module.imagePullPolicy !== undefined && { imagePullPolicy: module.imagePullPolicy }),
      ...(module.imagePullSecret !== undefined && { imagePullSecret: module.imagePullSecret }),
      pluginName: service.protocol,
      type: "NETWORK",
      failStrategy: service.failStrategy,
      match: [{ mode, ports: [{ number: port }] }],
      pluginConfig,
    },
  };
}

export function moduleUrl(service: ServiceSpec): string {
  const url = service.module.url;
  if (url === undefined) {
    return service.origin.child("module", undefined).fail("required for Istio output: expected a map with url (oci://, http(s):// or file://)");
  }
  return url;
}

export function metadata(service: ServiceSpec, name: string): Json {
  return { name, ...(service.namespace !== undefined && { namespace: service.namespace }), labels: MANAGED_BY };
}

export function envoyFilter(service: ServiceSpec, name: string, selector: Labels | undefined, patches: Json[]): Json {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: metadata(service, name),
    spec: {
      ...(selector !== undefined && { workloadSelector: { labels: selector } }),
      configPatches: patches,
    },
  };
}

/**
 * vm_config.code for an inline filter: a file in the proxy container, or an http(s) download by Envoy through the
 * URL host's outbound cluster (which needs a ServiceEntry for it). OCI images need istio-agent: WasmPlugin only.
 */
export function legacyCode(service: ServiceSpec, why = "with --envoyfilter"): Json {
  const url = new URL(moduleUrl(service));
  if (url.protocol === "file:") return { local: { filename: decodeURIComponent(url.pathname) } };
  if (url.protocol === "oci:") {
    service.origin.child("module", undefined).child("url", url.href).fail(
      `expected a file:// or http(s):// URL ${why} (oci:// images are pulled by istio-agent for WasmPlugins only, Istio 1.20+)`,
    );
  }
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return {
    remote: {
      http_uri: { uri: url.href, cluster: `outbound|${port}||${url.hostname}`, timeout: REMOTE_FETCH_TIMEOUT },
      sha256: service.module.sha256,
    },
  };
}

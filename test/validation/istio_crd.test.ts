// The Istio resource validator: a NETWORK WasmPlugin and an EnvoyFilter inserting a network filter before tcp_proxy
// pass their CRD schemas; unknown fields, bad enums and wrong types are refused with the path at fault, while fields
// under x-kubernetes-preserve-unknown-fields (pluginConfig, patch.value) are free.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateEnvoyMessage } from "./envoy_proto.ts";
import { validateIstioResource } from "./istio_crd.ts";

function wasmPlugin(): any {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name: "dubbo-meta-protocol", namespace: "demo", labels: { app: "provider" } },
    spec: {
      selector: { matchLabels: { app: "provider" } },
      url: "oci://registry.example.com/filters/dubbo:0.1.0",
      sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      type: "NETWORK",
      phase: "STATS",
      failStrategy: "FAIL_CLOSE",
      imagePullPolicy: "IfNotPresent",
      match: [{ mode: "SERVER", ports: [{ number: 20880 }] }],
      vmConfig: { env: [{ name: "POD_NAME", valueFrom: "HOST" }] },
      pluginConfig: {
        stat_prefix: "demo",
        request_mutation: [{ key: "x-mesh", value: "wasm" }],
        routes: [{ name: "default", match: { metadata: [{ name: "method", exact_match: "sayHello" }] }, route: { cluster: "c" } }],
      },
    },
  };
}

function envoyFilter(): any {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: "dubbo-meta-protocol", namespace: "demo" },
    spec: {
      workloadSelector: { labels: { app: "provider" } },
      configPatches: [
        {
          applyTo: "NETWORK_FILTER",
          match: {
            context: "SIDECAR_INBOUND",
            listener: {
              name: "virtualInbound",
              filterChain: { destinationPort: 20880, filter: { name: "envoy.filters.network.tcp_proxy" } },
            },
          },
          patch: {
            operation: "INSERT_BEFORE",
            value: {
              name: "envoy.filters.network.wasm",
              typed_config: {
                "@type": "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm",
                config: { root_id: "dubbo", vm_config: { runtime: "envoy.wasm.runtime.v8", code: { local: { filename: "/etc/wasm/dubbo.wasm" } } } },
              },
            },
          },
        },
      ],
    },
  };
}

/** Asserts exactly one error, at `path`, matching `message`. */
function assertRefused(resource: unknown, path: string, message: RegExp): void {
  const errors = validateIstioResource(resource);
  assert.equal(errors.length, 1, `expected one error at ${path}, got ${JSON.stringify(errors, null, 1)}`);
  assert.ok(errors[0].startsWith(`${path}: `), `expected the error at ${path}, got ${errors[0]}`);
  assert.match(errors[0], message);
}

describe("validateIstioResource", { timeout: 30_000 }, () => {
  it("accepts a NETWORK WasmPlugin (url, sha256, pluginConfig, match mode and ports, selector, failStrategy)", () => {
    assert.deepEqual(validateIstioResource(wasmPlugin()), []);
  });

  it("accepts an EnvoyFilter inserting a NETWORK_FILTER before tcp_proxy on virtualInbound by destination port", () => {
    assert.deepEqual(validateIstioResource(envoyFilter()), []);
  });

  it("the EnvoyFilter's patch value (free for the CRD) is checked as an Envoy listener Filter by the proto validator", () => {
    const value = envoyFilter().spec.configPatches[0].patch.value;
    assert.deepEqual(validateEnvoyMessage("envoy.config.listener.v3.Filter", value), []);
    value.typed_config.config.vm_config.code.local.file = "/etc/wasm/dubbo.wasm";
    assert.deepEqual(validateEnvoyMessage("envoy.config.listener.v3.Filter", value), ["typed_config.config.vm_config.code.local.file: unknown field"]);
  });

  it("accepts any field under pluginConfig and patch.value (x-kubernetes-preserve-unknown-fields)", () => {
    const plugin = wasmPlugin();
    plugin.spec.pluginConfig.anything = { nested: [1, "two", { three: null }] };
    assert.deepEqual(validateIstioResource(plugin), []);
    const filter = envoyFilter();
    filter.spec.configPatches[0].patch.value.whatever = { x: 1 };
    assert.deepEqual(validateIstioResource(filter), []);
  });

  it("refuses an unknown field in spec, in a nested object and in metadata", () => {
    const plugin = wasmPlugin();
    plugin.spec.pluginConfigs = {};
    assertRefused(plugin, "spec.pluginConfigs", /unknown field/);
    const nested = wasmPlugin();
    nested.spec.match[0].ports[0].protocol = "TCP";
    assertRefused(nested, "spec.match[0].ports[0].protocol", /unknown field/);
    const filter = envoyFilter();
    filter.spec.configPatches[0].match.listener.filterChain.destination_port = 20880;
    assertRefused(filter, "spec.configPatches[0].match.listener.filterChain.destination_port", /unknown field/);
    const meta = envoyFilter();
    meta.metadata.label = { app: "x" };
    assertRefused(meta, "metadata.label", /unknown field/);
  });

  it("refuses a bad enum", () => {
    const plugin = wasmPlugin();
    plugin.spec.type = "NETWORKX";
    assertRefused(plugin, "spec.type", /must be one of UNSPECIFIED_PLUGIN_TYPE, HTTP, NETWORK/);
    const filter = envoyFilter();
    filter.spec.configPatches[0].patch.operation = "INSERT_BEFOR";
    assertRefused(filter, "spec.configPatches[0].patch.operation", /must be one of .*INSERT_BEFORE/);
    const mode = wasmPlugin();
    mode.spec.match[0].mode = "INBOUND";
    assertRefused(mode, "spec.match[0].mode", /must be one of UNDEFINED, CLIENT, SERVER, CLIENT_AND_SERVER/);
  });

  it("refuses a wrong type, an out-of-range port and a malformed sha256", () => {
    const plugin = wasmPlugin();
    plugin.spec.match[0].ports[0].number = "20880";
    assertRefused(plugin, "spec.match[0].ports[0].number", /must be integer/);
    const port = wasmPlugin();
    port.spec.match[0].ports[0].number = 70000;
    assertRefused(port, "spec.match[0].ports[0].number", /must be <= 65535/);
    const sha = wasmPlugin();
    sha.spec.sha256 = "not-a-digest";
    assertRefused(sha, "spec.sha256", /must match pattern/);
    const filter = envoyFilter();
    filter.spec.configPatches = { applyTo: "NETWORK_FILTER" };
    assertRefused(filter, "spec.configPatches", /must be array/);
    const config = wasmPlugin();
    config.spec.pluginConfig = "{}";
    assertRefused(config, "spec.pluginConfig", /must be object/);
  });

  it("refuses a missing required field (spec.url, metadata.name) and an invalid name", () => {
    const plugin = wasmPlugin();
    delete plugin.spec.url;
    assertRefused(plugin, "spec.url", /required field is missing/);
    const unnamed = envoyFilter();
    delete unnamed.metadata.name;
    assertRefused(unnamed, "metadata.name", /required field is missing/);
    const badName = envoyFilter();
    badName.metadata.name = "Dubbo_Filter";
    assertRefused(badName, "metadata.name", /must match pattern/);
  });

  it("refuses two choices of the EnvoyFilter match oneOf", () => {
    const filter = envoyFilter();
    filter.spec.configPatches[0].match.cluster = { service: "provider.demo.svc.cluster.local" };
    assertRefused(filter, "spec.configPatches[0].match", /at most one of listener, routeConfiguration, cluster, waypoint may be set/);
  });

  it("refuses a kind or apiVersion no CRD serves", () => {
    assert.match(validateIstioResource({ ...wasmPlugin(), apiVersion: "extensions.istio.io/v1" })[0], /^apiVersion: WasmPlugin is served as extensions\.istio\.io\/v1alpha1/);
    assert.match(validateIstioResource({ ...wasmPlugin(), kind: "WasmPlugins" })[0], /^kind: no Istio CRD has kind WasmPlugins/);
  });
});

// Which side of a service gets which part of the configuration, cluster naming, and errors found while generating.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { envoyBootstrap, generateIstio, istioResources, pluginConfig, readServices, type ServiceSpec } from "../../generator/index.ts";
import { generationError } from "./generation_error.ts";

const BASE = `kind: MetaProtocolService
name: demo
protocol: dubbo
module: { url: "oci://registry.example/dubbo:1" }
host: demo.default.svc.cluster.local
port: 20880
`;
const ROUTES = `routes:
- match: { attributes: { method: { prefix: say } } }
  route:
  - { destination: { subset: v1 }, weight: 3 }
  - { destination: { subset: v2 }, weight: 1 }
`;
const LIMITS = `localRateLimit:
  tokenBucket: { maxTokens: 5, fillInterval: 1m30s }
globalRateLimit:
  domain: production
  descriptors: [{ property: method, descriptorKey: method }]
  rateLimitService: { host: rls.infra.svc.cluster.local, port: 8081 }
`;

function service(text: string): ServiceSpec {
  const [only] = readServices("test.yaml", BASE + text);
  return only;
}


describe("plugin configuration per side", () => {
  it("routes on the client side with Istio's subset cluster names, rate limits on the server side", () => {
    const both = service(ROUTES + LIMITS);
    const outbound = pluginConfig(both, "outbound");
    const inbound = pluginConfig(both, "inbound");
    assert.deepEqual(Object.keys(outbound), ["stat_prefix", "routes"]);
    assert.deepEqual(Object.keys(inbound), ["stat_prefix", "local_ratelimit", "ratelimit"]);
    assert.deepEqual((outbound.routes as any)[0].route.weighted_clusters.clusters, [
      { name: "outbound|20880|v1|demo.default.svc.cluster.local", weight: 3 },
      { name: "outbound|20880|v2|demo.default.svc.cluster.local", weight: 1 },
    ]);
    assert.deepEqual((outbound.routes as any)[0].match, { metadata: [{ name: "method", prefix_match: "say" }] });
    assert.equal(outbound.stat_prefix, "demo_outbound");
    assert.equal(inbound.stat_prefix, "demo_inbound");
  });

  it("reaches the rate limit service through its outbound cluster, with Aeraki's defaults", () => {
    assert.deepEqual(pluginConfig(service(LIMITS), "inbound").ratelimit, {
      domain: "production",
      descriptors: [{ property: "method", descriptor_key: "method" }],
      rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: "outbound|8081||rls.infra.svc.cluster.local" } } },
      timeout: "0.02s",
      failure_mode_deny: false,
    });
    assert.deepEqual((pluginConfig(service(LIMITS), "inbound").local_ratelimit as any).token_bucket, { max_tokens: 5, fill_interval: "90s" });
  });

  it("rate-limits on the client side when there is no server side", () => {
    const outbound = pluginConfig(service("direction: outbound\n" + LIMITS), "outbound");
    assert.ok(outbound.local_ratelimit !== undefined && outbound.ratelimit !== undefined);
  });

  it("routes on the server side of an inbound-only service to inbound|PORT||, without holding connections", () => {
    const inbound = pluginConfig(service("direction: inbound\ntargetPort: 20881\nroutes:\n- route: [{ destination: {} }]\n  requestMutation: [{ key: k, value: v }]\n"), "inbound");
    assert.deepEqual(inbound.routes, [{ route: { cluster: "inbound|20881||" }, request_mutation: [{ key: "k", value: "v" }] }]);
    assert.equal(inbound.connection_routing, false);
  });

  it("writes every filter option under the filter's own name", () => {
    const options = "filter: { statPrefix: s, maxFrameSize: 4096, maxPendingRequests: 10, accessLog: false, requestMutation: [{key: a, value: ''}], codec: { transport: framed }, connectionRouting: false, routeMismatch: reject }\n";
    assert.deepEqual(pluginConfig(service(options), "envoy"), {
      stat_prefix: "s",
      max_frame_size: 4096,
      max_pending_requests: 10,
      access_log: false,
      request_mutation: [{ key: "a", value: "" }],
      codec: { transport: "framed" },
      connection_routing: false,
      route_mismatch: "reject",
    });
  });

  it("matches as Aeraki does: an empty match or regex '*' checks presence", () => {
    const routes = pluginConfig(service("routes:\n- match: { attributes: { a: {}, b: { regex: '*' }, c: { regex: 'x.*' }, d: { suffix: z }, e: { contains: y } } }\n  route: [{ destination: {} }]\n"), "envoy").routes as any;
    assert.deepEqual(routes[0].match.metadata, [
      { name: "a", present_match: true },
      { name: "b", present_match: true },
      { name: "c", safe_regex_match: { regex: "x.*" } },
      { name: "d", suffix_match: "z" },
      { name: "e", contains_match: "y" },
    ]);
  });
});

describe("Istio resources", () => {
  it("one WasmPlugin per side, matched by mode and port, and early data for connection routing", () => {
    const resources = istioResources([service("targetPort: 20881\nclientSelector: { app: consumer }\nserverSelector: { app: demo }\n" + ROUTES)]) as any[];
    assert.deepEqual(resources.map((r) => `${r.kind}/${r.metadata.name}`), ["WasmPlugin/demo-outbound", "WasmPlugin/demo-inbound", "EnvoyFilter/demo-early-data"]);
    assert.deepEqual(resources[0].spec.match, [{ mode: "CLIENT", ports: [{ number: 20880 }] }]);
    assert.deepEqual(resources[1].spec.match, [{ mode: "SERVER", ports: [{ number: 20881 }] }]);
    assert.deepEqual(resources[0].spec.selector, { matchLabels: { app: "consumer" } });
    assert.deepEqual(resources[1].spec.selector, { matchLabels: { app: "demo" } });
    assert.deepEqual(resources[2].spec.workloadSelector, { labels: { app: "consumer" } });
    assert.equal(resources[2].spec.configPatches[0].patch.value.typed_config.max_early_data_bytes, 1048576);
  });

  it("selector stands for the only side of a one-sided service", () => {
    const [outbound] = istioResources([service("direction: outbound\nselector: { app: consumer }\n")]) as any[];
    assert.deepEqual([outbound.metadata.name, outbound.spec.selector], ["demo-outbound", { matchLabels: { app: "consumer" } }]);
    const [inbound] = istioResources([service("direction: inbound\nselector: { app: demo }\n")]) as any[];
    assert.deepEqual([inbound.metadata.name, inbound.spec.selector], ["demo-inbound", { matchLabels: { app: "demo" } }]);
  });

  it("legacy EnvoyFilter: one per side when the sides select different workloads, one for both otherwise", () => {
    const module = "module: { url: 'file:///var/lib/wasm/dubbo.wasm' }\n";
    const text = (extra: string) => readServices("test.yaml", BASE.replace(/module:.*\n/, module) + extra + ROUTES);
    const split = istioResources(text("clientSelector: { app: consumer }\nserverSelector: { app: demo }\n"), { envoyFilter: true }) as any[];
    assert.deepEqual(
      split.map((f) => [f.metadata.name, f.spec.workloadSelector.labels.app, f.spec.configPatches.map((p: any) => `${p.match.context} ${p.patch.operation}`)]),
      [
        ["demo-outbound", "consumer", ["SIDECAR_OUTBOUND INSERT_BEFORE", "SIDECAR_OUTBOUND MERGE"]],
        ["demo-inbound", "demo", ["SIDECAR_INBOUND INSERT_BEFORE"]],
      ],
    );
    const shared = istioResources(text(""), { envoyFilter: true }) as any[];
    assert.deepEqual(shared.map((f) => [f.metadata.name, f.spec.configPatches.length]), [["demo", 3]]);
  });

  it("refuses a short host name in a cluster name, at the field that gave it", () => {
    const shortHost = readServices("test.yaml", BASE.replace("demo.default.svc.cluster.local", "demo") + ROUTES)[0];
    assert.equal(
      generationError(() => istioResources([shortHost])),
      'test.yaml:5:7: host: expected a fully qualified host like demo.default.svc.cluster.local (or a ServiceEntry host), got "demo": ' +
        "Istio names clusters outbound|PORT|SUBSET|<FQDN>, and a cluster picked by any other name does not exist",
    );
    for (const host of ["demo.default.svc", "10.0.0.1"]) {
      const [s] = readServices("test.yaml", BASE + `routes:\n- route: [{ destination: { host: ${host}, subset: v1 } }]\n`);
      assert.match(generationError(() => istioResources([s])), new RegExp(`^test\\.yaml:8:34: routes\\[0\\]\\.route\\[0\\]\\.destination\\.host: expected a fully qualified host`));
    }
    const inNamespace = readServices("test.yaml", BASE + "namespace: shop\n" + LIMITS.replace("rls.infra.svc.cluster.local", "rls.shop"))[0];
    assert.match(generationError(() => istioResources([inNamespace])), /^test\.yaml:13:29: globalRateLimit\.rateLimitService\.host: expected a fully qualified host like rls\.shop\.svc\.cluster\.local/);
    // Plain Envoy has no such naming: a short name or an address is a cluster like any other.
    assert.ok(envoyBootstrap([shortHost]));
  });

  it("accepts ServiceEntry hosts and a service without routes whatever its host", () => {
    const external = readServices("test.yaml", BASE.replace("demo.default.svc.cluster.local", "api.example.com") + ROUTES)[0];
    assert.equal(istioResources([external]).length, 3);
    assert.equal(istioResources([readServices("test.yaml", BASE.replace("demo.default.svc.cluster.local", "demo"))[0]]).length, 2);
  });

  it("no early-data EnvoyFilter without routes or with connectionRouting false", () => {
    assert.equal(istioResources([service("")]).length, 2);
    assert.equal(istioResources([service("filter: { connectionRouting: false }\n" + ROUTES)]).length, 2);
  });

  it("early data is capped at tcp_proxy's 1 MiB and follows a smaller maxFrameSize", () => {
    const early = (text: string) => (istioResources([service(text + ROUTES)]).at(-1) as any).spec.configPatches[0].patch.value.typed_config.max_early_data_bytes;
    assert.equal(early("filter: { maxFrameSize: 65536 }\n"), 65536);
    assert.equal(early("filter: { maxFrameSize: 8388608 }\n"), 1048576);
  });

  it("legacy EnvoyFilter: http(s) modules are fetched by Envoy through the URL host's outbound cluster", () => {
    const module = `module: { url: "https://files.example.com:8443/dubbo.wasm", sha256: "${"a".repeat(64)}" }\n`;
    const [https] = readServices("test.yaml", BASE.replace(/module:.*\n/, module));
    const [filter] = istioResources([https], { envoyFilter: true }) as any[];
    assert.deepEqual(filter.spec.configPatches[0].patch.value.typed_config.config.vm_config.code, {
      remote: { http_uri: { uri: "https://files.example.com:8443/dubbo.wasm", cluster: "outbound|8443||files.example.com", timeout: "30s" }, sha256: "a".repeat(64) },
    });
  });

  it("a custom protocol's module: its URL and name in the WasmPlugins, its file in the Envoy bootstrap", () => {
    const text = BASE.replace("protocol: dubbo", "protocol: my_rpc").replace(/module:.*\n/, "module: { url: 'file:///opt/wasm/my_rpc.wasm' }\n");
    const [custom] = readServices("custom.yaml", text + ROUTES);
    const [outbound, inbound] = istioResources([custom]) as any[];
    for (const plugin of [outbound, inbound]) {
      assert.deepEqual([plugin.spec.url, plugin.spec.pluginName, plugin.spec.type], ["file:///opt/wasm/my_rpc.wasm", "my_rpc", "NETWORK"]);
    }
    assert.equal(outbound.spec.pluginConfig.routes[0].route.weighted_clusters.clusters[0].name, "outbound|20880|v1|demo.default.svc.cluster.local");
    const [legacy] = istioResources([custom], { envoyFilter: true }) as any[];
    assert.deepEqual(legacy.spec.configPatches[0].patch.value.typed_config.config.vm_config.code, { local: { filename: "/opt/wasm/my_rpc.wasm" } });
    const wasm = (envoyBootstrap([custom]) as any).static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config;
    assert.equal(wasm.vm_config.code.local.filename, "/opt/wasm/my_rpc.wasm");
  });

  it("writes YAML that parses back to the resources", () => {
    const s = service(ROUTES + LIMITS);
    assert.deepEqual(parseAllDocuments(generateIstio([s])).map((d) => d.toJS()), istioResources([s]));
  });

  it("refuses a service without a module URL, naming its file and field", () => {
    const noModule = readServices("test.yaml", BASE.replace(/module:.*\n/, ""))[0];
    assert.equal(generationError(() => istioResources([noModule])), "test.yaml:1:1: module: required for Istio output: expected a map with url (oci://, http(s):// or file://)");
  });

  it("refuses an OCI module for the legacy EnvoyFilter", () => {
    assert.equal(
      generationError(() => istioResources([service("")], { envoyFilter: true })),
      "test.yaml:4:16: module.url: expected a file:// or http(s):// URL with --envoyfilter (oci:// images are pulled by istio-agent for WasmPlugins only, Istio 1.20+)",
    );
  });
});

describe("Envoy bootstrap", () => {
  it("has a cluster per destination, named like Istio's unless envoy.clusters renames it, and the RLS over HTTP/2", () => {
    const s = service(ROUTES + LIMITS + "envoy:\n  clusters:\n  - { subset: v1, name: v1, endpoints: ['10.0.0.1:20880', '10.0.0.2:20880'] }\n");
    const bootstrap = envoyBootstrap([s]) as any;
    const clusters = bootstrap.static_resources.clusters;
    assert.deepEqual(clusters.map((c: any) => `${c.name} ${c.type}`), [
      "outbound|20880||demo.default.svc.cluster.local STRICT_DNS",
      "v1 STATIC",
      "outbound|20880|v2|demo.default.svc.cluster.local STRICT_DNS",
      "outbound|8081||rls.infra.svc.cluster.local STRICT_DNS",
    ]);
    assert.ok(clusters[3].typed_extension_protocol_options !== undefined);
    const tcpProxy = bootstrap.static_resources.listeners[0].filter_chains[0].filters[1].typed_config;
    assert.deepEqual([tcpProxy.cluster, tcpProxy.max_early_data_bytes], ["outbound|20880||demo.default.svc.cluster.local", 1048576]);
    const configuration = JSON.parse(bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.configuration.value);
    assert.deepEqual(configuration.routes[0].route.weighted_clusters.clusters.map((c: any) => c.name), ["v1", "outbound|20880|v2|demo.default.svc.cluster.local"]);
  });

  it("loads the module from its file:// path, else from the build", () => {
    const module = (text: string) => (envoyBootstrap([service(text)]) as any).static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code.local.filename;
    assert.equal(module(""), "build/dubbo.wasm");
    assert.equal(readServices("t.yaml", BASE.replace(/module:.*\n/, "module: { url: 'file:///opt/wasm/dubbo%20v1.wasm' }\n"))[0].envoy.module, "/opt/wasm/dubbo v1.wasm");
    assert.equal(module("envoy: { module: my.wasm }\n"), "my.wasm");
  });

  it("puts several services in one bootstrap, with one admin", () => {
    const [a, b] = readServices("test.yaml", BASE + "envoy: { admin: { address: 127.0.0.1, port: 9000 } }\n---\n" + BASE.replace("name: demo", "name: other").replace("20880", "20881"));
    const bootstrap = envoyBootstrap([a, b]) as any;
    assert.equal(bootstrap.static_resources.listeners.length, 2);
    assert.equal(bootstrap.admin.address.socket_address.port_value, 9000);
  });

  it("refuses two services that disagree on the admin address", () => {
    const services = readServices("test.yaml", BASE + "envoy: { admin: { address: 127.0.0.1, port: 9000 } }\n---\n" + BASE.replace("name: demo", "name: other") + "envoy: { admin: { address: 127.0.0.1, port: 9001 } }\n");
    assert.equal(generationError(() => envoyBootstrap(services)), "test.yaml:15:17: envoy.admin: expected the same admin address as service demo (one bootstrap has one admin), got 127.0.0.1:9001");
  });

  it("writes nothing the bundled host would refuse", async () => {
    const { loadBootstrap } = await import("../host/proxy/bootstrap.ts");
    const bootstrap = loadBootstrap(parse(JSON.stringify(envoyBootstrap([service(ROUTES + LIMITS)]))));
    assert.equal(bootstrap.clusters.find((c) => c.name.startsWith("outbound|8081"))?.http2, true);
  });
});

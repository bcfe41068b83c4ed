// Everything the generator writes, checked by the schema validators of test/validation/: Envoy bootstraps and the
// filters inserted by EnvoyFilters against the Envoy v3 protos, Istio resources against Istio's CRDs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { generateEnvoyBootstrap, generateIstio, readServices } from "../../generator/index.ts";
import { validateEnvoyMessage } from "../validation/envoy_proto.ts";
import { validateIstioResource } from "../validation/istio_crd.ts";
import { envoyConfigs, istioExamples } from "./outputs.ts";

/** One service with every feature: weighted subsets, mutations, local and global rate limits, both sides. */
const EVERYTHING = `kind: MetaProtocolService
name: everything
namespace: demo
protocol: dubbo
module: { url: "https://modules.example.com/dubbo.wasm", sha256: "${"0".repeat(64)}" }
host: provider.demo.svc.cluster.local
port: 20880
targetPort: 20881
clientSelector: { app: consumer }
serverSelector: { app: provider }
failStrategy: FAIL_OPEN
filter: { statPrefix: all, maxFrameSize: 65536, requestMutation: [{ key: x-mesh, value: wasm }], routeMismatch: reject }
routes:
- name: split
  match: { attributes: { method: { regex: "say.*" }, x-canary: { present: true } } }
  route: [{ destination: { subset: v1 }, weight: 90 }, { destination: { subset: v2 }, weight: 10 }]
  requestMutation: [{ key: x-route, value: split }]
localRateLimit:
  tokenBucket: { maxTokens: 10, tokensPerFill: 10, fillInterval: 1s }
  conditions: [{ match: { attributes: { method: { exact: sayHello } } }, tokenBucket: { maxTokens: 1, fillInterval: 1s } }]
globalRateLimit:
  domain: production
  match: { attributes: { method: { prefix: say } } }
  descriptors: [{ property: method, descriptorKey: method }]
  rateLimitService: { host: ratelimit.demo.svc.cluster.local, port: 8081 }
`;

function checkIstioText(text: string): void {
  for (const document of parseAllDocuments(text)) {
    const resource = document.toJS();
    assert.deepEqual(validateIstioResource(resource), [], `${resource.kind} ${resource.metadata.name}`);
    if (resource.kind !== "EnvoyFilter") continue;
    for (const patch of resource.spec.configPatches) {
      // Inserted filters are whole messages; MERGE values are fragments of one (tcp_proxy's stat_prefix is elsewhere).
      if (patch.patch.operation === "INSERT_BEFORE") {
        assert.deepEqual(validateEnvoyMessage("envoy.config.listener.v3.Filter", patch.patch.value), [], resource.metadata.name);
      }
    }
  }
}

describe("generated configuration passes the Envoy and Istio schema validators", () => {
  for (const { command, output } of [...envoyConfigs(), ...istioExamples()]) {
    it(output, () => {
      const text = readFileSync(output, "utf8");
      if (command === "envoy") assert.deepEqual(validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", parse(text)), []);
      else checkIstioText(text);
    });
  }

  it("a service with every feature: Istio WasmPlugins and EnvoyFilter", () => checkIstioText(generateIstio(readServices("everything.yaml", EVERYTHING))));

  it("a service with every feature: legacy EnvoyFilter", () => {
    checkIstioText(generateIstio(readServices("everything.yaml", EVERYTHING), { envoyFilter: true }));
  });

  it("a service with every feature: Envoy bootstrap", () => {
    const bootstrap = parse(generateEnvoyBootstrap(readServices("everything.yaml", EVERYTHING)));
    assert.deepEqual(validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", bootstrap), []);
  });

  it("FAIL_RELOAD: Envoy's failure_policy, Istio's failStrategy", () => {
    const reloading = readServices("everything.yaml", EVERYTHING.replace("failStrategy: FAIL_OPEN", "failStrategy: FAIL_RELOAD"));
    const bootstrap = parse(generateEnvoyBootstrap(reloading));
    assert.deepEqual(validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", bootstrap), []);
    const wasm = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config;
    assert.equal(wasm.failure_policy, "FAIL_RELOAD");
    assert.equal(wasm.fail_open, undefined);
    const istio = generateIstio(reloading);
    checkIstioText(istio);
    assert.ok(parseAllDocuments(istio).filter((d) => d.toJS().kind === "WasmPlugin").every((d) => d.toJS().spec.failStrategy === "FAIL_RELOAD"));
  });
});

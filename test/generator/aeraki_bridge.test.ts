// Aeraki input in bridge mode: a MetaRouter annotated meta-protocol-wasm/mode: bridge becomes Istio's own resources
// (client Sidecar + WasmPlugin, server EnvoyFilter, VirtualService) with the subsets of the input's DestinationRule,
// and what bridge mode in Istio cannot take is refused naming the MetaRouter's field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { generateIstio, readServices } from "../../generator/index.ts";
import { generationError } from "./generation_error.ts";

const PROTOCOL = `apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: ApplicationProtocol
metadata: { name: dubbo, annotations: { meta-protocol-wasm/module-url: "file:///m/dubbo.wasm" } }
spec: { protocol: dubbo, codec: aeraki.meta_protocol.codec.dubbo }
---
apiVersion: v1
kind: Service
metadata: { name: provider, namespace: ns }
spec:
  selector: { app: provider }
  ports: [{ name: tcp-metaprotocol-dubbo-p, appProtocol: http2, port: 20880 }]
---
`;

const RULE = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: provider, namespace: ns }
spec: { host: provider, subsets: [{ name: v1, labels: { version: v1 } }] }
---
`;

/** A bridge-mode MetaRouter (annotations and spec lines appended) after the ApplicationProtocol and Service. */
function router(spec: string, annotations = ""): string {
  return `${PROTOCOL}apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata:
  name: r
  namespace: ns
  annotations: { meta-protocol-wasm/mode: bridge${annotations} }
spec:
  hosts: [provider.ns.svc.cluster.local]
${spec}`;
}

const ROUTE_TO_V1 = "  routes: [{ route: [{ destination: { host: provider.ns.svc.cluster.local, subset: v1 } }] }]\n";

function generated(text: string, warnings: string[] = []): Record<string, any>[] {
  return parseAllDocuments(generateIstio(readServices("in.yaml", text), { warn: (w) => warnings.push(w) })).map((d) => d.toJS());
}

function errorFor(text: string): string {
  return generationError(() => generateIstio(readServices("in.yaml", text)));
}

describe("Aeraki input in bridge mode", () => {
  it("writes the bridge wiring and a VirtualService, and no DestinationRule: the input's stays the user's", () => {
    const warnings: string[] = [];
    const resources = generated(RULE + router(ROUTE_TO_V1), warnings);
    assert.deepEqual(resources.map((r) => r.kind), ["Sidecar", "WasmPlugin", "EnvoyFilter", "VirtualService"]);
    assert.deepEqual(resources[3].spec.http[0].route, [{ destination: { host: "provider.ns.svc.cluster.local", subset: "v1", port: { number: 20880 } } }]);
    assert.deepEqual(warnings, [], "the Service's appProtocol was checked: no kubectl patch to suggest");
  });

  it("authorizes the client side with the service's FQDN and puts the server side on the Service's pods, at the annotated port", () => {
    const [, plugin, envoyFilter] = generated(RULE + router(ROUTE_TO_V1, ", meta-protocol-wasm/bridge-server-port: '21000'"));
    assert.equal(plugin.spec.pluginConfig.bridge.authority, "provider.ns.svc.cluster.local");
    assert.deepEqual(envoyFilter.spec.workloadSelector, { labels: { app: "provider" } });
    assert.equal(envoyFilter.spec.configPatches[0].patch.value.address.socket_address.port_value, 21000);
  });

  it("keeps a MetaRouter without the annotation in tcp mode", () => {
    const text = router(ROUTE_TO_V1).replace("  annotations: { meta-protocol-wasm/mode: bridge }\n", "");
    assert.deepEqual(generated(text).map((r) => r.kind), ["WasmPlugin", "WasmPlugin", "EnvoyFilter"], "both sides and tcp_proxy's early data");
  });

  const CASES: [string, string, RegExp][] = [
    ["an unknown mode", RULE + router(ROUTE_TO_V1).replace("mode: bridge", "mode: http"), /^in\.yaml:\d+:\d+: metadata\.annotations\["meta-protocol-wasm\/mode"\]: expected one of tcp, bridge, got "http"$/],
    [
      "a port Istio reads as TCP",
      RULE + router(ROUTE_TO_V1).replace("appProtocol: http2, ", ""),
      /^in\.yaml:16:11: spec\.ports\[0\]\.appProtocol: expected appProtocol: http2 on a port of a bridge-mode MetaRouter \(Istio reads a tcp-metaprotocol-\* port as TCP\); got none$/,
    ],
    [
      "a subset the input's DestinationRule lacks",
      RULE + router(ROUTE_TO_V1.replace("subset: v1", "subset: v2")),
      /^in\.yaml:\d+:\d+: spec\.routes\[0\]\.route\[0\]: expected a subset defined in the input's DestinationRule for provider\.ns\.svc\.cluster\.local \(v1\), got v2/,
    ],
    ["a subset with no DestinationRule in the input", router(ROUTE_TO_V1), /spec\.routes\[0\]\.route\[0\]: expected a subset defined in the input's DestinationRule for provider\.ns\.svc\.cluster\.local \(none defined\), got v1/],
    ["a global rate limit", RULE + router("  globalRateLimit: { domain: d }\n"), /^in\.yaml:\d+:\d+: spec\.globalRateLimit: not supported in bridge mode yet/],
    [
      "a local rate limit",
      RULE + router("  localRateLimit: { tokenBucket: { maxTokens: 1, fillInterval: 1s } }\n"),
      /^in\.yaml:\d+:\d+: spec\.localRateLimit: not generated for Istio in bridge mode/,
    ],
    ["a server port that is no number", RULE + router(ROUTE_TO_V1, ", meta-protocol-wasm/bridge-server-port: x"), /metadata\.annotations\["meta-protocol-wasm\/bridge-server-port"\]: expected a port number as a string, like "20881", got "x"/],
  ];
  for (const [what, text, message] of CASES) {
    it(`refuses ${what}`, () => assert.match(errorFor(text), message));
  }
});

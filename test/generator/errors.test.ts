// Bad input is refused with the file, line and column, the field path, and what was expected (docs/generator.md).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError, readServices } from "../../generator/index.ts";
import { builtInProtocols } from "../../generator/modules.ts";

const BUILT_IN = builtInProtocols().join(", ");

const SERVICE = `kind: MetaProtocolService
name: demo
protocol: dubbo
host: demo.default.svc.cluster.local
port: 20880
`;

/** The error message for `text` read as the file `in.yaml`. */
function errorFor(text: string): string {
  try {
    readServices("in.yaml", text);
  } catch (error) {
    assert.ok(error instanceof InputError, `not an InputError: ${error}`);
    return error.message;
  }
  assert.fail("the input was accepted");
}

const CASES: [string, string, string][] = [
  ["an unknown field", SERVICE + "prot: x\n", "in.yaml:6:7: prot: unknown field; expected one of apiVersion, kind, name, namespace, description, protocol, module, host, port, targetPort, direction, selector, clientSelector, serverSelector, failStrategy, filter, routes, localRateLimit, globalRateLimit, envoy, mode, bridge, istio"],
  ["a wrong type", SERVICE.replace("20880", "'20880'"), 'in.yaml:5:7: port: expected an integer from 1 to 65535, got "20880"'],
  ["a missing field", SERVICE.replace("host: demo.default.svc.cluster.local\n", ""), "in.yaml:1:1: host: required field missing; expected a host name like demo.default.svc.cluster.local"],
  [
    "a bad weight deep in a route",
    SERVICE + "routes:\n- route:\n  - destination: { subset: v1 }\n    weight: ten\n  - destination: { subset: v2 }\n    weight: 1\n",
    'in.yaml:9:13: routes[0].route[0].weight: expected an integer from 0 to 1000000, got "ten"',
  ],
  [
    "two kinds of match on one attribute",
    SERVICE + "routes:\n- match:\n    attributes:\n      method: { exact: a, prefix: b }\n  route:\n  - destination: { subset: v1 }\n",
    "in.yaml:9:15: routes[0].match.attributes.method: expected exactly one of exact, prefix, suffix, contains, regex, present, got exact, prefix",
  ],
  [
    "an http module without sha256",
    SERVICE + "module: { url: 'https://x.example/dubbo.wasm' }\n",
    "in.yaml:6:9: module.sha256: required field missing; expected the module's sha256 (required with an http(s) URL, so that a changed file is refused)",
  ],
  ["invalid YAML", SERVICE + "routes: [\n", "in.yaml:7:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  ["an unknown kind", "kind: Foo\n", 'in.yaml:1:7: kind: expected one of MetaProtocolService, MetaRouter, ApplicationProtocol, Service, DestinationRule, List, got "Foo"'],
  [
    "a fill interval Envoy refuses",
    SERVICE + "localRateLimit:\n  tokenBucket: { maxTokens: 1, fillInterval: 10ms }\n",
    'in.yaml:7:46: localRateLimit.tokenBucket.fillInterval: expected at least 0.05s (Envoy refuses shorter fill intervals), got "10ms"',
  ],
  [
    "a subset on an inbound-only service",
    SERVICE + "direction: inbound\nroutes:\n- route:\n  - destination: { subset: v1 }\n",
    "in.yaml:9:18: routes[0].route[0].destination: expected the service itself (no subset, host or port): inbound, the only upstream is the local pod; route to subsets with direction outbound or both",
  ],
  ["a custom protocol without a module", SERVICE.replace("dubbo", "myrpc"), `in.yaml:1:1: module: required field missing; expected a module url for the custom protocol myrpc (built in: ${BUILT_IN})`],
  [
    "a typo of a built-in protocol",
    SERVICE.replace("protocol: dubbo", "protocol: dubbo2"),
    `in.yaml:3:11: protocol: unknown protocol dubbo2: did you mean dubbo? (built in: ${BUILT_IN}; a custom protocol needs its module)`,
  ],
  [
    "one selector for both sides",
    SERVICE + "selector: { app: demo }\n",
    "in.yaml:6:11: selector: one selector for both sides would run the client side (its routes) on the servers' own calls too; with direction both, " +
      "set clientSelector (the clients' workload labels) and serverSelector (the servers'), or direction outbound or inbound",
  ],
  ["selector beside clientSelector", SERVICE + "direction: outbound\nselector: { app: a }\nclientSelector: { app: a }\n", "in.yaml:7:11: selector: expected either selector or clientSelector/serverSelector, not both"],
  ["a clientSelector without a client side", SERVICE + "direction: inbound\nclientSelector: { app: a }\n", "in.yaml:7:17: clientSelector: expected no clientSelector with direction inbound (there is no client side)"],
  [
    "a subset name Istio refuses",
    SERVICE + "routes:\n- route: [{ destination: { subset: v1_beta } }]\n",
    "in.yaml:7:36: routes[0].route[0].destination.subset: expected a subset name as Istio accepts it in a DestinationRule: letters, digits and '-', " +
      'starting and ending with a letter or digit, at most 63, got "v1_beta"',
  ],
  [
    "a mirror (Aeraki's, which a network filter cannot do)",
    SERVICE + "routes:\n- route:\n  - destination: { subset: v1 }\n  mirror: { host: a.b }\n",
    "in.yaml:9:11: routes[0].mirror: not supported: a network filter cannot copy requests to another cluster",
  ],
  ["a label YAML reads as a number", SERVICE + "selector: { version: 2 }\n", "in.yaml:6:22: selector.version: expected a string (quote numbers and booleans), got 2"],
  [
    "a rate limit service that is neither {host, port} nor a cluster name",
    SERVICE + "globalRateLimit:\n  domain: d\n  descriptors: [{property: method, descriptorKey: method}]\n  rateLimitService: ratelimit:8081\n",
    'in.yaml:9:21: globalRateLimit.rateLimitService: expected {host, port} or an Istio cluster name outbound|PORT||HOST, got "ratelimit:8081"',
  ],
  ["two services with one name", SERVICE + "---\n" + SERVICE, "in.yaml:8:7: name: expected a name not used already; demo is also defined in in.yaml"],
  [
    "a MetaRouter without its Kubernetes Service",
    "apiVersion: metaprotocol.aeraki.io/v1alpha1\nkind: MetaRouter\nmetadata: { name: r, namespace: ns }\nspec:\n  hosts: [svc.ns.svc.cluster.local]\n",
    "in.yaml:5:11: spec.hosts[0]: no Kubernetes Service for svc.ns.svc.cluster.local in the input; add it: its ports named tcp-metaprotocol-<protocol>-... give the port and protocol",
  ],
  [
    "a MetaRouter field Aeraki has and a WasmPlugin cannot honour",
    "apiVersion: metaprotocol.aeraki.io/v1alpha1\nkind: MetaRouter\nmetadata: { name: r }\nspec:\n  hosts: [svc.ns.svc.cluster.local]\n  exportTo: [ns]\n",
    "in.yaml:6:13: spec.exportTo: not supported: a WasmPlugin applies to its namespace (the root namespace: the whole mesh)",
  ],
  ["a file with no service", "# nothing\n", "in.yaml: no services: expected MetaProtocolService documents, or Aeraki MetaRouters"],
];

describe("bad input", () => {
  for (const [what, text, message] of CASES) {
    it(`refuses ${what}`, () => assert.equal(errorFor(text), message));
  }

  it("names the item of a kind: List (as kubectl get -o yaml prints)", () => {
    const item = SERVICE.replace("20880", "0").trimEnd().replaceAll("\n", "\n  ");
    assert.equal(errorFor(`kind: List\nitems:\n- ${item}\n`), "in.yaml:7:9: items[0].port: expected an integer from 1 to 65535, got 0");
  });
});

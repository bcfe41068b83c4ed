// Fault injection on bridge routes: Istio output writes it as the VirtualService route's fault (Envoy's HTTP fault
// filter in the sidecar delays or aborts the call's HTTP/2 stream); plain Envoy output and tcp mode refuse it by name.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { generateEnvoyBootstrap, generateIstio, readServices } from "../../generator/index.ts";
import { validateIstioResource } from "../validation/istio_crd.ts";
import { BRIDGE_SERVICE } from "./bridge_service.ts";
import { generationError } from "./generation_error.ts";

const SERVICE = `${BRIDGE_SERVICE}module: { url: "file:///m/dubbo.wasm" }
`;

function withFault(fault: string): string {
  return `${SERVICE}routes:\n- route: [{ destination: {} }]\n  fault: ${fault}\n`;
}

function virtualService(text: string): Record<string, any> {
  const resources = parseAllDocuments(generateIstio(readServices("in.yaml", text))).map((d) => d.toJS());
  const found = resources.find((resource) => resource.kind === "VirtualService");
  assert.deepEqual(validateIstioResource(found), []);
  return found;
}

describe("bridge mode: fault injection", () => {
  it("writes delay and abort, each with its percentage, as the VirtualService route's fault", () => {
    const route = virtualService(withFault("{ delay: { fixedDelay: 250ms, percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } }")).spec.http[0];
    assert.deepEqual(route.fault, { delay: { fixedDelay: "0.25s", percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } });
  });

  it("faults every call when no percentage is given", () => {
    const route = virtualService(withFault("{ abort: { httpStatus: 429 } }")).spec.http[0];
    assert.deepEqual(route.fault, { abort: { httpStatus: 429, percentage: { value: 100 } } });
  });

  it("is refused by the plain Envoy output, naming the field", () => {
    assert.equal(
      generationError(() => generateEnvoyBootstrap(readServices("in.yaml", withFault("{ abort: { httpStatus: 503 } }")))),
      "in.yaml:10:10: routes[0].fault: not generated for plain Envoy (it needs envoy.filters.http.fault, which the bundled host does not run); " +
        "meta-protocol-wasm istio writes it as the VirtualService's fault",
    );
  });

  const CASES: [string, string, string][] = [
    [
      "a fault in tcp mode",
      withFault("{ abort: { httpStatus: 503 } }").replace("mode: bridge\n", ""),
      "in.yaml:9:10: routes[0].fault: not supported in tcp mode: a network filter cannot delay or abort one call (mode: bridge can, in Istio output)",
    ],
    ["an empty fault", withFault("{}"), "in.yaml:10:10: routes[0].fault: expected a delay, an abort, or both, got a map"],
    ["a status Istio refuses", withFault("{ abort: { httpStatus: 700 } }"), "in.yaml:10:33: routes[0].fault.abort.httpStatus: expected an integer from 200 to 599, got 700"],
    ["a delay under 1ms", withFault("{ delay: { fixedDelay: 500us } }"), 'in.yaml:10:33: routes[0].fault.delay.fixedDelay: expected at least 1ms (Istio refuses shorter delays), got "500us"'],
    ["a percentage over 100", withFault("{ delay: { fixedDelay: 1s, percentage: { value: 101 } } }"), "in.yaml:10:58: routes[0].fault.delay.percentage.value: expected a percentage from 0 to 100, got 101"],
  ];
  for (const [what, text, message] of CASES) {
    it(`refuses ${what}`, () => assert.equal(generationError(() => readServices("in.yaml", text)), message));
  }
});

// The generated files the repository keeps are what the generator writes now, byte for byte: envoy/<protocol>.yaml
// (`make envoy-config` regenerates them) and the Istio examples (UPDATE_GOLDEN=1 rewrites them). The Envoy
// bootstraps among them load in the bundled host, which refuses anything it does not implement.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { generateFromFiles } from "../../generator/cli.ts";
import { loadBootstrap } from "../host/proxy/bootstrap.ts";
import { envoyConfigs, istioExamples, type GeneratedOutput } from "./outputs.ts";

function checkGenerated({ command, input, output, options }: GeneratedOutput): void {
  const text = generateFromFiles(command, [input], options);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(output, text);
  assert.equal(text, readFileSync(output, "utf8"), `${output} differs from what ${input} generates`);
}

describe("envoy/*.yaml are generated from envoy/services/*.yaml", () => {
  const configs = envoyConfigs();
  it("leaves no envoy/*.yaml written by hand", () => {
    const written = readdirSync("envoy").filter((file) => file.endsWith(".yaml")).map((file) => `envoy/${file}`);
    assert.deepEqual(configs.map((c) => c.output).sort(), written.sort());
  });
  for (const config of configs) {
    it(`${config.output} has not drifted (make envoy-config)`, () => checkGenerated(config));
    it(`${config.output} loads in the bundled host`, () => assert.ok(loadBootstrap(config.output).listeners.length === 1));
  }
});

describe("Istio examples", () => {
  const examples = istioExamples();
  it("cover WasmPlugins, the legacy EnvoyFilter and an Envoy bootstrap", () => {
    for (const suffix of ["/expected.yaml", "/expected.envoyfilter.yaml", "/expected.envoy.yaml"]) {
      assert.ok(examples.some((e) => e.output.endsWith(suffix)), `no example writes ${suffix}`);
    }
  });
  for (const example of examples) {
    it(`${example.output} is what ${example.input} generates`, () => checkGenerated(example));
    if (example.command === "envoy") {
      it(`${example.output} loads in the bundled host`, () => assert.ok(loadBootstrap(example.output).listeners.length > 0));
    }
  }
});

// Every plugin configuration the generator wrote into the repository's generated files passes the built filter
// modules' own configuration check (proxy_on_configure), so the generator and the filters cannot drift apart.
// Needs `make build`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { configureError } from "./filter_check.ts";
import { envoyConfigs, istioExamples, pluginConfigurations } from "./outputs.ts";

describe("generated plugin configurations are accepted by the filters", () => {
  for (const { output } of [...envoyConfigs(), ...istioExamples()]) {
    const configurations = pluginConfigurations(readFileSync(output, "utf8"));
    it(`${output} has plugin configurations`, () => assert.ok(configurations.length > 0));
    configurations.forEach(({ protocol, configuration }, index) => {
      it(`${output} #${index + 1} (${protocol})`, async () => {
        assert.equal(await configureError(protocol, configuration), undefined);
      });
    });
  }
});

// Every plugin configuration the generator wrote into the repository's generated files passes the built filter
// modules' own configuration check (proxy_on_configure), so the generator and the filters cannot drift apart.
// Needs `make build`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { configureError, filterKnowsGlobalRateLimit } from "./filter_check.ts";
import { envoyConfigs, istioExamples, pluginConfigurations } from "./outputs.ts";

describe("generated plugin configurations are accepted by the filters", async () => {
  const knowsGlobalRateLimit = await filterKnowsGlobalRateLimit("dubbo");
  for (const { output } of [...envoyConfigs(), ...istioExamples()]) {
    const configurations = pluginConfigurations(readFileSync(output, "utf8"));
    it(`${output} has plugin configurations`, () => assert.ok(configurations.length > 0));
    configurations.forEach(({ protocol, configuration }, index) => {
      const { ratelimit, ...others } = JSON.parse(configuration);
      // Until the filters know the global rate limit, the rest of such a configuration is still checked.
      const partial = ratelimit !== undefined && !knowsGlobalRateLimit;
      const checked = partial ? JSON.stringify(others) : configuration;
      const note = partial ? ", without `ratelimit`: the built filters do not know it yet" : "";
      it(`${output} #${index + 1} (${protocol}${note})`, async () => {
        assert.equal(await configureError(protocol, checked), undefined);
      });
    });
  }
});

// Routing never lies: a connection whose first request is rejected goes to tcp_proxy's own cluster, and a later
// request whose route leads elsewhere is a route mismatch, counted and handled as route_mismatch says; the access
// log names the cluster that served it. Real Dubbo peers: v1 behind tcp_proxy's cluster, v2 behind a subset route.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "dubbo", statPrefix: "demo" };
const REFILL_MS = 1000;

/** sayHello goes to v2 and may be called once per refill interval; the access log shows where each call went. */
function pluginConfiguration(mismatch: "forward" | "reject"): string {
  return JSON.stringify({
    stat_prefix: "demo",
    access_log: { format: "%METHOD% %CLUSTER% %RESPONSE_STATUS% %RESPONSE_CODE_DETAILS%" },
    routes: [
      { name: "hello-v2", match: { metadata: [{ name: "method", exact_match: "sayHello" }] }, route: { cluster: "v2" } },
      { name: "default", route: { cluster: "dubbo_provider" } },
    ],
    route_mismatch: mismatch,
    local_ratelimit: {
      conditions: [{ match: { metadata: [{ name: "method", exact_match: "sayHello" }] }, token_bucket: { max_tokens: 1, fill_interval: `${REFILL_MS / 1000}s` } }],
    },
  });
}

for (const mismatch of ["reject", "forward"] as const) {
  describe(`a connection whose first request was over the limit, route_mismatch: ${mismatch}`, { timeout: 30_000 }, () => {
    let v1: DubboProvider;
    let v2: DubboProvider;
    let host: RunningHost;
    const consumers: DubboConsumer[] = [];

    before(async () => {
      v1 = await startDubboProvider();
      v2 = await startDubboProvider();
      const config = bootstrapFor("envoy/dubbo.yaml", { dubbo_provider: v1.port, v2: v2.port }, pluginConfiguration(mismatch));
      config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
      host = await startTestHost(config, "dubbo");
    });
    after(async () => {
      for (const consumer of consumers) await consumer.close();
      await host?.stop();
      await v1?.close();
      await v2?.close();
    });

    it("stays on tcp_proxy's cluster, and a later request routed to v2 is a counted mismatch, not a silent v1 call", async () => {
      const first = await connectDubboConsumer(host.port);
      consumers.push(first);
      assert.equal(await first.invoke("sayHello", ["takes the token"]), "Hello takes the token");
      assert.equal(v2.calls.length, 1);

      const second = await connectDubboConsumer(host.port);
      consumers.push(second);
      await assert.rejects(second.invoke("sayHello", ["over the limit"]), /over the local rate limit/);
      await new Promise((resolve) => setTimeout(resolve, REFILL_MS + 200));
      const again = second.invoke("sayHello", ["after the refill"]);
      if (mismatch === "reject") {
        await assert.rejects(again, /route 'hello-v2' leads elsewhere than this connection/);
        assert.equal(v1.calls.length, 0);
      } else {
        assert.equal(await again, "Hello after the refill");
        assert.deepEqual(v1.calls.map((c) => c.method), ["sayHello"]);
      }
      assert.equal(v2.calls.length, 1);
      await eventually(async () => total(await host.prometheus(), PLUGIN, "route_mismatch") === 1, "route_mismatch = 1");
      const stats = await host.prometheus();
      assert.equal(total(stats, PLUGIN, "cx_cluster_chosen"), 1);
      assert.equal(total(stats, PLUGIN, "cx_cluster_tcp_proxy"), 1);
      const lines = host.logs.map((line) => line.slice(line.indexOf(": ") + 2)).filter((line) => line.startsWith("sayHello "));
      assert.deepEqual(lines, [
        "sayHello v2 ok -",
        "sayHello dubbo_provider error over_limit",
        mismatch === "reject" ? "sayHello dubbo_provider error route_not_found" : "sayHello dubbo_provider ok -",
      ]);
    });
  });
}

// Error replies through the carrier, with the real Dubbo and Thrift peers: a request with no route gets the
// protocol's error for that call only, and the other calls in flight on the same connection complete normally.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { connectThriftClient, Operation } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

/** Routes matching `methods` to `cluster`; every other method has no route. */
function routesFor(cluster: string, methods: string): string {
  return JSON.stringify({
    stat_prefix: "demo",
    routes: [{ name: "known", match: { metadata: [{ name: "method", safe_regex_match: { regex: methods } }] }, route: { cluster } }],
  });
}

describe("Dubbo route-not-found through a heartbeat carrier", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let consumer: DubboConsumer;

  before(async () => {
    provider = await startDubboProvider();
    const config = bootstrapFor("envoy/dubbo.yaml", provider.port, routesFor("dubbo_provider", "sayHello|slow"));
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
    host = await startTestHost(config, "dubbo");
    consumer = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await consumer?.close();
    await host?.stop();
    await provider?.close();
  });

  it("fails only the call with no route; the calls around it complete", async () => {
    const slow = consumer.invoke("slow", [200, "slow-one"]);
    const lost = consumer.invoke("echoMap", [{ a: 1 }]);
    const hello = consumer.invoke("sayHello", ["world"]);
    await assert.rejects(lost, /no route matches this request/);
    assert.equal(await hello, "Hello world");
    assert.equal(await slow, "slow-one");
    assert.ok(!provider.calls.some((c) => c.method === "echoMap"), "the provider never saw the rejected call");
    const exposition = await host.prometheus();
    assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "route_not_found"), 1);
    assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "request_active"), 0);
  });
});

describe("Thrift route-not-found through an unknown-method carrier", { timeout: 30_000 }, () => {
  for (const transport of ["framed", "header"] as const) {
    describe(`${transport} binary`, () => {
      let server: ThriftServer;
      let host: RunningHost;

      before(async () => {
        server = await startThriftServer({ transport, protocol: "binary" });
        const config = bootstrapFor("envoy/thrift.yaml", server.port, routesFor("thrift_server", "slow|zip"));
        config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
        host = await startTestHost(config, "thrift");
      });
      after(async () => {
        await host?.stop();
        await server?.close();
      });

      it("raises a TApplicationException for that call only", async () => {
        const client = await connectThriftClient({ port: host.port, transport, protocol: "binary" });
        const slow = client.calculator.slow(200, "slow-one");
        const lost = client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1, 2] });
        const fast = client.calculator.slow(10, "fast-one");
        await assert.rejects(lost, (error: any) => /no route matches this request/.test(error?.message) && error?.type === 6);
        assert.equal(await fast, "fast-one");
        assert.equal(await slow, "slow-one");
        await client.close();
        assert.ok(!server.calls.some((c: any) => c.method === "calculate"), "the server never saw the rejected call");
        assert.equal(total(await host.prometheus(), { protocol: "thrift", statPrefix: "demo" }, "route_not_found"), 1);
      });
    });
  }
});

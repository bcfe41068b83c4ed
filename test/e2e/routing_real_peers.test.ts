// Method-based connection routing with the real Dubbo and Thrift peers: two provider instances (v1, v2), a route
// by method to v2 with a request mutation the provider sees, and a weighted route spread over both.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { connectThriftClient } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const CONNECTIONS = 40;

/** `v2Method` goes to v2 with x-version=v2; `weightedMethod` is split 50/50 over v1 and v2. */
function routes(v2Method: string, weightedMethod: string): string {
  return JSON.stringify({
    stat_prefix: "demo",
    routes: [
      {
        name: "to-v2",
        match: { metadata: [{ name: "method", exact_match: v2Method }] },
        route: { cluster: "v2" },
        request_mutation: [{ key: "x-version", value: "v2" }],
      },
      {
        name: "split",
        match: { metadata: [{ name: "method", exact_match: weightedMethod }] },
        route: { weighted_clusters: { clusters: [{ name: "v1", weight: 50 }, { name: "v2", weight: 50 }] } },
      },
    ],
  });
}

/** The protocol's bootstrap with clusters v1 and v2, tcp_proxy allowing the early data connection routing needs. */
async function hostFor(path: string, listener: string, upstream: string, v1: number, v2: number, plugin: string): Promise<RunningHost> {
  const config = bootstrapFor(path, { [upstream]: v1, v1, v2 }, plugin);
  config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
  return startTestHost(config, listener);
}

describe("Dubbo connection routing to v1/v2 providers", { timeout: 60_000 }, () => {
  let v1: DubboProvider;
  let v2: DubboProvider;
  let host: RunningHost;

  before(async () => {
    v1 = await startDubboProvider();
    v2 = await startDubboProvider();
    host = await hostFor("envoy/dubbo.yaml", "dubbo", "dubbo_provider", v1.port, v2.port, routes("sayHello", "slow"));
  });
  after(async () => {
    await host?.stop();
    await v1?.close();
    await v2?.close();
  });

  it("sends sayHello connections to v2 with the x-version attachment, and splits weighted ones over both", async () => {
    const consumer = await connectDubboConsumer(host.port);
    assert.equal(await consumer.invoke("sayHello", ["v2?"]), "Hello v2?");
    await consumer.close();
    assert.equal(v1.calls.length, 0);
    assert.equal(v2.calls.length, 1);
    assert.equal(v2.calls[0].attachments["x-version"], "v2");

    for (let i = 0; i < CONNECTIONS; i++) {
      const c = await connectDubboConsumer(host.port);
      assert.equal(await c.invoke("slow", [1, `w${i}`]), `w${i}`);
      await c.close();
    }
    const toV1 = v1.calls.filter((c) => c.method === "slow").length;
    const toV2 = v2.calls.filter((c) => c.method === "slow").length;
    assert.equal(toV1 + toV2, CONNECTIONS);
    assert.ok(toV1 >= 8 && toV2 >= 8, `${CONNECTIONS} connections split ${toV1}/${toV2}`);
    assert.ok(!v1.calls.some((c) => c.attachments["x-version"] !== undefined), "only the v2 route adds x-version");
    assert.equal(total(await host.prometheus(), { protocol: "dubbo", statPrefix: "demo" }, "route_not_found") ?? 0, 0);
  });
});

describe("Thrift (THeader) connection routing to v1/v2 servers", { timeout: 60_000 }, () => {
  let v1: ThriftServer;
  let v2: ThriftServer;
  let host: RunningHost;

  before(async () => {
    v1 = await startThriftServer({ transport: "header", protocol: "binary" });
    v2 = await startThriftServer({ transport: "header", protocol: "binary" });
    host = await hostFor("envoy/thrift.yaml", "thrift", "thrift_server", v1.port, v2.port, routes("calculate", "slow"));
  });
  after(async () => {
    await host?.stop();
    await v1?.close();
    await v2?.close();
  });

  it("sends calculate connections to v2 with the x-version header, and splits weighted ones over both", async () => {
    const client = await connectThriftClient({ port: host.port, transport: "header", protocol: "binary" });
    await client.calculator.calculate({ id: 1, op: 1, operands: [1, 2] });
    await client.close();
    assert.equal(v1.calls.length, 0);
    assert.equal(v2.calls.length, 1);
    assert.equal(v2.calls[0].headers?.["x-version"], "v2");

    for (let i = 0; i < CONNECTIONS; i++) {
      const c = await connectThriftClient({ port: host.port, transport: "header", protocol: "binary" });
      assert.equal(await c.calculator.slow(1, `w${i}`), `w${i}`);
      await c.close();
    }
    const toV1 = v1.calls.filter((c) => c.method === "slow").length;
    const toV2 = v2.calls.filter((c) => c.method === "slow").length;
    assert.equal(toV1 + toV2, CONNECTIONS);
    assert.ok(toV1 >= 8 && toV2 >= 8, `${CONNECTIONS} connections split ${toV1}/${toV2}`);
  });
});

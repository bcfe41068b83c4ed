// Local rate limit with the real peers: buckets live in Envoy's shared data, so connections handled by different
// worker VMs (the host runs two) draw from the same bucket, and the counts are exact; Dubbo and Thrift clients see
// their protocol's over-limit error for the limited call only.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider } from "../peers/dubbo/provider.ts";
import { connectThriftClient } from "../peers/thrift/client.ts";
import { startThriftServer } from "../peers/thrift/server.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const LIMITS = {
  stat_prefix: "demo",
  local_ratelimit: {
    token_bucket: { max_tokens: 4, tokens_per_fill: 4, fill_interval: "3600s" },
    conditions: [
      { match: { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] }, token_bucket: { max_tokens: 1, fill_interval: "3600s" } },
    ],
  },
};

describe("local rate limit through the wasm filter", () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", server.port, JSON.stringify(LIMITS)), "awesomerpc", 2);
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("lets exactly the bucket's tokens through across connections on two worker VMs, and answers the rest over limit", async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => AwesomeRpcClient.connect(host.port)));
    const replies = [];
    for (let round = 0; round < 2; round++) {
      for (const client of clients) replies.push(await client.call(Command.Echo, `r${round}`));
    }
    const upper = [await clients[0].call(Command.Upper, "a"), await clients[1].call(Command.Upper, "b")];
    clients.forEach((c) => c.close());
    assert.equal(replies.filter((r) => r.responseCode === 0).length, 4);
    assert.equal(replies.filter((r) => r.responseCode === 1).length, 4); // awesomerpc's error reply
    assert.deepEqual(upper.map((r) => r.responseCode), [0, 1]);
    assert.equal(server.received.filter((r) => r.command !== -1).length, 5, "the server saw only the admitted calls");
    const exposition = await host.prometheus();
    assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "ratelimit_ok"), 5);
    assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "rate_limited"), 5);
  });
});

describe("local rate limit with the real Dubbo and Thrift peers", { timeout: 30_000 }, () => {
  const limit = (method: string, tokens: number) =>
    JSON.stringify({
      stat_prefix: "demo",
      local_ratelimit: {
        conditions: [{ match: { metadata: [{ name: "method", exact_match: method }] }, token_bucket: { max_tokens: tokens, fill_interval: "3600s" } }],
      },
    });

  it("Dubbo: exactly 2 sayHello calls pass, the 3rd gets the over-limit error, other methods are not limited", async () => {
    const provider = await startDubboProvider();
    const host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", provider.port, limit("sayHello", 2)), "dubbo");
    try {
      const consumer = await connectDubboConsumer(host.port);
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await consumer.invoke("sayHello", [`n${i}`]).then((v) => v, (e: Error) => e));
      assert.equal(await consumer.invoke("slow", [1, "free"]), "free");
      await consumer.close();
      assert.deepEqual(results.slice(0, 2), ["Hello n0", "Hello n1"]);
      assert.ok(results[2] instanceof Error && /over the local rate limit/.test(results[2].message), String(results[2]));
      assert.equal(provider.calls.filter((c) => c.method === "sayHello").length, 2);
      const exposition = await host.prometheus();
      assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "rate_limited"), 1);
      assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "ratelimit_ok"), 2);
    } finally {
      await host.stop();
      await provider.close();
    }
  });

  it("Thrift: exactly 1 slow call passes, the 2nd raises a TApplicationException", async () => {
    const server = await startThriftServer({ transport: "framed", protocol: "compact" });
    const host = await startTestHost(bootstrapFor("envoy/thrift.yaml", server.port, limit("slow", 1)), "thrift");
    try {
      const client = await connectThriftClient({ port: host.port, transport: "framed", protocol: "compact" });
      assert.equal(await client.calculator.slow(1, "first"), "first");
      await assert.rejects(client.calculator.slow(1, "second"), (error: any) => /over the local rate limit/.test(error?.message));
      await client.close();
      assert.equal(server.calls.filter((c) => c.method === "slow").length, 1);
      assert.equal(total(await host.prometheus(), { protocol: "thrift", statPrefix: "demo" }, "rate_limited"), 1);
    } finally {
      await host.stop();
      await server.close();
    }
  });
});

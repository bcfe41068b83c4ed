// Local rate limit with the real awesomerpc peers: buckets live in Envoy's shared data, so connections handled by
// different worker VMs (the host runs two) draw from the same bucket, and the counts are exact.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, metric, startTestHost, type RunningHost } from "./host_fixture.ts";

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
    assert.equal(metric(exposition, "meta_protocol_awesomerpc_demo_ratelimit_ok"), 5);
    assert.equal(metric(exposition, "meta_protocol_awesomerpc_demo_rate_limited"), 5);
  });
});

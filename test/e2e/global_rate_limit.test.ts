// Global rate limit with a real rate limit service (@grpc/grpc-js serving Envoy's rls.proto) and real peers: the
// filter asks ShouldRateLimit per matching request over proxy_grpc_call, holds the connection's later bytes in
// order until the answer, and turns OVER_LIMIT into the protocol's error reply for that call only.
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { encodeFrame, FrameReader } from "../peers/awesomerpc/protocol.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { connectThriftClient } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { startRateLimitService, type RunningRateLimitService } from "../peers/ratelimit/server.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

// A name whose bytes also parse as a serialized GrpcService (field 13, varint 0x32), which is how Envoy reads the
// `service` argument of proxy_grpc_call first: the filter must send a GrpcService naming the cluster.
const RLS_CLUSTER = "h2";

function globalLimit(methodKey: string, match: object | undefined, extra: object = {}): object {
  return {
    domain: "production",
    ...(match ? { match } : {}),
    descriptors: [{ property: methodKey, descriptor_key: "method" }],
    rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: RLS_CLUSTER } } },
    timeout: "2s",
    ...extra,
  };
}

/** The protocol's bootstrap with its upstream and a rate limit service cluster speaking HTTP/2. */
function bootstrapWithRls(path: string, upstream: string, upstreamPort: number, rlsPort: number, plugin: object): any {
  const config = bootstrapFor(path, { [upstream]: upstreamPort, [RLS_CLUSTER]: rlsPort }, JSON.stringify(plugin));
  const rls = config.static_resources.clusters.find((c: any) => c.name === RLS_CLUSTER);
  rls.typed_extension_protocol_options = {
    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
      "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
      explicit_http_config: { http2_protocol_options: {} },
    },
  };
  return config;
}

describe("global rate limit with awesomerpc", { timeout: 30_000 }, () => {
  let server: AwesomeRpcServer;
  let rls: RunningRateLimitService;
  let host: RunningHost;

  const start = async (options: { limit: number; delayMs?: number; failWith?: grpc.status }, extra: object = {}) => {
    server = await startAwesomeRpcServer();
    rls = await startRateLimitService(options);
    const match = { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] };
    const plugin = { stat_prefix: "demo", ratelimit: globalLimit("cmd", match, extra) };
    host = await startTestHost(bootstrapWithRls("envoy/awesomerpc.yaml", "awesomerpc_server", server.port, rls.port, plugin), "awesomerpc");
  };
  const stop = async () => {
    await host?.stop();
    await rls?.close();
    await server?.close();
  };

  describe("a limit of 2 per method, answers delayed by 50 ms", () => {
    before(() => start({ limit: 2, delayMs: 50 }));
    after(stop);

    it("admits exactly the limit, rejects the rest with an error reply, and never reorders a connection's requests", async () => {
      const client = await AwesomeRpcClient.connect(host.port);
      const sent = [Command.Upper, Command.Echo, Command.Upper, Command.Echo, Command.Upper, Command.Echo];
      const replies = await Promise.all(sent.map((command, i) => client.call(command, `m${i}`)));
      client.close();
      assert.deepEqual(replies.map((r) => r.responseCode), [0, 0, 0, 0, 1, 0]);
      assert.equal(replies[0].body, "M0");
      // The third Upper became a carrier (command 0xffff, answered by the server with an error) in its place.
      assert.deepEqual(server.received.map((r) => r.command), [2, 1, 2, 1, -1, 1]);
      assert.deepEqual(server.received.map((r) => r.requestId), [1, 2, 3, 4, 5, 6]);
      assert.equal(rls.requests.length, 3, "only the matching requests were checked");
      assert.deepEqual(rls.requests[0], { domain: "production", descriptors: [[{ key: "method", value: String(Command.Upper) }]] });
      const exposition = await host.prometheus();
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "global_ratelimit_ok"), 2);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "global_ratelimit_over_limit"), 1);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "rate_limited"), 1);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "request_active"), 0);
    });
  });

  describe("a service slower than the timeout", () => {
    before(() => start({ limit: 100, delayMs: 1000 }, { timeout: "0.1s" }));
    after(stop);

    it("lets the request through when failure_mode_deny is off, and counts the error", async () => {
      const client = await AwesomeRpcClient.connect(host.port);
      const t0 = Date.now();
      const reply = await client.call(Command.Upper, "late");
      const elapsed = Date.now() - t0;
      client.close();
      assert.equal(reply.responseCode, 0);
      assert.ok(elapsed >= 90 && elapsed < 900, `held until the timeout, not the answer (${elapsed} ms)`);
      const exposition = await host.prometheus();
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "global_ratelimit_error"), 1);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "global_ratelimit_failure_mode_allowed"), 1);
    });
  });

  describe("a failing service with failure_mode_deny", () => {
    before(() => start({ limit: 100, failWith: grpc.status.UNAVAILABLE }, { failure_mode_deny: true }));
    after(stop);

    it("rejects the checked request only", async () => {
      const client = await AwesomeRpcClient.connect(host.port);
      const [checked, free] = await Promise.all([client.call(Command.Upper, "x"), client.call(Command.Echo, "y")]);
      client.close();
      assert.equal(checked.responseCode, 1);
      assert.equal(free.responseCode, 0);
      assert.equal(free.body, "y");
      const exposition = await host.prometheus();
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "global_ratelimit_error"), 1);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "rate_limited"), 1);
    });
  });

  describe("a client that goes away while its request waits for the service", () => {
    before(() => start({ limit: 100, delayMs: 300 }));
    after(stop);

    it("drops the paused request on a reset, and counts the connection as closed with an active request", async () => {
      const socket = net.connect({ port: host.port, host: "127.0.0.1" });
      await once(socket, "connect");
      socket.write(encodeFrame({ requestId: 1, command: Command.Upper, responseCode: 0, body: Buffer.from("never") }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 400)); // the answer arrives for a connection that is gone
      assert.equal(server.received.length, 0);
      const exposition = await host.prometheus();
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "cx_destroy_remote_with_active_rq"), 1);
      assert.equal(total(exposition, { protocol: "awesomerpc", statPrefix: "demo" }, "request_active"), 0);
    });

    it("still delivers the request of a client that half-closed after sending it, and its answer", async () => {
      const socket = net.connect({ port: host.port, host: "127.0.0.1" });
      await once(socket, "connect");
      const reader = new FrameReader();
      const answers: number[] = [];
      socket.on("data", (chunk) => reader.push(chunk).forEach((f) => answers.push(f.requestId)));
      socket.end(encodeFrame({ requestId: 9, command: Command.Upper, responseCode: 0, body: Buffer.from("bye") }));
      await once(socket, "close");
      assert.deepEqual(answers, [9]);
      assert.equal(server.received.at(-1)?.requestId, 9);
    });
  });
});

describe("global rate limit on the first request of a routed connection", { timeout: 30_000 }, () => {
  let a: AwesomeRpcServer;
  let b: AwesomeRpcServer;
  let rls: RunningRateLimitService;
  let host: RunningHost;

  before(async () => {
    a = await startAwesomeRpcServer();
    b = await startAwesomeRpcServer();
    rls = await startRateLimitService({ limit: 1, delayMs: 50 });
    const plugin = {
      stat_prefix: "demo",
      routes: [
        { name: "upper", match: { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] }, route: { cluster: "server_b" } },
        { name: "rest", route: { cluster: "server_a" } },
      ],
      ratelimit: globalLimit("cmd", { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] }),
    };
    const config = bootstrapFor(
      "envoy/awesomerpc.yaml",
      { awesomerpc_server: a.port, server_a: a.port, server_b: b.port, [RLS_CLUSTER]: rls.port },
      JSON.stringify(plugin),
    );
    config.static_resources.clusters.find((c: any) => c.name === RLS_CLUSTER).typed_extension_protocol_options = {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    };
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
    host = await startTestHost(config, "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await rls?.close();
    await a?.close();
    await b?.close();
  });

  it("holds the new connection through the check, then routes it by that request (and rejects the next one over the limit)", async () => {
    const first = await AwesomeRpcClient.connect(host.port);
    const [checked, behind] = await Promise.all([first.call(Command.Upper, "first"), first.call(Command.Echo, "behind")]);
    first.close();
    assert.deepEqual(checked, { responseCode: 0, body: "FIRST" });
    assert.deepEqual(behind, { responseCode: 0, body: "behind" });
    assert.deepEqual(b.received.map((r) => r.requestId), [1, 2], "the connection went to server_b, in order");
    assert.equal(a.received.length, 0);

    const second = await AwesomeRpcClient.connect(host.port);
    const overLimit = await second.call(Command.Upper, "second");
    second.close();
    assert.equal(overLimit.responseCode, 1, "over the limit: the error reply");
    assert.equal(b.received.length, 2, "the rejected first request went nowhere near server_b");
  });
});

describe("global rate limit with real Dubbo peers", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let rls: RunningRateLimitService;
  let host: RunningHost;

  before(async () => {
    provider = await startDubboProvider();
    rls = await startRateLimitService({ limit: 2 });
    const plugin = { stat_prefix: "demo", ratelimit: globalLimit("method", { metadata: [{ name: "method", exact_match: "sayHello" }] }) };
    host = await startTestHost(bootstrapWithRls("envoy/dubbo.yaml", "dubbo_provider", provider.port, rls.port, plugin), "dubbo");
  });
  after(async () => {
    await host?.stop();
    await rls?.close();
    await provider?.close();
  });

  it("lets 2 sayHello calls through and fails the 3rd with the over-limit error; other methods are not checked", async () => {
    const consumer = await connectDubboConsumer(host.port);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await consumer.invoke("sayHello", [`n${i}`]).then((v) => v, (e: Error) => e));
    const echo = await consumer.invoke("slow", [1, "unchecked"]);
    await consumer.close();
    assert.equal(results[0], "Hello n0");
    assert.equal(results[1], "Hello n1");
    assert.ok(results[2] instanceof Error && /over the global rate limit/.test(results[2].message), String(results[2]));
    assert.equal(echo, "unchecked");
    assert.equal(provider.calls.filter((c) => c.method === "sayHello").length, 2);
    assert.equal(rls.requests.length, 3);
    assert.deepEqual(rls.requests[0].descriptors, [[{ key: "method", value: "sayHello" }]]);
    assert.equal(total(await host.prometheus(), { protocol: "dubbo", statPrefix: "demo" }, "global_ratelimit_over_limit"), 1);
  });
});

describe("global rate limit with real Thrift peers", { timeout: 30_000 }, () => {
  let server: ThriftServer;
  let rls: RunningRateLimitService;
  let host: RunningHost;

  before(async () => {
    server = await startThriftServer({ transport: "framed", protocol: "binary" });
    rls = await startRateLimitService({ limit: 1 });
    const plugin = { stat_prefix: "demo", ratelimit: globalLimit("method", undefined) };
    host = await startTestHost(bootstrapWithRls("envoy/thrift.yaml", "thrift_server", server.port, rls.port, plugin), "thrift");
  });
  after(async () => {
    await host?.stop();
    await rls?.close();
    await server?.close();
  });

  it("admits one call per method and raises a TApplicationException for the next", async () => {
    const client = await connectThriftClient({ port: host.port, transport: "framed", protocol: "binary" });
    assert.equal(await client.calculator.slow(1, "first"), "first");
    await assert.rejects(client.calculator.slow(1, "second"), (error: any) => /over the global rate limit/.test(error?.message));
    await client.close();
    assert.equal(server.calls.length, 1);
    assert.equal(rls.requests.length, 2);
  });
});

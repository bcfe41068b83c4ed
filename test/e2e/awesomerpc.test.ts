// awesomerpc end to end: the real sample client and server, through build/awesomerpc.wasm on the bundled host,
// running envoy/awesomerpc.yaml.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { encodeFrame } from "../peers/awesomerpc/protocol.ts";
import { Command, startAwesomeRpcServer, UNKNOWN_COMMAND, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "awesomerpc", statPrefix: "demo" };

describe("awesomerpc through the wasm filter", () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", server.port), "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("answers every command, error codes included", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await client.call(Command.Echo, "hello"), { responseCode: 0, body: "hello" });
    assert.deepEqual(await client.call(Command.Upper, "abc"), { responseCode: 0, body: "ABC" });
    assert.deepEqual(await client.call(77, "x"), { responseCode: UNKNOWN_COMMAND, body: "unknown command" });
    client.close();
  });

  it("matches 200 concurrent calls on one connection answered out of order, and counts them", async () => {
    const before = await host.prometheus();
    const requestsBefore = total(before, PLUGIN, "request") ?? 0;
    const logBefore = host.accessLog().length;
    const client = await AwesomeRpcClient.connect(host.port);
    const calls = Array.from({ length: 200 }, (_, i) => client.call(Command.Delay, String((i * 7) % 23)));
    const replies = await Promise.all(calls);
    replies.forEach((reply, i) => assert.equal(reply.body, String((i * 7) % 23)));
    client.close();

    await eventually(async () => total(await host.prometheus(), PLUGIN, "response_success") !== undefined, "metrics");
    const after = await host.prometheus();
    assert.equal(total(after, PLUGIN, "request")! - requestsBefore, 200);
    assert.equal(total(after, PLUGIN, "request_active"), 0);
    const lines = host.accessLog().slice(logBefore);
    assert.equal(lines.length, 200);
    assert.match(lines[0], /access protocol=awesomerpc connection=\d+ request_id=\d+ cmd=3 request_bytes=1[45] response=ok response_bytes=1[45] duration_us=\d+/);
  });

  it("reassembles requests written one byte at a time", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    const reply = await client.call(Command.Echo, "fragmented", 64);
    assert.deepEqual(reply, { responseCode: 0, body: "fragmented" });
    client.close();
  });

  it("serves 20 connections at once", async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => AwesomeRpcClient.connect(host.port)));
    const replies = await Promise.all(
      clients.flatMap((client, c) => Array.from({ length: 20 }, (_, i) => client.call(Command.Echo, `${c}-${i}`))),
    );
    assert.equal(replies.length, 400);
    assert.equal(replies[399].body, "19-19");
    clients.forEach((c) => c.close());
  });

  it("closes only the connection that sends a malformed frame, and counts it", async () => {
    const errorsBefore = total(await host.prometheus(), PLUGIN, "request_decoding_error") ?? 0;
    const healthy = await AwesomeRpcClient.connect(host.port);
    const inFlight = healthy.call(Command.Delay, "100");
    const bad = await AwesomeRpcClient.connect(host.port);
    const malformed = encodeFrame({ requestId: 1, command: 1, responseCode: 0, body: Buffer.alloc(0) });
    malformed.writeUInt32BE(5, 5); // total length shorter than the header
    bad.writeRaw(malformed);
    await bad.closed();
    assert.deepEqual(await inFlight, { responseCode: 0, body: "100" });
    assert.deepEqual(await healthy.call(Command.Echo, "still here"), { responseCode: 0, body: "still here" });
    healthy.close();
    const after = await host.prometheus();
    assert.equal(total(after, PLUGIN, "request_decoding_error")! - errorsBefore, 1);
    assert.ok(host.logs.some((l) => l.includes("closed: malformed frame header")));
  });

  it("closes a connection announcing a frame over max_frame_size before buffering it", async () => {
    const bad = await AwesomeRpcClient.connect(host.port);
    const header = encodeFrame({ requestId: 9, command: 1, responseCode: 0, body: Buffer.alloc(0) });
    header.writeUInt32BE(64 * 1024 * 1024, 5);
    bad.writeRaw(header);
    await bad.closed();
    assert.ok(host.logs.some((l) => l.includes("closed: frame larger than max_frame_size")));
  });
});

describe("awesomerpc plugin configuration", () => {
  it("is refused, naming the field, when it has an unknown field", async () => {
    const logs: string[] = [];
    const config = bootstrapFor("envoy/awesomerpc.yaml", 1, '{"max_frame_sise": 100}');
    await assert.rejects(async () => {
      const { startHost } = await import("../host/proxy/server.ts");
      const host = await startHost({ config, log: (_l, m) => logs.push(m) });
      await host.stop();
    });
    assert.ok(logs.some((l) => l.includes("invalid plugin configuration: unknown field 'max_frame_sise'")), logs.join("\n"));
  });
});

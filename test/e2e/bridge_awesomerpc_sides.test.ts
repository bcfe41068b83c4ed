// Each side of the bridge on its own with awesomerpc, against Node's http2 (nghttp2) and the sample awesomerpc peers
// (test/peers/awesomerpc). What it proves:
// - client side: the sample client → build/awesomerpc.wasm in bridge client mode → tcp_proxy → a Node HTTP/2 server
//   in the HTTP connection manager's place, relaying to the sample server with the stream id as request id. Each call
//   is a POST on `//<cmd>` (awesomerpc has no service) with the configured authority, application/x-awesomerpc and
//   the `cmd` header; answers get the client's request id back, out of order with many calls in flight, the server's
//   error code as it sent it; Envoy's own replies (404, 504, 429) and a reset stream become awesomerpc's error reply
//   (code 1, which carries no message); after Envoy's GOAWAY the processed call completes and a new one is refused.
// - server side: a Node HTTP/2 client in Envoy's router's place → build/awesomerpc.wasm in bridge server mode →
//   tcp_proxy → the sample server. The answer is a marked 200 whose request id is the stream id; a non-zero response
//   code is 500; SETTINGS arrive on a fresh connection (a carrier the server answers), a keepalive PING is
//   acknowledged, and a first body with an impossible frame length is reset with PROTOCOL_ERROR.
// awesomerpc has no headers of its own beyond `cmd`, no oneway calls and no heartbeat.
import assert from "node:assert/strict";
import http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { awesomeRpcFrameIds } from "../peers/awesomerpc/frame_ids.ts";
import { encodeFrame } from "../peers/awesomerpc/protocol.ts";
import { Command, startAwesomeRpcServer, UNKNOWN_COMMAND, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bridgeCall, resetCodeOf, type Http2Answer } from "./bridge_http2_call.ts";
import { Http2Relay } from "./bridge_http2_relay.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost } from "./host_fixture.ts";

const AUTHORITY = "demo.awesomerpc.svc";
const CLIENT_SIDE = JSON.stringify({ stat_prefix: "client", mode: "bridge", bridge: { side: "client", authority: AUTHORITY } });
const SERVER_SIDE = JSON.stringify({ stat_prefix: "server", mode: "bridge", bridge: { side: "server" } });
/** The code of awesomerpc's error reply (the codec's encodeError); it has an empty body. */
const ERROR_REPLY = { responseCode: 1, body: "" };

describe("bridge client side (awesomerpc) against Node's http2", { timeout: 60_000 }, () => {
  let server: AwesomeRpcServer;
  let relay: Http2Relay;
  let host: RunningHost;
  let client: AwesomeRpcClient;

  before(async () => {
    server = await startAwesomeRpcServer();
    relay = new Http2Relay(awesomeRpcFrameIds, server.port);
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", await relay.listen(), CLIENT_SIDE), "awesomerpc");
    client = await AwesomeRpcClient.connect(host.port);
  });
  after(async () => {
    // The relay first: after its GOAWAY the client side does not pass the client's FIN on.
    await relay?.close();
    client?.close();
    await host?.stop();
    await server?.close();
  });

  it("sends each call as an HTTP/2 POST on //<cmd> with the authority, content type and cmd header", async () => {
    assert.deepEqual(await client.call(Command.Upper, "hello"), { responseCode: 0, body: "HELLO" });
    const call = relay.seen.at(-1)!;
    assert.equal(call.headers[":method"], "POST");
    assert.equal(call.headers[":path"], `//${Command.Upper}`);
    assert.equal(call.headers[":authority"], AUTHORITY);
    assert.equal(call.headers["content-type"], "application/x-awesomerpc");
    assert.equal(call.headers["cmd"], String(Command.Upper));
    assert.equal(call.body.readUInt32BE(5), call.body.length, "the body is the whole awesomerpc frame");
    assert.equal(server.received.at(-1)!.requestId, 1, "the server saw the stream id");
  });

  it("gives each answer the client's request id back, out of order and concurrently, with the server's code", async () => {
    const delays = Array.from({ length: 50 }, (_, i) => String(((50 - i) % 7) * 10));
    const answers = await Promise.all(delays.map((ms) => client.call(Command.Delay, ms)));
    assert.deepEqual(answers.map((a) => a.body), delays);
    assert.deepEqual(await client.call(77, "x"), { responseCode: UNKNOWN_COMMAND, body: "unknown command" });
  });

  it("turns Envoy's own replies and a reset stream into awesomerpc's error reply", async () => {
    relay.answers.set(String(Command.Echo), { status: 404, body: "" });
    relay.answers.set(String(Command.Delay), { status: 504, body: "upstream request timeout" });
    relay.answers.set(String(Command.Upper), { status: 429, body: "local_rate_limited" });
    relay.answers.set("77", "reset");
    try {
      for (const command of [Command.Echo, Command.Delay, Command.Upper, 77]) {
        assert.deepEqual(await client.call(command, "1"), ERROR_REPLY, `command ${command}`);
      }
    } finally {
      relay.answers.clear();
    }
    // Other calls on the same connection are unaffected.
    assert.deepEqual(await client.call(Command.Echo, "again"), { responseCode: 0, body: "again" });
    assert.equal(relay.sessions, 1, "one HTTP/2 connection carried everything");
  });

  // Last: the connection cannot carry new calls afterwards.
  it("after Envoy's GOAWAY, completes the calls Envoy processed and answers new ones with an error", async () => {
    relay.goAwayAtNextCall = true;
    const processed = client.call(Command.Delay, "300");
    await eventually(() => relay.seen.at(-1)?.headers[":path"] === `//${Command.Delay}`, "the delayed call at the relay");
    assert.deepEqual(await client.call(Command.Echo, "late"), ERROR_REPLY);
    assert.deepEqual(await processed, { responseCode: 0, body: "300" });
  });
});

describe("bridge server side (awesomerpc) against Node's http2", { timeout: 60_000 }, () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;
  let session: http2.ClientHttp2Session;
  const carriers = async () => Number(/server;\.;bridge_carrier: (\d+)/.exec(await host.statsText())?.[1] ?? 0);
  const frame = (command: number, body: string) => encodeFrame({ requestId: 7, command, responseCode: 0, body: Buffer.from(body) });
  const call = (on: http2.ClientHttp2Session, command: number, body: string): Promise<Http2Answer> =>
    bridgeCall(on, { ":path": `//${command}`, ":authority": AUTHORITY, "content-type": "application/x-awesomerpc" }, frame(command, body));

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", server.port, SERVER_SIDE), "awesomerpc");
    session = http2.connect(`http://127.0.0.1:${host.port}`);
  });
  after(async () => {
    session?.close();
    await host?.stop();
    await server?.close();
  });

  it("turns a stream into a call with the stream id as request id, and the answer into a marked 200 response", async () => {
    const answer = await call(session, Command.Upper, "hello");
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.headers["x-meta-protocol-bridge"], "response");
    assert.equal(answer.headers["content-type"], "application/x-awesomerpc");
    assert.equal(awesomeRpcFrameIds.requestId(answer.body), 1, "the first stream's id");
    assert.equal(server.received.find((f) => f.command === Command.Upper)!.requestId, 1, "the server saw the stream id");
    assert.equal(answer.body.subarray(13).toString(), "HELLO");
  });

  it("maps a non-zero response code to 500 and keeps the server's answer as the body", async () => {
    const answer = await call(session, 77, "x");
    assert.equal(answer.headers[":status"], 500);
    assert.equal(answer.body.readInt16BE(11), UNKNOWN_COMMAND);
  });

  it("answers 100 concurrent streams on one connection, each with its own stream id, out of order", async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => call(session, Command.Delay, String((i * 7) % 30))));
    assert.equal(new Set(answers.map((a) => awesomeRpcFrameIds.requestId(a.body))).size, 100);
    answers.forEach((a, i) => assert.equal(a.body.subarray(13).toString(), String((i * 7) % 30)));
  });

  it("sends its SETTINGS on a fresh connection without waiting for an answer (a carrier the server answers)", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host.port}`);
    try {
      const settings = new Promise<http2.Settings>((resolve) => fresh.once("remoteSettings", resolve));
      const before = await carriers();
      // The server answers only after 500 ms: the SETTINGS must not wait for it.
      const slow = call(fresh, Command.Delay, "500");
      const remote = await settings;
      assert.equal(remote.initialWindowSize, 2 ** 31 - 1);
      assert.ok((await carriers()) > before, "a carrier made the server answer");
      assert.equal((await slow).headers[":status"], 200);
    } finally {
      fresh.close();
    }
  });

  it("acknowledges Envoy's keepalive PING on a carrier while the server is silent", async () => {
    const before = await carriers();
    const rtt = await new Promise<number>((resolve, reject) => session.ping((error, duration) => (error ? reject(error) : resolve(duration))));
    assert.ok(rtt >= 0);
    assert.equal(await carriers(), before + 1, "one carrier flushed the acknowledgement");
  });

  it("resets a first stream whose frame length is impossible at once, with PROTOCOL_ERROR", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host.port}`);
    try {
      const bad = frame(Command.Echo, "x");
      bad.writeUInt32BE(5, 5); // shorter than the header itself
      const code = resetCodeOf(fresh, { ":path": `//${Command.Echo}`, "content-type": "application/x-awesomerpc" }, bad);
      assert.equal(await code, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    } finally {
      fresh.close();
    }
  });
});

// Each side of the bridge on its own with Thrift, against Node's http2 (nghttp2) and real Apache Thrift peers (npm
// thrift 0.24, code generated from test/peers/thrift/demo.thrift). What it proves:
// - client side: a real client → build/thrift.wasm in bridge client mode → tcp_proxy → a Node HTTP/2 server in the
//   HTTP connection manager's place, relaying to a real server with the stream id as seqid. Each call is a POST on
//   `/<service>/<method>` (multiplexed) or `//<method>` (not multiplexed) with the configured authority and
//   application/x-thrift, THeader info headers become HTTP/2 headers; answers get the client's seqid back, out of
//   order with many calls in flight; Envoy's own replies (404, 504, 429) and a reset stream become a
//   TApplicationException INTERNAL_ERROR naming Envoy's status and body; after Envoy's GOAWAY the processed call
//   completes and a new one is refused.
// - server side: a Node HTTP/2 client in Envoy's router's place → build/thrift.wasm in bridge server mode → tcp_proxy
//   → a real server. Bodies are frames captured from real clients (test/peers/thrift/golden.json); the answer is a
//   marked 200 whose seqid (in THeader: both seqids) is the stream id; a TApplicationException maps to the status
//   docs/protocols.md gives (npm thrift writes no type: UNKNOWN, 500); headers Envoy added become THeader info headers
//   but its bookkeeping headers do not; a oneway call ends with an empty 200; SETTINGS arrive on a fresh connection
//   (a carrier the server answers), a keepalive PING is acknowledged, and a malformed first body is reset with
//   PROTOCOL_ERROR.
import assert from "node:assert/strict";
import http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import golden from "../peers/thrift/golden.json" with { type: "json" };
import { connectThriftClient, Operation, type ThriftClient, type ThriftClientOptions } from "../peers/thrift/client.ts";
import { thriftBinaryFrameIds } from "../peers/thrift/frame_ids.ts";
import { startThriftServer, type ThriftServer, type ThriftServerOptions } from "../peers/thrift/server.ts";
import { bridgeCall, resetCodeOf, type Http2Answer } from "./bridge_http2_call.ts";
import { Http2Relay } from "./bridge_http2_relay.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost } from "./host_fixture.ts";

const AUTHORITY = "demo.thrift.svc";
const CLIENT_SIDE = JSON.stringify({ stat_prefix: "client", mode: "bridge", bridge: { side: "client", authority: AUTHORITY } });
const SERVER_SIDE = JSON.stringify({ stat_prefix: "server", mode: "bridge", bridge: { side: "server" } });
/** TApplicationExceptionType INTERNAL_ERROR: the client side's answer to Envoy's own replies. */
const INTERNAL_ERROR = 6;

const isEnvoyError = (pattern: RegExp) => (e: any) => e.type === INTERNAL_ERROR && pattern.test(e.message);

/** A server, the relay in front of it, the host with the client side, and a client connected to it. */
class ClientSideSetup {
  server!: ThriftServer;
  relay!: Http2Relay;
  host!: RunningHost;
  client!: ThriftClient;

  async start(server: ThriftServerOptions, client: Omit<ThriftClientOptions, "port">): Promise<void> {
    this.server = await startThriftServer(server);
    this.relay = new Http2Relay(thriftBinaryFrameIds, this.server.port);
    this.host = await startTestHost(bootstrapFor("envoy/thrift.yaml", await this.relay.listen(), CLIENT_SIDE), "thrift");
    this.client = await connectThriftClient({ ...client, port: this.host.port });
  }

  async stop(): Promise<void> {
    // The relay first: after its GOAWAY the client side does not pass the client's FIN on, so the client's
    // connection ends only when the relay's does.
    await this.relay?.close();
    await this.client?.close();
    await this.host?.stop();
    await this.server?.close();
  }
}

describe("bridge client side (Thrift framed binary, multiplexed) against Node's http2", { timeout: 60_000 }, () => {
  const setup = new ClientSideSetup();
  let relay: Http2Relay;
  let client: ThriftClient;

  before(async () => {
    const options = { transport: "framed", protocol: "binary", multiplexed: true } as const;
    await setup.start(options, options);
    ({ relay, client } = setup);
  });
  after(() => setup.stop());

  it("sends each call as an HTTP/2 POST on /<service>/<method> with the authority and content type", async () => {
    assert.equal(await client.echo!.echo("hello"), "hello");
    const call = relay.seen.at(-1)!;
    assert.equal(call.headers[":method"], "POST");
    assert.equal(call.headers[":path"], "/Echo/echo");
    assert.equal(call.headers[":authority"], AUTHORITY);
    assert.equal(call.headers["content-type"], "application/x-thrift");
    assert.ok(call.body.includes(Buffer.from("Echo:echo")), "the body is the whole Thrift frame");
    assert.equal(call.body.readUInt32BE(0), call.body.length - 4);
  });

  it("gives each answer the client's seqid back, out of order and concurrently", async () => {
    const tags = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const answers = await Promise.all(tags.map((tag, i) => client.calculator.slow(((50 - i) % 7) * 10, tag)));
    assert.deepEqual(answers, tags);
    assert.equal((await client.calculator.calculate({ id: 9, op: Operation.ADD, operands: [2, 3] })).value, 5);
  });

  it("turns Envoy's own replies into TApplicationExceptions naming Envoy's status and body", async () => {
    relay.answers.set("split", { status: 404, body: "" });
    relay.answers.set("slow", { status: 504, body: "upstream request timeout" });
    relay.answers.set("calculate", { status: 429, body: "local_rate_limited" });
    try {
      await assert.rejects(client.echo!.split("a,b", ","), isEnvoyError(/^envoy 404$/));
      await assert.rejects(client.calculator.slow(1, "x"), isEnvoyError(/envoy 504: upstream request timeout/));
      await assert.rejects(client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1] }), isEnvoyError(/envoy 429: local_rate_limited/));
      // Other calls on the same connection are unaffected.
      assert.equal(await client.echo!.echo("again"), "again");
    } finally {
      relay.answers.clear();
    }
  });

  it("answers a call whose stream Envoy reset with a TApplicationException", async () => {
    relay.answers.set("echo", "reset");
    try {
      await assert.rejects(client.echo!.echo("x"), isEnvoyError(/reset the call's stream/));
    } finally {
      relay.answers.clear();
    }
    assert.equal(await client.echo!.echo("after"), "after");
    assert.equal(relay.sessions, 1, "one HTTP/2 connection carried everything");
    assert.deepEqual([...client.errors, ...setup.server.errors], []);
  });

  // Last: the connection cannot carry new calls afterwards.
  it("after Envoy's GOAWAY, completes the calls Envoy processed and answers new ones with an error", async () => {
    relay.goAwayAtNextCall = true;
    const processed = client.calculator.slow(300, "processed");
    await eventually(() => relay.seen.at(-1)?.headers[":path"] === "/Calculator/slow", "the slow call at the relay");
    await assert.rejects(client.echo!.echo("late"), isEnvoyError(/envoy is closing this connection/));
    assert.equal(await processed, "processed");
  });
});

describe("bridge client side (Thrift framed binary, not multiplexed) against Node's http2", { timeout: 60_000 }, () => {
  const setup = new ClientSideSetup();

  before(async () => {
    const options = { transport: "framed", protocol: "binary" } as const;
    await setup.start(options, options);
  });
  after(() => setup.stop());

  it("sends a call with no service on //<method>", async () => {
    const result = await setup.client.calculator.calculate({ id: 3, op: Operation.MULTIPLY, operands: [6, 7] });
    assert.deepEqual({ id: result.id, value: result.value }, { id: 3, value: 42 });
    assert.equal(setup.relay.seen.at(-1)!.headers[":path"], "//calculate");
  });
});

describe("bridge client side (Thrift THeader binary) against Node's http2", { timeout: 60_000 }, () => {
  const setup = new ClientSideSetup();

  before(async () => {
    await setup.start({ transport: "header", protocol: "binary" }, { transport: "header", protocol: "binary", headers: { "X-Tenant": "blue", "x-trace": "t-1" } });
  });
  after(() => setup.stop());

  it("sends the info headers as HTTP/2 headers and gives the answers their seqids back", async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `h${i}`);
    assert.deepEqual(await Promise.all(tags.map((tag, i) => setup.client.calculator.slow((20 - i) % 5 * 10, tag))), tags);
    const call = setup.relay.seen.at(-1)!;
    assert.equal(call.headers[":path"], "//slow");
    assert.equal(call.headers["content-type"], "application/x-thrift");
    assert.equal(call.headers["x-tenant"], "blue", "info header names are lowercased");
    assert.equal(call.headers["x-trace"], "t-1");
    // The server got the info headers in the frame, as the client wrote them.
    assert.equal(setup.server.calls.at(-1)!.headers?.["X-Tenant"], "blue");
  });
});

function goldenRequest(name: keyof typeof golden.vectors): Buffer {
  return Buffer.from(golden.vectors[name].request, "hex");
}

function call(session: http2.ClientHttp2Session, path: string, body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<Http2Answer> {
  return bridgeCall(session, { ":path": path, ":authority": AUTHORITY, "content-type": "application/x-thrift", ...extra }, body);
}

/** A real server of `options` behind the host with the server side, and an HTTP/2 session to the host. */
function serverSide(options: ThriftServerOptions): { server: () => ThriftServer; host: () => RunningHost; session: () => http2.ClientHttp2Session } {
  let server: ThriftServer;
  let host: RunningHost;
  let session: http2.ClientHttp2Session;
  before(async () => {
    server = await startThriftServer(options);
    host = await startTestHost(bootstrapFor("envoy/thrift.yaml", server.port, SERVER_SIDE), "thrift");
    session = http2.connect(`http://127.0.0.1:${host.port}`);
  });
  after(async () => {
    session?.close();
    await host?.stop();
    await server?.close();
  });
  return { server: () => server, host: () => host, session: () => session };
}

describe("bridge server side (Thrift framed binary) against Node's http2", { timeout: 60_000 }, () => {
  const { server, host, session } = serverSide({ transport: "framed", protocol: "binary" });
  const carriers = async () => Number(/server;\.;bridge_carrier: (\d+)/.exec(await host().statsText())?.[1] ?? 0);

  it("turns a stream into a call with the stream id as seqid, and the answer into a marked 200 response", async () => {
    const answer = await call(session(), "//calculate", goldenRequest("call_framed_binary"));
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.headers["x-meta-protocol-bridge"], "response");
    assert.equal(answer.headers["content-type"], "application/x-thrift");
    assert.equal(thriftBinaryFrameIds.requestId(answer.body), 1, "the first stream's id");
    assert.ok(answer.body.includes(Buffer.from("ADD[0]")), "the server's result");
    assert.equal(server().calls.at(-1)!.method, "calculate");
  });

  it("maps the server's TApplicationException to 500 (npm thrift writes no type: UNKNOWN) and keeps its body", async () => {
    const crash = await call(session(), "//crash", goldenRequest("application_exception_framed_binary"));
    assert.equal(crash.headers[":status"], 500);
    assert.ok(crash.body.includes(Buffer.from("crash requested: golden")), "the body is still the server's answer");
    const unknown = goldenRequest("call_framed_binary");
    unknown.write("calculatx", 12); // the method name, same length: the server has no such method
    const answer = await call(session(), "//calculatx", unknown);
    assert.equal(answer.headers[":status"], 500);
    assert.ok(answer.body.includes(Buffer.from("Unknown function calculatx")));
  });

  it("answers 100 concurrent streams on one connection, each with its own stream id", async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(session(), "//calculate", goldenRequest("call_framed_binary"))));
    assert.equal(new Set(answers.map((a) => thriftBinaryFrameIds.requestId(a.body))).size, 100);
    for (const a of answers) assert.equal(a.headers[":status"], 200);
    assert.equal(server().connections, 1);
  });

  it("ends a oneway call's stream with a 200 and an empty body although the server never answers", async () => {
    const before = server().calls.length;
    const answer = await call(session(), "//zip", goldenRequest("oneway_framed_binary"));
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.body.length, 0);
    await eventually(() => server().calls.length === before + 1, "the server got the oneway call");
    assert.equal(server().calls.at(-1)!.method, "zip");
  });

  it("sends its SETTINGS on a fresh connection without waiting for an answer (a carrier the server answers)", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host().port}`);
    try {
      const settings = new Promise<http2.Settings>((resolve) => fresh.once("remoteSettings", resolve));
      const before = await carriers();
      await call(fresh, "//zip", goldenRequest("oneway_framed_binary"));
      const remote = await settings;
      assert.equal(remote.initialWindowSize, 2 ** 31 - 1);
      assert.ok((await carriers()) > before, "a carrier made the server answer");
    } finally {
      fresh.close();
    }
  });

  it("acknowledges Envoy's keepalive PING on a carrier while the server is silent", async () => {
    const before = await carriers();
    const rtt = await new Promise<number>((resolve, reject) => session().ping((error, duration) => (error ? reject(error) : resolve(duration))));
    assert.ok(rtt >= 0);
    assert.equal(await carriers(), before + 1, "one carrier flushed the acknowledgement");
  });

  it("resets a first stream whose Thrift message cannot be read at once, with PROTOCOL_ERROR", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host().port}`);
    try {
      // A whole framed binary CALL whose method name would be 4 GiB long.
      const code = resetCodeOf(fresh, { ":path": "//calculate", "content-type": "application/x-thrift" }, Buffer.from("0000000880010001ffffffff", "hex"));
      assert.equal(await code, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    } finally {
      fresh.close();
    }
    assert.deepEqual(server().errors, []);
  });

  it("closes a fresh connection whose first stream is not Thrift at all, sending the server nothing", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host().port}`);
    fresh.on("error", () => {});
    const closed = new Promise<void>((resolve) => fresh.once("close", () => resolve()));
    const stream = fresh.request({ ":method": "POST", ":path": "//calculate", "content-type": "application/x-thrift" });
    stream.on("error", () => {});
    stream.end(Buffer.from("not a thrift frame at all"));
    // Its transport is unknown, so no carrier could carry the stream's reset: the server side closes instead.
    await closed;
    assert.deepEqual(server().errors, []);
  });
});

describe("bridge server side (Thrift THeader binary) against Node's http2", { timeout: 60_000 }, () => {
  const { server, session } = serverSide({ transport: "header", protocol: "binary" });

  it("sets headers Envoy added as info headers but not Envoy's bookkeeping headers, and answers with both seqids the stream id", async () => {
    const answer = await call(session(), "//slow", goldenRequest("theader_info_headers_node"), {
      "x-route-tag": "canary",
      "x-request-id": "0f0e",
      "x-envoy-expected-rq-timeout-ms": "15000",
      "x-forwarded-proto": "http",
    });
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.headers["x-meta-protocol-bridge"], "response");
    assert.equal(answer.body.readUInt32BE(8), 1, "the THeader seqid is the stream id");
    assert.equal(thriftBinaryFrameIds.requestId(answer.body), 1, "the message seqid is the stream id");
    const headers = server().calls.at(-1)!.headers!;
    assert.equal(headers["x-route-tag"], "canary");
    assert.equal(headers["x-trace"], "node-1", "the client's own info headers stay");
    assert.equal(headers["x-request-id"], undefined);
    assert.equal(headers["x-envoy-expected-rq-timeout-ms"], undefined);
    assert.equal(headers["x-forwarded-proto"], undefined);
  });
});

// The bridge's server side on its own, against Node's http2 (nghttp2): a Node HTTP/2 client stands where Envoy's
// router would be and sends Dubbo frames (captured from real consumers) as request bodies to build/dubbo.wasm in
// bridge server mode on the bundled host, whose tcp_proxy leads to a real provider (sofa-rpc-node).
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import golden from "../peers/dubbo/golden.json" with { type: "json" };
import { DEMO_SERVICE, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost } from "./host_fixture.ts";

const SERVER_SIDE = JSON.stringify({ stat_prefix: "server", mode: "bridge", bridge: { side: "server" } });
const FLAG_TWO_WAY = 0x40;

function frame(name: keyof typeof golden.frames): Buffer {
  return Buffer.from(golden.frames[name].hex, "hex");
}

interface Answer {
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

function call(session: http2.ClientHttp2Session, method: string, body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": `/${DEMO_SERVICE}/${method}`,
      ":authority": "demo.dubbo.svc",
      "content-type": "application/x-dubbo",
      ...extra,
    });
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (headers = h));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ headers, body: Buffer.concat(chunks) }));
    stream.on("error", reject);
    stream.end(body);
  });
}

describe("bridge server side (Dubbo) against Node's http2", { timeout: 60_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let session: http2.ClientHttp2Session;

  before(async () => {
    provider = await startDubboProvider();
    host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", provider.port, SERVER_SIDE), "dubbo");
    session = http2.connect(`http://127.0.0.1:${host.port}`);
  });
  after(async () => {
    session?.close();
    await host?.stop();
    await provider?.close();
  });

  it("turns a stream into a call with the stream id as request id, and the answer into a marked 200 response", async () => {
    const answer = await call(session, "sayHello", frame("sofa_request_sayHello"));
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.headers["x-meta-protocol-bridge"], "response");
    assert.equal(answer.headers["content-type"], "application/x-dubbo");
    assert.equal(answer.body.readUInt16BE(0), 0xdabb);
    assert.equal(answer.body.readBigUInt64BE(4), 1n, "the first stream's id");
    assert.ok(answer.body.includes(Buffer.from("Hello world")));
    assert.equal(provider.calls.at(-1)!.method, "sayHello");
  });

  it("maps a server error status to 500 so that Envoy's retry_on 5xx and outlier detection see it", async () => {
    const answer = await call(session, "fail", frame("sofa_request_fail"));
    assert.equal(answer.headers[":status"], 500);
    assert.equal(answer.body[3], 80, "the body is still the provider's answer (status 80)");
  });

  it("sets headers Envoy added as attachments, but not Envoy's own bookkeeping headers", async () => {
    await call(session, "sayHello", frame("sofa_request_sayHello"), {
      "x-route-tag": "canary",
      "x-request-id": "0f0e",
      "x-envoy-expected-rq-timeout-ms": "15000",
      "x-forwarded-proto": "http",
    });
    const attachments = provider.calls.at(-1)!.attachments;
    assert.equal(attachments["x-route-tag"], "canary");
    assert.equal(attachments["x-request-id"], undefined);
    assert.equal(attachments["x-envoy-expected-rq-timeout-ms"], undefined);
    assert.equal(attachments["x-forwarded-proto"], undefined);
  });

  it("answers 100 concurrent streams on one connection, each with its own stream id", async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(session, "sayHello", frame("sofa_request_sayHello"))));
    const ids = new Set(answers.map((a) => a.body.readBigUInt64BE(4)));
    assert.equal(ids.size, 100);
    for (const a of answers) assert.equal(a.headers[":status"], 200);
    assert.equal(provider.connections, 1);
  });

  it("ends a one-way call's stream with a 200 although the provider never answers", async () => {
    const oneway = frame("sofa_request_sayHello");
    oneway[2] &= ~FLAG_TWO_WAY;
    const before = provider.calls.length;
    const answer = await call(session, "sayHello", oneway);
    assert.equal(answer.headers[":status"], 200);
    assert.equal(answer.body.length, 0);
    await eventually(() => provider.calls.length === before + 1, "the provider got the one-way call");
  });

  it("sends its SETTINGS on a fresh connection without waiting for an answer (a carrier the provider answers)", async () => {
    const fresh = http2.connect(`http://127.0.0.1:${host.port}`);
    try {
      const settings = new Promise<http2.Settings>((resolve) => fresh.once("remoteSettings", resolve));
      const oneway = frame("sofa_request_sayHello");
      oneway[2] &= ~FLAG_TWO_WAY;
      await call(fresh, "sayHello", oneway);
      const remote = await settings;
      assert.equal(remote.initialWindowSize, 2 ** 31 - 1);
      assert.ok(provider.heartbeats >= 1, "the carrier was a heartbeat");
    } finally {
      fresh.close();
    }
  });

  it("resets a first stream that carries no Dubbo frame at once, without waiting for Envoy's timeout", async () => {
    const session = http2.connect(`http://127.0.0.1:${host.port}`);
    try {
      const stream = session.request({ ":method": "POST", ":path": `/${DEMO_SERVICE}/sayHello`, "content-type": "application/x-dubbo" });
      const code = new Promise<number>((resolve) => stream.on("close", () => resolve(stream.rstCode ?? -1)));
      stream.on("error", () => {});
      stream.end(Buffer.from("not a dubbo frame at all"));
      assert.equal(await code, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    } finally {
      session.close();
    }
  });

  it("acknowledges Envoy's keepalive PING on a carrier while the provider is silent", async () => {
    const carriers = async () => Number(/server;\.;bridge_carrier: (\d+)/.exec(await host.statsText())?.[1] ?? 0);
    const before = await carriers();
    const rtt = await new Promise<number>((resolve, reject) => session.ping((error, duration) => (error ? reject(error) : resolve(duration))));
    assert.ok(rtt >= 0);
    assert.equal(await carriers(), before + 1, "one carrier flushed the acknowledgement");
  });
});

describe("bridge server side (Dubbo) with a server that speaks first", { timeout: 60_000 }, () => {
  const HEADER_SIZE = 16;
  const FLAG_REQUEST = 0x80;
  const FLAG_EVENT = 0x20;
  let server: net.Server;
  let received: Buffer[];
  let host: RunningHost;
  /** How long the server waits before it answers a call. */
  let answerDelayMs = 0;

  /** A Dubbo server on a raw socket: it answers heartbeats and sayHello, and sends its own heartbeat (id 6) first. */
  before(async () => {
    received = [];
    server = net.createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.write(frame("sofa_heartbeat_request"));
      socket.on("data", (data: Buffer) => {
        buffered = Buffer.concat([buffered, data]);
        while (buffered.length >= HEADER_SIZE && buffered.length >= HEADER_SIZE + buffered.readUInt32BE(12)) {
          const size = HEADER_SIZE + buffered.readUInt32BE(12);
          const f = buffered.subarray(0, size);
          buffered = buffered.subarray(size);
          received.push(f);
          if ((f[2] & FLAG_REQUEST) === 0) continue;
          const heartbeat = (f[2] & FLAG_EVENT) !== 0;
          const answer = heartbeat ? frame("sofa_heartbeat_response") : frame("sofa_response_sayHello");
          f.copy(answer, 4, 4, 12); // the request's id
          if (heartbeat || answerDelayMs === 0) socket.write(answer);
          else setTimeout(() => socket.write(answer), answerDelayMs);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", (server.address() as net.AddressInfo).port, SERVER_SIDE), "dubbo");
  });
  after(async () => {
    await host?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("carries the server's heartbeat to Envoy as a PING and answers it when Envoy acknowledges", async () => {
    const session = http2.connect(`http://127.0.0.1:${host.port}`);
    try {
      const answer = await call(session, "sayHello", frame("sofa_request_sayHello"));
      assert.equal(answer.headers[":status"], 200);
      await eventually(() => received.some((f) => (f[2] & (FLAG_REQUEST | FLAG_EVENT)) === FLAG_EVENT && f.readBigUInt64BE(4) === 6n), "the heartbeat's answer, id 6");
    } finally {
      session.close();
    }
  });

  it("drops the server's answer to a stream Envoy reset meanwhile, and goes on", async () => {
    const session = http2.connect(`http://127.0.0.1:${host.port}`);
    const late = async () => Number(/bridge_late_response: (\d+)/.exec(await host.statsText())?.[1] ?? 0);
    try {
      assert.equal((await call(session, "sayHello", frame("sofa_request_sayHello"))).headers[":status"], 200);
      const before = await late();
      const calls = received.length;
      answerDelayMs = 300;
      const stream = session.request({ ":method": "POST", ":path": `/${DEMO_SERVICE}/sayHello`, "content-type": "application/x-dubbo" });
      stream.on("error", () => {});
      stream.end(frame("sofa_request_sayHello"));
      await eventually(() => received.length > calls, "the call at the server");
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await eventually(async () => (await late()) === before + 1, "one late answer dropped");
      const active = Number(/stat_prefix=\.=server;\.;request_active: (\d+)/.exec(await host.statsText())?.[1]);
      assert.equal(active, 0, "the reset call left the request_active gauge");
      answerDelayMs = 0;
      assert.equal((await call(session, "sayHello", frame("sofa_request_sayHello"))).headers[":status"], 200, "the connection goes on");
    } finally {
      answerDelayMs = 0;
      session.close();
    }
  });
});

// The bridge's client side on its own, against Node's http2 (nghttp2): a real Dubbo consumer (sofa-rpc-node) talks
// to build/dubbo.wasm in bridge client mode on the bundled host, whose tcp_proxy leads to a Node HTTP/2 server that
// stands where Envoy's HTTP connection manager would be. That server relays each call to a real provider the way the
// server side does (the stream id as request id, the marker on the answer) unless the test makes it answer as Envoy
// itself would (404 no route, 504 timeout, 429 rate limited, a reset stream).
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer, type DubboConsumerOptions } from "../peers/dubbo/consumer.ts";
import { dubboFrameIds } from "../peers/dubbo/frame_ids.ts";
import { DEMO_SERVICE, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { Http2Relay } from "./bridge_http2_relay.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost } from "./host_fixture.ts";

const AUTHORITY = "demo.dubbo.svc";
const CLIENT_SIDE = JSON.stringify({ stat_prefix: "client", mode: "bridge", bridge: { side: "client", authority: AUTHORITY } });

/** A provider, the relay in front of it, the host with the client side, and a consumer connected to it. */
class ClientSideSetup {
  provider!: DubboProvider;
  relay!: Http2Relay;
  host!: RunningHost;
  consumer!: DubboConsumer;

  async start(settings: http2.Settings, consumerOptions: DubboConsumerOptions = {}): Promise<void> {
    this.provider = await startDubboProvider();
    this.relay = new Http2Relay(dubboFrameIds, this.provider.port, settings);
    this.host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", await this.relay.listen(), CLIENT_SIDE), "dubbo");
    this.consumer = await connectDubboConsumer(this.host.port, consumerOptions);
  }

  async stop(): Promise<void> {
    await this.consumer?.close();
    await this.host?.stop();
    await this.relay?.close();
    await this.provider?.close();
  }
}

describe("bridge client side (Dubbo) against Node's http2", { timeout: 60_000 }, () => {
  const setup = new ClientSideSetup();
  let provider: DubboProvider;
  let relay: Http2Relay;
  let consumer: DubboConsumer;

  before(async () => {
    await setup.start({}, { heartbeat: { tickMs: 200, idleMs: 600 } });
    ({ provider, relay, consumer } = setup);
  });
  after(() => setup.stop());

  it("sends each call as an HTTP/2 POST on /<interface>/<method> with the authority, content type and attachments as headers", async () => {
    assert.equal(await consumer.invoke("sayHello", ["world"], { "X-Tenant": "blue" }), "Hello world");
    const call = relay.seen.at(-1)!;
    assert.equal(call.headers[":method"], "POST");
    assert.equal(call.headers[":path"], `/${DEMO_SERVICE}/sayHello`);
    assert.equal(call.headers[":authority"], AUTHORITY);
    assert.equal(call.headers["content-type"], "application/x-dubbo");
    assert.equal(call.headers["x-tenant"], "blue", "attachment names are lowercased");
    assert.equal(call.headers["interface"], DEMO_SERVICE);
    assert.equal(call.body.readUInt16BE(0), 0xdabb, "the body is the whole Dubbo frame");
  });

  it("gives each answer the consumer's request id back, out of order and concurrently", async () => {
    const tags = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const answers = await Promise.all(tags.map((tag, i) => consumer.invoke("slow", [(50 - i) % 7 * 10, tag])));
    assert.deepEqual(answers, tags);
  });

  it("turns Envoy's own replies into Dubbo error replies with matching statuses", async () => {
    relay.answers.set("echoMap", { status: 404, body: "" });
    relay.answers.set("nothing", { status: 504, body: "upstream request timeout" });
    relay.answers.set("echoUser", { status: 429, body: "local_rate_limited" });
    try {
      await assert.rejects(consumer.invoke("echoMap", [{}]), (e: Error) => /envoy 404/.test(e.message));
      await assert.rejects(consumer.invoke("nothing", []), (e: Error) => /envoy 504: upstream request timeout/.test(e.message));
      await assert.rejects(consumer.invoke("echoUser", [{}]), (e: Error) => /envoy 429: local_rate_limited/.test(e.message));
      // Other calls on the same connection are unaffected.
      assert.equal(await consumer.invoke("sayHello", ["again"]), "Hello again");
    } finally {
      relay.answers.clear();
    }
  });

  it("answers a call whose stream Envoy reset with an error reply", async () => {
    relay.answers.set("sayHello", "reset");
    try {
      await assert.rejects(consumer.invoke("sayHello", ["x"]), (e: Error) => /reset the call's stream/.test(e.message));
    } finally {
      relay.answers.clear();
    }
    assert.equal(await consumer.invoke("sayHello", ["after"]), "Hello after");
  });

  it("carries the consumer's heartbeats as HTTP/2 PINGs and answers them with nghttp2's acknowledgements", async () => {
    const before = consumer.heartbeatAcks;
    await eventually(() => consumer.heartbeatAcks >= before + 2, "two heartbeat answers", 5000);
    assert.equal(provider.heartbeats, 0, "the heartbeats never reached the provider");
    assert.equal(relay.sessions, 1, "one HTTP/2 connection carried everything");
  });

  it("closes a connection whose bytes are not Dubbo, counting request_decoding_error", async () => {
    const counted = async () => Number(/stat_prefix=\.=client;\.;request_decoding_error: (\d+)/.exec(await setup.host.statsText())?.[1]);
    const before = await counted();
    const socket = net.connect(setup.host.port, "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.end(Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
    await closed;
    await eventually(async () => (await counted()) === before + 1, "the decoding error counted");
  });

  // Last: the connection cannot carry new calls afterwards.
  it("after Envoy's GOAWAY, completes the calls Envoy processed and answers new ones with an error", async () => {
    relay.goAwayAtNextCall = true;
    const processed = consumer.invoke("slow", [300, "processed"]);
    await eventually(() => relay.seen.at(-1)?.headers[":path"] === `/${DEMO_SERVICE}/slow`, "the slow call at the relay");
    await assert.rejects(consumer.invoke("sayHello", ["late"]), (e: Error) => /envoy is closing this connection/.test(e.message));
    assert.equal(await processed, "processed");
  });
});

describe("bridge client side (Dubbo) against an HTTP/2 server that allows 4 streams", { timeout: 60_000 }, () => {
  const setup = new ClientSideSetup();
  let consumer: DubboConsumer;

  before(async () => {
    await setup.start({ maxConcurrentStreams: 4 });
    consumer = setup.consumer;
    assert.equal(await consumer.invoke("sayHello", ["settings"]), "Hello settings"); // the server's SETTINGS arrive
  });
  after(() => setup.stop());

  it("answers calls beyond the server's stream limit with an over-limit error and keeps the connection", async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => consumer.invoke("slow", [200, `s${i}`])));
    const answered = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected" && /too many calls in flight/.test(String(r.reason?.message)));
    assert.equal(answered.length, 4);
    assert.equal(refused.length, 6);
    assert.equal(await consumer.invoke("sayHello", ["after"]), "Hello after");
  });
});

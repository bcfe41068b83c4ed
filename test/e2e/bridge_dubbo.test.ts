// Bridge mode end to end with real Dubbo peers: sofa-rpc-node and dubbo2.js consumers, sofa-rpc-node providers in
// three versions, and the bootstrap the generator writes for a bridge-mode service, on the bundled host (the bridge's
// client side before its HTTP connection manager, HTTP/2 clusters, the bridge's server side before tcp_proxy). Each
// call on ONE consumer connection is routed by Envoy's router on its own: by method, by attachment, by weight, with
// a timeout, retries and a mirror.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort } from "../demo/demo_bootstrap.ts";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { connectDubbo2js } from "../peers/dubbo/dubbo2js_consumer.ts";
import { javaUser, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { startBridgeHost } from "./bridge_fixture.ts";
import { eventually, type RunningHost } from "./host_fixture.ts";

function description(v1: number, dead: number, v2: number, v3: number): string {
  return `
apiVersion: meta-protocol-wasm/v1alpha1
kind: MetaProtocolService
name: demo
protocol: dubbo
mode: bridge
host: provider.demo.svc.cluster.local
port: 20880
filter:
  statPrefix: demo
  requestMutation: [{ key: x-mesh, value: wasm }]
routes:
- name: hello
  match: { attributes: { method: { exact: sayHello } } }
  route: [{ destination: { subset: v2 } }]
- name: slow
  match: { attributes: { method: { exact: slow } } }
  route: [{ destination: { subset: v2 } }]
  timeout: 1s
- name: canary
  match: { attributes: { x-canary: { present: true } } }
  route: [{ destination: { subset: v2 } }]
  requestMutation: [{ key: x-route, value: canary }]
  responseMutation: [{ key: x-served-by, value: v2 }]
- name: split
  match: { attributes: { method: { regex: "echo.*" } } }
  route: [{ destination: { subset: v1 }, weight: 90 }, { destination: { subset: v2 }, weight: 10 }]
  mirror: { subset: v3 }
- name: flaky
  match: { attributes: { method: { exact: nothing } } }
  route: [{ destination: { subset: flaky } }]
  retries: { attempts: 2, retryOn: "reset,connect-failure" }
envoy:
  listener: { address: 127.0.0.1, port: 20880 }
  clusters:
  - { subset: v1, endpoints: ["127.0.0.1:${v1}"] }
  - { subset: flaky, endpoints: ["127.0.0.1:${v1}", "127.0.0.1:${dead}"] }
  - { subset: v2, endpoints: ["127.0.0.1:${v2}"] }
  - { subset: v3, endpoints: ["127.0.0.1:${v3}"] }
`;
}

describe("bridge mode with real Dubbo peers: per-call routing on one connection", { timeout: 120_000 }, () => {
  let v1: DubboProvider;
  let v2: DubboProvider;
  let v3: DubboProvider;
  let host: RunningHost;
  let consumer: DubboConsumer;

  const callsTo = (provider: DubboProvider, method: string) => provider.calls.filter((c) => c.method === method).length;

  before(async () => {
    [v1, v2, v3] = await Promise.all([startDubboProvider(), startDubboProvider(), startDubboProvider()]);
    host = await startBridgeHost(description(v1.port, await freePort(), v2.port, v3.port));
    consumer = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await consumer?.close();
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close(), v3?.close()]);
  });

  it("sends alternate calls of two methods on one connection to two versions", async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal(await consumer.invoke("sayHello", [`n${i}`]), `Hello n${i}`);
      assert.deepEqual(await consumer.invoke("echoUser", [javaUser("alice", i)]), { name: "alice", age: i });
    }
    assert.equal(callsTo(v2, "sayHello"), 10);
    assert.equal(callsTo(v1, "sayHello"), 0);
    assert.ok(callsTo(v1, "echoUser") + callsTo(v2, "echoUser") === 10);
  });

  it("splits 1,000 calls 90/10 by call and mirrors them to v3", async (t) => {
    const before = { v1: callsTo(v1, "echoMap"), v2: callsTo(v2, "echoMap"), v3: callsTo(v3, "echoMap") };
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => consumer.invoke("echoMap", [{ i: batch * 50 + i }])));
      answers.forEach((a, i) => assert.deepEqual(a, { i: batch * 50 + i }));
    }
    const toV1 = callsTo(v1, "echoMap") - before.v1;
    const toV2 = callsTo(v2, "echoMap") - before.v2;
    assert.equal(toV1 + toV2, 1000, "every call answered once, by v1 or v2");
    // Binomial(1000, 0.1): mean 100, standard deviation 9.5; 5 deviations either side.
    t.diagnostic(`split: v1 ${toV1}, v2 ${toV2} of 1000 calls (expected 900/100, tolerance ±47)`);
    assert.ok(Math.abs(toV2 - 100) <= 47, `v2 got ${toV2} of 1000 calls`);
    await eventually(() => callsTo(v3, "echoMap") - before.v3 === 1000, "a copy of every call at the mirror", 10_000);
  });

  it("retries a call that met a dead provider instance onto the live one", async () => {
    // The dead instance's server-side listener accepts Envoy's HTTP/2 connection, then its tcp_proxy cannot connect:
    // Envoy sees the connection end (a reset), not a connect failure.
    for (let i = 0; i < 10; i++) assert.equal(await consumer.invoke("nothing", []), null);
    assert.equal(callsTo(v1, "nothing"), 10);
    const stats = await host.statsText();
    const retries = Number(/cluster\.outbound\|20880\|flaky\|provider\.demo\.svc\.cluster\.local\.upstream_rq_retry: (\d+)/.exec(stats)?.[1]);
    assert.ok(retries >= 5, `calls that met the dead instance were retried (${retries} retries)`);
  });

  it("times a slow call out with a Dubbo error while the other calls on the connection complete", async () => {
    const slow = consumer.invoke("slow", [3000, "late"]);
    const quick = await Promise.all([consumer.invoke("sayHello", ["a"]), consumer.invoke("slow", [10, "on time"])]);
    assert.deepEqual(quick, ["Hello a", "on time"]);
    await assert.rejects(slow, (e: Error) => /envoy 504: upstream request timeout/.test(e.message));
  });

  it("sets request_headers_to_add on the provider's attachments and response_headers_to_add on the consumer's answer", async () => {
    const from = consumer.responses.length;
    assert.deepEqual(await consumer.invoke("echoMap", [{ c: 1 }], { "x-canary": "1" }), { c: 1 });
    const call = v2.calls.at(-1)!;
    assert.equal(call.attachments["x-route"], "canary");
    assert.equal(call.attachments["x-mesh"], "wasm");
    assert.equal(consumer.responses[from].attachments?.["x-served-by"], "v2");
  });

  it("answers an unrouted call with Envoy's no-route reply as a Dubbo error", async () => {
    await assert.rejects(consumer.invoke("fail", ["x"]), (e: Error) => /envoy 404/.test(e.message));
    assert.equal(callsTo(v1, "fail") + callsTo(v2, "fail") + callsTo(v3, "fail"), 0);
  });

  it("answers 200 concurrent calls whose answers overtake each other", async () => {
    const tags = Array.from({ length: 200 }, (_, i) => `t${i}`);
    assert.deepEqual(await Promise.all(tags.map((tag, i) => consumer.invoke("slow", [(i * 37) % 50, tag]))), tags);
  });

  it("multiplexes consumers whose request ids collide onto one upstream connection per version", async () => {
    const second = await connectDubboConsumer(host.port);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? consumer : second).invoke("sayHello", [`c${i}`])));
      answers.forEach((a, i) => assert.equal(a, `Hello c${i}`));
      assert.equal(v2.connections, 1);
    } finally {
      await second.close();
    }
  });

  it("serves a dubbo2.js consumer too", async () => {
    const d2js = connectDubbo2js(host.port);
    try {
      assert.equal(await d2js.sayHello("js"), "Hello js");
      assert.deepEqual(await d2js.echoUser({ name: "bob", age: 7 }), { name: "bob", age: 7 });
    } finally {
      d2js.close();
    }
  });

  it("answers a consumer's heartbeats (PINGs Envoy acknowledges) without bothering a provider", async () => {
    const providerHeartbeats = v1.heartbeats + v2.heartbeats + v3.heartbeats;
    // Heartbeats once the connection has been idle for 600 ms (checked every 200 ms).
    const idle = await connectDubboConsumer(host.port, { heartbeat: { tickMs: 200, idleMs: 600 } });
    try {
      await eventually(() => idle.heartbeatAcks >= 2, "two heartbeat answers", 5000);
    } finally {
      await idle.close();
    }
    assert.equal(v1.heartbeats + v2.heartbeats + v3.heartbeats, providerHeartbeats);
  });
});

describe("bridge mode with real Dubbo peers: Envoy's HTTP local rate limit", { timeout: 60_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let consumer: DubboConsumer;

  before(async () => {
    provider = await startDubboProvider();
    host = await startBridgeHost(`
apiVersion: meta-protocol-wasm/v1alpha1
kind: MetaProtocolService
name: limited
protocol: dubbo
mode: bridge
host: limited.demo.svc.cluster.local
port: 20880
localRateLimit:
  tokenBucket: { maxTokens: 5, tokensPerFill: 1, fillInterval: 60s }
envoy:
  listener: { address: 127.0.0.1, port: 20880 }
  clusters:
  - { endpoints: ["127.0.0.1:${provider.port}"] }
`);
    consumer = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await consumer?.close();
    await host?.stop();
    await provider?.close();
  });

  it("gives over-limit calls Dubbo's over-limit error", async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => consumer.invoke("sayHello", [`r${i}`])));
    const limited = results.filter((r) => r.status === "rejected" && /envoy 429: local_rate_limited/.test(String(r.reason?.message)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
    assert.equal(limited.length, 5);
  });
});

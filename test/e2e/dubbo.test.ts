// Dubbo end to end: real consumers (sofa-rpc-node and dubbo2.js) and a real provider (sofa-rpc-node), through
// build/dubbo.wasm on the bundled host, running envoy/dubbo.yaml (which adds the attachment x-mesh=wasm to every
// request and tags per-method metrics with service and method).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { connectDubbo2js, type Dubbo2jsConsumer } from "../peers/dubbo/dubbo2js_consumer.ts";
import { DEMO_SERVICE, javaUser, startDubboProvider, type DubboCall, type DubboProvider } from "../peers/dubbo/provider.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "dubbo", statPrefix: "demo" };

/** The value of `meta_protocol_by_method_<name>{protocol="dubbo",stat_prefix="demo",service="…",method="…"}`, or undefined. */
function byMethod(exposition: string, name: string, method: string): number | undefined {
  const sample = `meta_protocol_by_method_${name}{protocol="dubbo",stat_prefix="demo",service="${DEMO_SERVICE}",method="${method}"} `;
  const line = exposition.split("\n").find((l) => l.startsWith(sample));
  return line === undefined ? undefined : Number(line.slice(sample.length));
}

function assertMeshAttachment(calls: readonly DubboCall[]): void {
  assert.ok(calls.length > 0);
  for (const call of calls) {
    assert.equal(call.attachments["x-mesh"], "wasm", `x-mesh on ${call.method}: ${JSON.stringify(call.attachments)}`);
  }
}

describe("Dubbo through the wasm filter", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let sofa: DubboConsumer | undefined;
  let d2js: Dubbo2jsConsumer | undefined;

  /** Closes both consumers, which stops their heartbeats, so that the counts below stay still. */
  async function closeConsumers(): Promise<void> {
    d2js?.close();
    d2js = undefined;
    await sofa?.close();
    sofa = undefined;
  }

  before(async () => {
    provider = await startDubboProvider();
    host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", provider.port), "dubbo");
    // Heartbeats once the connection has been idle for 600 ms (checked every 200 ms) instead of ~40 s.
    sofa = await connectDubboConsumer(host.port, { heartbeat: { tickMs: 200, idleMs: 600 } });
  });
  after(async () => {
    await closeConsumers();
    await host?.stop();
    await provider?.close();
  });

  it("sofa consumer: sayHello, echoUser (a Java object) and echoMap round trip", async () => {
    assert.equal(await sofa!.invoke("sayHello", ["world"]), "Hello world");
    assert.deepEqual(await sofa!.invoke("echoUser", [javaUser("alice", 30)]), { name: "alice", age: 30 });
    assert.deepEqual(await sofa!.invoke("echoMap", [{ a: 1, b: "x" }]), { a: 1, b: "x" });
  });

  it("adds x-mesh=wasm to every request and keeps the consumer's own attachments", async () => {
    const from = provider.calls.length;
    assert.equal(await sofa!.invoke("sayHello", ["tagged"], { "x-trace": "t-1", tenant: "blue" }), "Hello tagged");
    const [call] = provider.calls.slice(from);
    assert.equal(call.method, "sayHello");
    assert.deepEqual(call.args, ["tagged"]);
    assert.equal(call.attachments["x-mesh"], "wasm");
    assert.equal(call.attachments["x-trace"], "t-1");
    assert.equal(call.attachments.tenant, "blue");
    assert.equal(call.attachments.dubbo, "2.0.2");
    assert.equal(call.attachments.interface, DEMO_SERVICE);
    assert.equal(call.attachments.path, DEMO_SERVICE);
    assert.equal(call.attachments.version, "1.0.0");
    assert.equal(call.attachments.timeout, "5000");
    assert.equal(call.attachments.group, "");
  });

  it("sofa consumer: a method that throws gives the consumer an error with the provider's message", async () => {
    await assert.rejects(sofa!.invoke("fail", ["boom: x"]), (error: Error) => {
      assert.equal(error.message, "boom: x");
      return true;
    });
    // The connection is still usable.
    assert.equal(await sofa!.invoke("sayHello", ["again"]), "Hello again");
  });

  it("matches 200 concurrent calls on one connection answered out of order", async () => {
    const connectionsBefore = provider.connections;
    const from = provider.calls.length;
    const logFrom = host.accessLog().length;
    const delay = (i: number) => (i * 7) % 23;
    const answered: number[] = [];
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        sofa!.invoke("slow", [delay(i), `call-${i}`]).then((reply) => {
          answered.push(i);
          return reply;
        }),
      ),
    );
    replies.forEach((reply, i) => assert.equal(reply, `call-${i}`));
    assert.notDeepEqual(answered, [...answered].sort((a, b) => a - b), "answers came back in request order");
    assert.equal(provider.connections, connectionsBefore, "the calls did not all share the one connection");
    assertMeshAttachment(provider.calls.slice(from));
    const lines = host.accessLog().slice(logFrom);
    assert.equal(lines.length, 200);
    const connections = new Set(lines.map((l) => /connection=(\d+)/.exec(l)?.[1]));
    assert.equal(connections.size, 1);
    for (const line of lines) assert.match(line, / method=slow /);
  });

  it("dubbo2.js consumer: sayHello and echoUser", async () => {
    const from = provider.calls.length;
    d2js = connectDubbo2js(host.port, { heartbeatMs: 300 });
    assert.equal(await d2js.sayHello("dubbo2.js"), "Hello dubbo2.js");
    assert.deepEqual(await d2js.echoUser({ name: "bob", age: 7 }), { name: "bob", age: 7 });
    await assert.rejects(d2js.fail("boom: y"), (error: Error) => {
      assert.ok(error.message.includes("boom: y"), error.message);
      return true;
    });
    const calls = provider.calls.slice(from);
    assert.deepEqual(calls.map((c) => c.method), ["sayHello", "echoUser", "fail"]);
    assertMeshAttachment(calls);
    for (const call of calls) {
      assert.equal(call.attachments.application, "dubbo2.js");
      assert.equal(call.attachments.timeout, 3000);
    }
  });

  it("lets heartbeats through both ways, counts them as events, and the connections stay usable", async () => {
    const heartbeatsBefore = provider.heartbeats;
    const acksBefore = sofa!.heartbeatAcks;
    const d2jsBefore = d2js!.heartbeatsSent;
    const connectionsBefore = provider.connections;
    await eventually(
      () => sofa!.heartbeatAcks >= acksBefore + 2 && d2js!.heartbeatsSent >= d2jsBefore + 2,
      "heartbeats from both consumers",
      5000,
    );
    assert.ok(provider.heartbeats >= heartbeatsBefore + 4);
    assert.equal(await sofa!.invoke("sayHello", ["after heartbeats"]), "Hello after heartbeats");
    assert.equal(await d2js!.sayHello("after heartbeats"), "Hello after heartbeats");
    assert.equal(provider.connections, connectionsBefore);
    // Every heartbeat the provider received went through the filter, which counted it as an event.
    await eventually(
      async () => total(await host.prometheus(), PLUGIN, "request_event") === provider.heartbeats,
      `request_event = ${provider.heartbeats}`,
    );
    // The plugin sets x-mesh on every request; a heartbeat has no attachments and is not a call: it is left alone,
    // not counted as a mutation the protocol could not carry.
    assert.equal(total(await host.prometheus(), PLUGIN, "mutation_unsupported"), 0);
  });

  it("counts requests and responses, overall and per method", async () => {
    await closeConsumers();
    const calls = provider.calls;
    const count = (method: string) => calls.filter((c) => c.method === method).length;
    const failures = count("fail");
    await eventually(async () => {
      const stats = await host.prometheus();
      return total(stats, PLUGIN, "response") === calls.length && total(stats, PLUGIN, "request_event") === provider.heartbeats;
    }, "every response and heartbeat counted");
    const stats = await host.prometheus();
    const value = (name: string) => total(stats, PLUGIN, name);
    assert.equal(value("request_twoway"), calls.length);
    assert.equal(value("request_oneway"), 0);
    assert.equal(value("request_event"), provider.heartbeats);
    assert.equal(value("request"), calls.length + provider.heartbeats);
    assert.equal(value("response_success"), calls.length - failures);
    assert.equal(value("response_error"), failures);
    assert.equal(value("request_decoding_error"), 0);
    assert.equal(value("response_decoding_error"), 0);
    assert.equal(value("request_active"), 0);
    assert.equal(value("request_time_ms_count"), calls.length);
    for (const method of ["sayHello", "echoUser", "echoMap", "fail", "slow"]) {
      assert.equal(byMethod(stats, "request", method), count(method), `by_method request ${method}`);
    }
    assert.equal(byMethod(stats, "response_success", "sayHello"), count("sayHello"));
    assert.equal(byMethod(stats, "response_success", "slow"), 200);
    assert.equal(byMethod(stats, "response_error", "sayHello"), 0);
    assert.equal(byMethod(stats, "response_error", "fail"), failures);
    assert.equal(byMethod(stats, "response_success", "fail"), 0);
  });

  it("writes one access log line per call, naming interface and method", () => {
    const lines = host.accessLog();
    assert.equal(lines.length, provider.calls.length);
    for (const line of lines) {
      assert.match(line, /access protocol=dubbo connection=\d+ request_id=\d+ /);
      assert.ok(line.includes(` interface=${DEMO_SERVICE} `), line);
      assert.match(line, / method=(sayHello|echoUser|echoMap|fail|slow) /);
      assert.match(line, / request_bytes=\d+ response=(ok|error) response_bytes=\d+ duration_us=\d+$/);
    }
    const tagged = lines.find((l) => l.includes(" x-trace=t-1 "));
    assert.ok(tagged, "the line of the call with attachment x-trace=t-1");
    assert.match(tagged, / method=sayHello /);
    assert.match(tagged, / version=1\.0\.0 /);
    assert.match(tagged, / tenant=blue /);
    assert.match(tagged, / response=ok /);
    const failed = lines.filter((l) => l.includes(" method=fail "));
    assert.equal(failed.length, 2);
    for (const line of failed) assert.match(line, / response=error /);
    assert.ok(lines.some((l) => l.includes(" application=dubbo2.js ") && l.includes(" method=echoUser ")));
  });
});

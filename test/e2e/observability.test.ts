// Observability end to end, with real peers through the .wasm on the bundled host: per-method metrics as labelled
// Prometheus series (protocol, stat_prefix, service, method; counters, the request_active gauge and the
// request_time_ms histogram) for Dubbo and Thrift, a configured access log format, and generated x-request-ids
// reaching the server (Dubbo attachment, THeader info header) while trace headers travel untouched.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { DEMO_SERVICE, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { connectThriftClient, Operation } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { bootstrapFor, eventually, sample, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const FORMAT =
  "rpc %PROTOCOL% %SERVICE% %METHOD% id=%REQUEST_ID% rid=%METADATA(x-request-id)% tp=%METADATA(traceparent)% " +
  "%RESPONSE_STATUS% code=%RESPONSE_CODE% details=%RESPONSE_CODE_DETAILS% %DURATION%ms %REQUEST_BYTES%B/%RESPONSE_BYTES%B";

/** The `key=value` / `key` tokens of a configured access log line. */
function tokens(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of line.slice(line.indexOf("rpc ")).split(" ")) {
    const eq = token.indexOf("=");
    if (eq > 0) out[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return out;
}

describe("observability: Dubbo", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let consumer: DubboConsumer;
  const rpcLines = () => host.logs.filter((l) => l.includes("rpc dubbo "));

  before(async () => {
    provider = await startDubboProvider();
    const config = {
      stat_prefix: "demo",
      request_id: { generate: true },
      access_log: { format: FORMAT },
      // echoMap may be called once an hour: the second call is answered over limit by the filter.
      local_ratelimit: {
        conditions: [{ match: { metadata: [{ name: "method", exact_match: "echoMap" }] }, token_bucket: { max_tokens: 1, fill_interval: "3600s" } }],
      },
    };
    host = await startTestHost(bootstrapFor("envoy/dubbo.yaml", provider.port, JSON.stringify(config)), "dubbo");
    consumer = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await consumer?.close();
    await host?.stop();
    await provider?.close();
  });

  it("generates x-request-ids the provider receives, keeps a given one, and passes trace headers through", async () => {
    assert.equal(await consumer.invoke("sayHello", ["one"]), "Hello one");
    assert.equal(await consumer.invoke("sayHello", ["two"], { traceparent: TRACEPARENT, "x-b3-sampled": "1" }), "Hello two");
    assert.equal(await consumer.invoke("sayHello", ["three"], { "x-request-id": "given-by-the-consumer" }), "Hello three");
    const [one, two, three] = provider.calls.slice(-3).map((c) => c.attachments);
    assert.match(String(one["x-request-id"]), UUID_V4);
    assert.match(String(two["x-request-id"]), UUID_V4);
    assert.notEqual(one["x-request-id"], two["x-request-id"]);
    assert.equal(two.traceparent, TRACEPARENT);
    assert.equal(two["x-b3-sampled"], "1");
    assert.equal(three["x-request-id"], "given-by-the-consumer");
    assert.equal(one["x-mesh"], undefined, "the plugin configuration of this test has no request_mutation");

    await eventually(() => rpcLines().length >= 3, "three access log lines");
    const lines = rpcLines().map(tokens);
    assert.deepEqual(lines.map((l) => l.rid), [one["x-request-id"], two["x-request-id"], "given-by-the-consumer"]);
    assert.deepEqual(lines.map((l) => l.tp), ["-", TRACEPARENT, "-"]);
  });

  it("writes the configured access log line, with the over-limit reply named", async () => {
    assert.deepEqual(await consumer.invoke("echoMap", [{ a: 1 }]), { a: 1 });
    await assert.rejects(consumer.invoke("echoMap", [{ a: 2 }]), /over the local rate limit/);
    await assert.rejects(consumer.invoke("fail", ["boom"]), /boom/);
    assert.deepEqual(await consumer.invoke("echoUser", [{ $class: "com.example.User", $: { name: "eve", age: 3 } }]), { name: "eve", age: 3 });
    await eventually(() => rpcLines().length >= 7, "seven access log lines");
    const lines = rpcLines();
    for (const line of lines) {
      assert.match(
        line,
        new RegExp(`rpc dubbo ${DEMO_SERVICE.replaceAll(".", "\\.")} \\w+ id=\\d+ rid=\\S+ tp=\\S+ (ok|error) code=[01] details=\\S+ \\d+ms \\d+B/\\d+B$`),
      );
    }
    const limited = tokens(lines[4]);
    assert.ok(lines[4].includes(" echoMap "), lines[4]);
    assert.equal(limited.details, "over_limit");
    assert.equal(limited.code, "1");
    assert.ok(lines[4].includes(" error "), lines[4]);
    assert.ok(lines[5].includes(" fail ") && lines[5].includes(" error ") && tokens(lines[5]).details === "-", lines[5]);
    assert.ok(lines[6].includes(" echoUser ") && lines[6].includes(" ok "), lines[6]);
  });

  it("shows per-method counters, gauge and histogram as labelled series in /stats/prometheus", async () => {
    const labels = (method: string) => ({ protocol: "dubbo", stat_prefix: "demo", service: DEMO_SERVICE, method });
    let exposition = "";
    await eventually(async () => {
      exposition = await host.prometheus();
      return sample(exposition, "meta_protocol_by_method_request_time_ms_count", labels("echoUser")) === 1;
    }, "echoUser's time recorded");
    const value = (name: string, method: string) => sample(exposition, `meta_protocol_by_method_${name}`, labels(method));
    assert.equal(value("request", "sayHello"), 3);
    assert.equal(value("response_success", "sayHello"), 3);
    assert.equal(value("request", "echoMap"), 2);
    assert.equal(value("response_success", "echoMap"), 1);
    assert.equal(value("response_error", "echoMap"), 1);
    assert.equal(value("rate_limited", "echoMap"), 1);
    assert.equal(value("local_response_error", "echoMap"), 1);
    assert.equal(value("local_response_error", "sayHello"), 0);
    assert.equal(value("response_error", "fail"), 1);
    assert.equal(value("route_not_found", "fail"), 0);
    assert.equal(value("route_mismatch", "fail"), 0);
    assert.equal(value("request_active", "sayHello"), 0);
    assert.equal(value("request_time_ms_count", "sayHello"), 3);
    assert.equal(value("request_time_ms_count", "echoMap"), 2);
    assert.ok(value("request_time_ms_sum", "sayHello")! >= 0);
    assert.equal(sample(exposition, "meta_protocol_by_method_request_time_ms_bucket", { ...labels("sayHello"), le: "+Inf" }), 3);
    assert.match(exposition, /^# TYPE meta_protocol_by_method_request counter$/m);
    assert.match(exposition, /^# TYPE meta_protocol_by_method_request_active gauge$/m);
    assert.match(exposition, /^# TYPE meta_protocol_by_method_request_time_ms histogram$/m);
    // The totals keep MetaProtocol's names, with protocol and stat_prefix as labels.
    assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "rate_limited"), 1);
    assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "local_response_error"), 1);
    assert.equal(total(exposition, { protocol: "dubbo", statPrefix: "demo" }, "request_twoway"), 7);
  });
});

describe("observability: Thrift (THeader, binary)", { timeout: 30_000 }, () => {
  let server: ThriftServer;
  let host: RunningHost;

  before(async () => {
    server = await startThriftServer({ transport: "header", protocol: "binary" });
    const config = { stat_prefix: "edge", request_id: { generate: true }, access_log: { format: FORMAT } };
    host = await startTestHost(bootstrapFor("envoy/thrift.yaml", server.port, JSON.stringify(config)), "thrift");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("generates x-request-ids as THeader info headers, logs them and counts per method with labels", async () => {
    const client = await connectThriftClient({ port: host.port, transport: "header", protocol: "binary", headers: { traceparent: TRACEPARENT } });
    try {
      await client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1, 2] });
      await client.calculator.calculate({ id: 2, op: Operation.ADD, operands: [3] });
      assert.equal(await client.calculator.slow(1, "t"), "t");
    } finally {
      await client.close();
    }
    const headers = server.calls.map((c) => c.headers ?? {});
    assert.equal(headers.length, 3);
    for (const h of headers) {
      assert.match(h["x-request-id"] ?? "", UUID_V4);
      assert.equal(h.traceparent, TRACEPARENT);
    }
    assert.equal(new Set(headers.map((h) => h["x-request-id"])).size, 3);

    await eventually(() => host.logs.filter((l) => l.includes("rpc thrift ")).length === 3, "three access log lines");
    const lines = host.logs.filter((l) => l.includes("rpc thrift "));
    assert.deepEqual(lines.map((l) => tokens(l).rid), headers.map((h) => h["x-request-id"]));
    assert.match(lines[0], / - calculate id=\d+ rid=\S+ tp=00-4bf9\S+ ok code=0 details=- \d+ms \d+B\/\d+B$/); // no service: not multiplexed

    const labels = (method: string) => ({ protocol: "thrift", stat_prefix: "edge", method });
    let exposition = "";
    await eventually(async () => {
      exposition = await host.prometheus();
      return sample(exposition, "meta_protocol_by_method_request_time_ms_count", labels("slow")) === 1;
    }, "slow's time recorded");
    assert.equal(sample(exposition, "meta_protocol_by_method_request", labels("calculate")), 2);
    assert.equal(sample(exposition, "meta_protocol_by_method_response_success", labels("calculate")), 2);
    assert.equal(sample(exposition, "meta_protocol_by_method_request_active", labels("calculate")), 0);
    assert.equal(sample(exposition, "meta_protocol_by_method_request_time_ms_count", labels("calculate")), 2);
    assert.equal(sample(exposition, "meta_protocol_by_method_request_time_ms_bucket", { ...labels("slow"), le: "+Inf" }), 1);
    assert.equal(total(exposition, { protocol: "thrift", statPrefix: "edge" }, "request"), 3);
  });
});

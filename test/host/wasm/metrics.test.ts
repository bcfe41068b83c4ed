// proxy_define_metric & co: ids, types, and the wasmcustom.<name> stats they create.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MetricType, WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let probe: ProbePlugin;
let connection: ProbeConnection;
before(async () => {
  probe = await ProbePlugin.load();
  connection = probe.connect();
  connection.start();
});
after(() => probe.close());

function run(command: string): string | undefined {
  connection.send(command);
  return probe.result(command);
}

test("define gives type-tagged ids and creates wasmcustom.<name>", () => {
  assert.equal(run(`mdef ${MetricType.Counter} rpc.requests`), `${WasmResult.Ok} 4`);
  assert.equal(run(`mdef ${MetricType.Gauge} rpc.active`), `${WasmResult.Ok} 5`);
  assert.equal(run(`mdef ${MetricType.Histogram} rpc.time_ms`), `${WasmResult.Ok} 6`);
  assert.equal(run(`mdef ${MetricType.Counter} rpc.requests`), `${WasmResult.Ok} 8`, "a new id for the same name");
  assert.equal(run("mdef 3 bad"), `${WasmResult.BadArgument} 0`);
  assert.match(probe.stats.renderText(), /^wasmcustom\.rpc\.requests: 0$/m);
});

test("counters take positive increments only; both ids count into the one stat", () => {
  assert.equal(run("minc 4 2"), String(WasmResult.Ok));
  assert.equal(run("minc 8 3"), String(WasmResult.Ok));
  assert.equal(run("minc 4 0"), String(WasmResult.BadArgument));
  assert.equal(run("minc 4 -1"), String(WasmResult.BadArgument));
  assert.equal(run("mget 4"), `${WasmResult.Ok} 5`);
  assert.equal(probe.stats.counter("wasmcustom.rpc.requests").value(), 5);
});

test("gauges go both ways and can be set; histograms are recorded", () => {
  assert.equal(run("minc 5 10"), String(WasmResult.Ok));
  assert.equal(run("minc 5 -4"), String(WasmResult.Ok));
  assert.equal(run("mget 5"), `${WasmResult.Ok} 6`);
  assert.equal(run("mrec 5 42"), String(WasmResult.Ok));
  assert.equal(probe.stats.gauge("wasmcustom.rpc.active").value(), 42);
  assert.equal(run("mrec 6 7"), String(WasmResult.Ok));
  assert.equal(run("minc 6 1"), String(WasmResult.BadArgument), "histograms are recorded, not incremented");
  assert.equal(run("mget 6"), `${WasmResult.BadArgument} 0`);
  probe.stats.mergeHistograms();
  assert.match(probe.stats.renderText(), /^wasmcustom\.rpc\.time_ms: P0\(7,7\) /m);
});

test("an id never defined is NotFound", () => {
  assert.equal(run("minc 400 1"), String(WasmResult.NotFound));
  assert.equal(run("mrec 401 1"), String(WasmResult.NotFound));
  assert.equal(run("mget 400"), `${WasmResult.NotFound} 0`);
});

// proxy_continue_stream / proxy_close_stream / proxy_send_local_response on a network filter.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CloseType } from "../api.ts";
import { StreamType, WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let probe: ProbePlugin;
before(async () => (probe = await ProbePlugin.load()));
after(() => probe.close());

function connected(): ProbeConnection {
  const connection = probe.connect();
  connection.start();
  return connection;
}

test("continue Downstream resumes reading; continue Upstream is Unimplemented", () => {
  const c = connected();
  c.send(`continue ${StreamType.Downstream};continue ${StreamType.Upstream};continue 4`);
  assert.equal(probe.result(`continue ${StreamType.Downstream}`), String(WasmResult.Ok));
  assert.equal(probe.result(`continue ${StreamType.Upstream}`), String(WasmResult.Unimplemented));
  assert.equal(probe.result("continue 4"), String(WasmResult.BadArgument));
  assert.equal(c.continueReadingCalls, 1);
});

test("close Downstream and close Upstream both close the downstream connection with FlushWrite", () => {
  for (const type of [StreamType.Downstream, StreamType.Upstream]) {
    const c = connected();
    c.send(`close ${type}`);
    assert.equal(probe.result(`close ${type}`), String(WasmResult.Ok));
    assert.deepEqual(c.closes, [CloseType.FlushWrite]);
  }
});

test("the connection is touched only after the callback returned (Envoy defers it)", () => {
  const c = connected();
  c.send(`close ${StreamType.Downstream};ctx`);
  const closed = probe.logs.indexOf(`Connection ${c.connection.id} close FlushWrite`);
  const laterCommand = probe.logs.map((line) => line.includes(": r ctx => ")).lastIndexOf(true);
  assert.ok(laterCommand >= 0 && closed > laterCommand, "closed after the whole callback ran");
});

test("HTTP stream types are accepted and do nothing; a local response is Ok and sends nothing", () => {
  const c = connected();
  c.send(`continue ${StreamType.Request};close ${StreamType.Response};local`);
  assert.equal(probe.result(`continue ${StreamType.Request}`), String(WasmResult.Ok));
  assert.equal(probe.result(`close ${StreamType.Response}`), String(WasmResult.Ok));
  assert.equal(probe.result("local"), String(WasmResult.Ok));
  assert.deepEqual(c.closes, []);
  assert.equal(c.continueReadingCalls, 0);
});

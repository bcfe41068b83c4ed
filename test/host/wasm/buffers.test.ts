// proxy_get_buffer_bytes / proxy_set_buffer_bytes / proxy_get_buffer_status with Envoy's rules.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BufferType, WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

const { NetworkDownstreamData: DOWN, NetworkUpstreamData: UP } = BufferType;
let probe: ProbePlugin;
before(async () => (probe = await ProbePlugin.load({ configuration: "plugin-config" })));
after(() => probe.close());

function connected(): ProbeConnection {
  const connection = probe.connect();
  connection.start();
  return connection;
}

/** Sends `commands` as the connection's data and returns what the filter let through. */
function bufferAfter(connection: ProbeConnection, commands: string): string {
  connection.send(commands);
  return connection.forwardedText().at(-1)!;
}

test("get clamps start and length to the data; past the end reads nothing", () => {
  const c = connected();
  c.send(`get ${DOWN} 4 3`);
  assert.equal(probe.result(`get ${DOWN} 4 3`), `${WasmResult.Ok} 2 4`);
  c.send(`get ${DOWN} 2 1000`);
  assert.equal(probe.result(`get ${DOWN} 2 1000`), `${WasmResult.Ok} t ${DOWN} 2 1000`);
  c.send(`get ${DOWN} 9999 5`);
  assert.equal(probe.result(`get ${DOWN} 9999 5`), `${WasmResult.Ok} `);
});

test("set at start 0 drains `length` bytes then prepends", () => {
  assert.equal(bufferAfter(connected(), `set ${DOWN} 0 0 AB`), `ABset ${DOWN} 0 0 AB`);
  assert.equal(bufferAfter(connected(), `set ${DOWN} 0 4 AB`), `AB${DOWN} 0 4 AB`);
  assert.equal(bufferAfter(connected(), `set ${DOWN} 0 99 AB`), "AB", "length >= size replaces everything");
});

test("set at start >= size appends; inside the data it is BadArgument", () => {
  assert.equal(bufferAfter(connected(), `set ${DOWN} 13 0 Z`), `set ${DOWN} 13 0 ZZ`);
  const c = connected();
  assert.equal(bufferAfter(c, `set ${DOWN} 3 0 Z`), `set ${DOWN} 3 0 Z`);
  assert.equal(probe.result(`set ${DOWN} 3 0 Z`), String(WasmResult.BadArgument));
});

test("status gives the size; the upstream buffer is the write path's data", () => {
  const c = connected();
  c.send(`status ${DOWN}`);
  assert.equal(probe.result(`status ${DOWN}`), `${WasmResult.Ok} 8`);
  const { buffer } = c.receive(`set ${UP} 0 0 >;status ${UP}`);
  assert.equal(probe.result(`status ${UP}`), `${WasmResult.Ok} 21`, "the prepended byte counts");
  assert.equal(new TextDecoder().decode(buffer.view()), `>set ${UP} 0 0 >;status ${UP}`);
});

test("data held with StopIteration is presented again, with the new bytes appended", () => {
  const c = connected();
  c.send("stop");
  c.send(`;status ${DOWN}`);
  assert.equal(probe.result(`status ${DOWN}`), `${WasmResult.Ok} 13`);
  assert.deepEqual(c.forwardedText(), [], "the \"stop\" command ran again and still holds the data");
  assert.equal(new TextDecoder().decode(c.readBuffer.view()), `stop;status ${DOWN}`);
});

test("outside its callback a network buffer reads empty and refuses writes", () => {
  const c = connected();
  c.send(`get ${UP} 0 10;set ${UP} 0 0 x;status ${UP}`);
  assert.equal(probe.result(`get ${UP} 0 10`), `${WasmResult.Ok} `);
  assert.equal(probe.result(`set ${UP} 0 0 x`), String(WasmResult.BadArgument));
  assert.equal(probe.result(`status ${UP}`), `${WasmResult.Ok} 0`);
});

test("configuration buffers: VM configuration always, plugin configuration only in on_configure", () => {
  const c = connected();
  c.send(`get ${BufferType.VmConfiguration} 0 99;get ${BufferType.PluginConfiguration} 0 99`);
  assert.equal(probe.result(`get ${BufferType.VmConfiguration} 0 99`), `${WasmResult.Ok} vm-config`);
  assert.equal(probe.result(`get ${BufferType.PluginConfiguration} 0 99`), `${WasmResult.NotFound} `);
  c.send(`set ${BufferType.VmConfiguration} 0 0 x`);
  assert.equal(probe.result(`set ${BufferType.VmConfiguration} 0 0 x`), String(WasmResult.BadArgument));
});

test("HTTP bodies are empty on a network filter, callout results absent, unknown types BadArgument", () => {
  const c = connected();
  c.send(`get ${BufferType.HttpRequestBody} 0 9;get ${BufferType.HttpCallResponseBody} 0 9;get 9 0 9`);
  assert.equal(probe.result(`get ${BufferType.HttpRequestBody} 0 9`), `${WasmResult.Ok} `);
  assert.equal(probe.result(`get ${BufferType.HttpCallResponseBody} 0 9`), `${WasmResult.NotFound} `);
  assert.equal(probe.result("get 9 0 9"), `${WasmResult.BadArgument} `);
});

// proxy_call_foreign_function, in particular set_envoy_filter_state for tcp_proxy's cluster.
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { after, before, test } from "node:test";
import { FilterStateLifeSpan } from "../api.ts";
import { WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let probe: ProbePlugin;
before(async () => (probe = await ProbePlugin.load()));
after(() => probe.close());

/** SetEnvoyFilterStateArguments { string path = 1; string value = 2; LifeSpan span = 3; } */
function filterStateArguments(path: string, value: string, span: number): string {
  const field = (tag: number, bytes: Buffer) => Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
  return Buffer.concat([field(0x0a, Buffer.from(path)), field(0x12, Buffer.from(value)), Buffer.from([0x18, span])]).toString("hex");
}

function call(connection: ProbeConnection, name: string, argumentHex: string): string[] {
  const command = `ff ${name} ${argumentHex}`.trim();
  connection.send(command);
  return probe.result(command)!.split(" ");
}

function connected(): ProbeConnection {
  const connection = probe.connect();
  connection.start();
  return connection;
}

test("set_envoy_filter_state sets tcp_proxy's cluster in the connection's filter state", () => {
  const c = connected();
  const args = filterStateArguments("envoy.tcp_proxy.cluster", "outbound|20880|v2|dubbo", 2);
  assert.deepEqual(call(c, "set_envoy_filter_state", args), [String(WasmResult.Ok), ""]);
  assert.deepEqual(c.state.get("envoy.tcp_proxy.cluster"), {
    value: "outbound|20880|v2|dubbo",
    lifeSpan: FilterStateLifeSpan.DownstreamConnection,
  });
});

test("a key without a filter-state factory is NotFound; a malformed argument is BadArgument", () => {
  const c = connected();
  assert.equal(call(c, "set_envoy_filter_state", filterStateArguments("my.key", "v", 0))[0], String(WasmResult.NotFound));
  assert.equal(call(c, "set_envoy_filter_state", "0aff")[0], String(WasmResult.BadArgument));
  assert.equal(c.state.size, 0);
});

test("an unknown foreign function is NotFound; compress returns zlib data", () => {
  const c = connected();
  assert.equal(call(c, "no_such_function", "")[0], String(WasmResult.NotFound));
  const [result, output] = call(c, "compress", Buffer.from("hello hello hello").toString("hex"));
  assert.equal(result, String(WasmResult.Ok));
  assert.equal(inflateSync(Buffer.from(output, "hex")).toString(), "hello hello hello");
});

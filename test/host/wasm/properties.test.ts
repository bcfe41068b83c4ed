// proxy_get_property / proxy_set_property: attribute names, paths, and Envoy's value encodings.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let probe: ProbePlugin;
before(async () => (probe = await ProbePlugin.load()));
after(() => probe.close());

const text = (s: string) => `${WasmResult.Ok} ${Buffer.from(s).toString("hex")}`;
const int64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return `${WasmResult.Ok} ${b.toString("hex")}`;
};

/** The probe's answer to proxy_get_property for `path` ("a/b" is the path a NUL b). */
function property(connection: ProbeConnection, path: string): string | undefined {
  connection.send(`prop ${path}`);
  return probe.result(`prop ${path}`);
}

function connected(info = {}): ProbeConnection {
  const connection = probe.connect(info);
  connection.start();
  return connection;
}

test("peer addresses are ip:port strings, ports 8-byte little-endian integers", () => {
  const c = connected({ sourceAddress: "10.1.2.3", sourcePort: 40001 });
  assert.equal(property(c, "source/address"), text("10.1.2.3:40001"));
  assert.equal(property(c, "source/port"), int64(40001));
  assert.equal(property(c, "destination/address"), text("127.0.0.1:26000"));
  assert.equal(property(c, "destination/port"), int64(26000));
  assert.equal(property(connected({ sourceAddress: "::1", sourcePort: 5 }), "source/address"), text("[::1]:5"));
});

test("connection attributes and the wasm-only names", () => {
  const c = connected({ id: 77 });
  assert.equal(property(c, "connection/id"), int64(77));
  assert.equal(property(c, "connection_id"), int64(77));
  assert.equal(property(c, "connection/mtls"), `${WasmResult.Ok} 00`);
  assert.equal(property(c, "connection/requested_server_name"), `${WasmResult.Ok} `);
  assert.equal(property(c, "plugin_name"), text("probe_filter"));
  assert.equal(property(c, "plugin_root_id"), text("probe_root"));
  assert.equal(property(c, "plugin_vm_id"), text("probe_vm"));
});

test("xds attributes; cluster_name and upstream.* only once tcp_proxy has them", () => {
  const c = connected();
  assert.equal(property(c, "xds/listener_direction"), int64(1));
  assert.equal(property(c, "xds/filter_chain_name"), text("probe_chain"));
  assert.equal(property(c, "xds/cluster_name"), `${WasmResult.NotFound} `);
  assert.equal(property(c, "upstream/address"), `${WasmResult.NotFound} `);
  c.connection.upstreamClusterName = "backend";
  c.connection.upstreamAddress = "192.168.0.9:9000";
  assert.equal(property(c, "xds/cluster_name"), text("backend"));
  assert.equal(property(c, "upstream/address"), text("192.168.0.9:9000"));
  assert.equal(property(c, "upstream/port"), int64(9000));
});

test("paths: a whole map cannot be serialized, a dotted name is not a path, scalars have no fields", () => {
  const c = connected();
  assert.equal(property(c, "source"), `${WasmResult.SerializationFailure} `);
  assert.equal(property(c, "source.address"), `${WasmResult.NotFound} `);
  assert.equal(property(c, "source/address/more"), `${WasmResult.NotFound} `);
  assert.equal(property(c, "request/path"), `${WasmResult.NotFound} `, "request.* is HTTP only");
});

test("set_property writes filter state wasm.<name>, which get_property reads back", () => {
  const c = connected();
  c.send("setprop my_key v1");
  assert.equal(probe.result("setprop my_key v1"), String(WasmResult.Ok));
  assert.equal(c.filterState.get("wasm.my_key"), "v1");
  assert.equal(property(c, "my_key"), text("v1"));
  c.filterState.set("envoy.tcp_proxy.cluster", "other", 2);
  assert.equal(property(c, "filter_state/envoy.tcp_proxy.cluster"), text("other"));
});

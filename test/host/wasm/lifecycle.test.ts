// The order and arguments of the callbacks Envoy makes: VM start, per connection, at shutdown.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CloseType, ConnectionEvent, FilterStatus } from "../api.ts";
import { compileAssemblyScript } from "./testing/compile_assemblyscript.ts";
import { ProbePlugin } from "./testing/probe_host.ts";

test("a VM starts with context_create(root, 0), vm_start and configure, after a canary VM did the same", async () => {
  const probe = await ProbePlugin.load({ configuration: "my-config" });
  const start = ["on_context_create 1 0", "on_vm_start 1 vm-config", "on_configure 1 my-config"];
  assert.deepEqual(probe.callbacks(), [...start, ...start]);
  await probe.close();
});

test("a connection: create + new_connection on first use, data, then close, done, log, delete", async () => {
  const probe = await ProbePlugin.load();
  const connection = probe.connect();
  assert.equal(connection.start(), FilterStatus.Continue);
  connection.send("ctx");
  connection.event(ConnectionEvent.LocalClose);
  assert.deepEqual(probe.callbacks().slice(6), [
    "on_context_create 2 1",
    "on_new_connection 2",
    "on_downstream_data 2 3 0",
    "on_downstream_connection_close 2 1",
    "on_done 2",
    "on_log 2",
    "on_delete 2",
  ]);
  await probe.close();
  assert.deepEqual(probe.callbacks().slice(-2), ["on_done 1", "on_delete 1"]);
});

test("a remote close is peer type 2; upstream end of stream is upstream_connection_close(ctx, 0)", async () => {
  const probe = await ProbePlugin.load();
  const connection = probe.connect();
  connection.start();
  connection.receive("ctx", true);
  connection.event(ConnectionEvent.RemoteClose);
  assert.deepEqual(probe.callbacks().slice(8), [
    "on_upstream_data 2 3 1",
    "on_upstream_connection_close 2 0",
    "on_downstream_connection_close 2 2",
    "on_done 2",
    "on_log 2",
    "on_delete 2",
  ]);
  await probe.close();
});

test("data before the filter was reached, and a close before it, never reach the module", async () => {
  const probe = await ProbePlugin.load();
  const connection = probe.connect();
  assert.equal(connection.send("ctx"), FilterStatus.Continue);
  connection.event(ConnectionEvent.RemoteClose);
  assert.equal(probe.callbacks().length, 6, "only the two VM starts");
  await probe.close();
});

test("StopIteration from the module is returned to the filter chain", async () => {
  const probe = await ProbePlugin.load();
  const connection = probe.connect();
  connection.start();
  assert.equal(connection.send("stop"), FilterStatus.StopIteration);
  assert.equal(connection.receive("ctx").status, FilterStatus.Continue);
  assert.deepEqual(connection.closes, []);
  await probe.close();
});

test("connections are spread round robin over one VM per worker", async () => {
  const probe = await ProbePlugin.load({ concurrency: 2 });
  const contexts = [1, 2, 3, 4].map(() => {
    const c = probe.connect();
    c.start();
    c.send("ctx");
    return probe.result("ctx");
  });
  assert.deepEqual(contexts, ["2", "2", "3", "3"], "each VM numbers its own contexts");
  assert.equal(probe.factory.memoryBytes().length, 2);
  assert.ok(probe.factory.memoryBytes().every((bytes) => bytes >= 65536));
  await probe.close();
});

test("a configuration the module refuses rejects the plugin, naming it", async () => {
  await assert.rejects(ProbePlugin.load({ configuration: "reject" }), /Unable to create Wasm network filter probe_filter/);
});

test("at shutdown a root that is not done yet is deleted once it calls proxy_done", async () => {
  const probe = await ProbePlugin.load({ configuration: "linger" });
  const connection = probe.connect();
  connection.start();
  assert.equal(probe.result("done") ?? "none", "none");
  const closing = probe.close();
  connection.send("effective 1;done");
  await closing;
  assert.equal(probe.result("done"), "0", "proxy_done of the root, through the effective context");
  assert.deepEqual(probe.callbacks().slice(-3), ["on_done 1", "on_downstream_data 2 16 0", "on_delete 1"]);
});

test("proxy_done outside of shutdown is NotFound", async () => {
  const probe = await ProbePlugin.load();
  const connection = probe.connect();
  connection.start();
  connection.send("done");
  assert.equal(probe.result("done"), "1");
  assert.deepEqual(connection.closes, [] as CloseType[]);
  await probe.close();
});

test("while _initialize runs only logging, clocks, random, args and environment are allowed", async () => {
  const module = await compileAssemblyScript(`// use: abort=probe/quietAbort
@external("env", "proxy_log") declare function proxy_log(level: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds") declare function tick(ms: u32): u32;
export function quietAbort(m: string | null, f: string | null, l: u32, c: u32): void { unreachable(); }
export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }
const message = String.UTF8.encode("tick answered " + tick(10).toString());
proxy_log(2, changetype<usize>(message), message.byteLength);`);
  const probe = await ProbePlugin.load({ wasmPath: module.path });
  assert.ok(probe.logs.includes("Error Attempted call to restricted proxy-wasm capability: proxy_set_tick_period_milliseconds"));
  assert.ok(probe.logs.includes("Info wasm log: tick answered 10"), "InternalFailure, logged from the VM context");
  await probe.close();
});

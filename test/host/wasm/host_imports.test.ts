// The import object serves exactly Envoy's table (envoy_abi.ts), with an implementation for every function.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HOST_FUNCTIONS } from "./envoy_abi.ts";
import { implementations } from "./host_imports.ts";
import type { WasmVm } from "./wasm_vm.ts";

test("every function of Envoy's table has an implementation, and nothing else is implemented", () => {
  const { env, wasi } = implementations({} as WasmVm);
  const tableEnv = HOST_FUNCTIONS.filter((f) => f.module === "env").map((f) => f.name);
  const tableWasi = new Set(HOST_FUNCTIONS.filter((f) => f.module !== "env").map((f) => f.name));
  assert.deepEqual(Object.keys(env).sort(), [...tableEnv].sort());
  assert.deepEqual(Object.keys(wasi).sort(), [...tableWasi].sort());
});

test("the table: 12-argument grpc_call, i64 metric values, both WASI module names", () => {
  const find = (module: string, name: string) => HOST_FUNCTIONS.find((f) => f.module === module && f.name === name);
  assert.equal(find("env", "proxy_grpc_call")?.params.length, 12);
  assert.deepEqual(find("env", "proxy_increment_metric")?.params, ["i32", "i64"]);
  assert.deepEqual(find("env", "proxy_get_log_level")?.abi, ["0.2.1"]);
  assert.ok(find("wasi_snapshot_preview1", "fd_write") && find("wasi_unstable", "fd_write"));
  assert.deepEqual(find("wasi_snapshot_preview1", "proc_exit")?.results, []);
});

// Every module the build produced must load in Envoy; and the check catches what Envoy refuses.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkModule } from "./module_check.ts";
import { compileAssemblyScript } from "./testing/compile_assemblyscript.ts";

const BUILD_DIR = new URL("../../../build/", import.meta.url).pathname;

/** A minimal module Envoy accepts, plus `extra` (AssemblyScript). */
function module(extra: string, abi = "0_2_1"): Promise<Uint8Array> {
  const source = `// use: abort=probe/quietAbort
export function quietAbort(m: string | null, f: string | null, l: u32, c: u32): void { unreachable(); }
export function proxy_abi_version_${abi}(): void {}
export function malloc(size: usize): usize { return heap.alloc(size); }
${extra}`;
  return compileAssemblyScript(source).then((m) => m.bytes);
}

test("every build/*.wasm passes (run `make build` first)", () => {
  // build/test/ holds test harnesses (plain wasm modules for the tests, such as the HTTP/2 library's), not filters.
  const modules = readdirSync(BUILD_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".wasm") && !f.startsWith("test/"));
  assert.ok(modules.length > 0, `no .wasm under ${BUILD_DIR}`);
  for (const file of modules) assert.deepEqual(checkModule(readFileSync(join(BUILD_DIR, file))), [], file);
});

test("a minimal module passes", async () => {
  assert.deepEqual(checkModule(await module("")), []);
});

test("an import Envoy does not provide (AssemblyScript's default env.abort)", async () => {
  const withAbort = await compileAssemblyScript(
    "export function proxy_abi_version_0_2_1(): void {}\nexport function malloc(n: usize): usize { return heap.alloc(n); }\nexport function f(x: i32): void { assert(x); }",
  );
  assert.deepEqual(checkModule(withAbort.bytes), ["import env.abort is not provided by Envoy for ABI 0.2.1: missing import"]);
});

test("an import with another signature than Envoy's", async () => {
  const bytes = await module(`@external("env", "proxy_log") declare function proxy_log(level: i32): void;
export function f(): void { proxy_log(1); }`);
  assert.deepEqual(checkModule(bytes), [
    "import env.proxy_log has type (i32) -> () but Envoy provides (i32, i32, i32) -> (i32)",
  ]);
});

test("proxy_get_log_level exists for ABI 0.2.1 only", async () => {
  const use = `@external("env", "proxy_get_log_level") declare function level(p: usize): u32;
export function f(): u32 { return level(0); }`;
  assert.deepEqual(checkModule(await module(use, "0_2_1")), []);
  assert.match(checkModule(await module(use, "0_2_0"))[0], /env\.proxy_get_log_level .* for ABI 0\.2\.1 only/);
});

test("a callback Envoy never calls, a callback with the wrong signature", async () => {
  const bytes = await module(`export function proxy_on_grpc_trailing_metadata(a: u32, b: u32, c: u32): void {}
export function proxy_on_tick(root: u32): u32 { return 0; }`);
  assert.deepEqual(checkModule(bytes), [
    "export proxy_on_grpc_trailing_metadata is never called by Envoy (did you mean proxy_on_grpc_receive_trailing_metadata?)",
    "export proxy_on_tick is (i32) -> (i32) but Envoy calls it as (i32) -> ()",
  ]);
});

test("no ABI version export; no malloc", async () => {
  const noAbi = await compileAssemblyScript("export function malloc(n: usize): usize { return heap.alloc(n); }");
  assert.match(checkModule(noAbi.bytes)[0], /no proxy_abi_version_0_2_0 or proxy_abi_version_0_2_1 export/);
  const noMalloc = await compileAssemblyScript("export function proxy_abi_version_0_2_0(): void {}");
  assert.deepEqual(checkModule(noMalloc.bytes), [
    "no `malloc` or `proxy_on_memory_allocate` export (Envoy: Wasm module is missing malloc function)",
  ]);
  assert.deepEqual(checkModule(new Uint8Array([0, 1, 2])), ["not a valid WebAssembly module"]);
});

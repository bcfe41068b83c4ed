// V8 set up as proxy-wasm-cpp-host sets it up for Envoy (src/v8/v8.cc engine(), once per process, before any module
// is compiled): `--wasm_max_mem_pages` = PROXY_WASM_HOST_MAX_WASM_MEMORY_SIZE_BYTES / 64 KiB
// (include/proxy-wasm/limits.h: 1 GiB, so 16384 pages). The limit is per linear memory: memory.grow past it answers
// -1, and a module's allocator then aborts (AssemblyScript's runs `unreachable`), which fails the VM.
// Node runs the same V8, where the flag is read when a memory grows, so setting it here caps every VM of the process.
// cpp-host's other flags (--no-liftoff, --stack-trace-limit) change compilation and backtraces, not behaviour.
import v8 from "node:v8";

const WASM_PAGE_BYTES = 64 * 1024;
const MAX_WASM_MEMORY_BYTES = 1024 * 1024 * 1024;
const MAX_WASM_MEMORY_PAGES = MAX_WASM_MEMORY_BYTES / WASM_PAGE_BYTES;

export function configureV8Engine(): void {
  v8.setFlagsFromString(`--wasm-max-mem-pages=${MAX_WASM_MEMORY_PAGES}`);
}

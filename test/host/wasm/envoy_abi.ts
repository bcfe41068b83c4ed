// What Envoy links into a proxy-wasm module, and what it looks for in the module's exports: the contract a module
// must meet to load in a stock Envoy, and the list this host serves (no more, no less).
//
// Read in the stored sources:
// - proxy-wasm-cpp-host include/proxy-wasm/exports.h: FOR_ALL_HOST_FUNCTIONS, FOR_ALL_HOST_FUNCTIONS_ABI_SPECIFIC,
//   FOR_ALL_WASI_FUNCTIONS and the C signatures (Word = i32 on wasm32, int64_t/uint64_t = i64, void = no result).
// - proxy-wasm-cpp-host src/wasm.cc WasmBase::registerCallbacks: every proxy_* goes to module "env"; WASI functions
//   are registered under both "wasi_unstable" and "wasi_snapshot_preview1"; continue_stream/close_stream only for
//   ABI 0.2.0/0.2.1, get_log_level only for 0.2.1; plus env.pthread_equal and env.emscripten_notify_memory_growth.
// - envoy source/extensions/common/wasm/wasm.cc Wasm::registerCallbacks: env.envoy_resolve_dns.
// - proxy-wasm-cpp-host src/wasm.cc WasmBase::getFunctions, include/proxy-wasm/wasm.h (the WasmCallVoid/WasmCallWord
//   arity of each callback) and envoy wasm.cc Wasm::getFunctions (proxy_on_resolve_dns, proxy_on_stats_update).
// - proxy-wasm-cpp-host src/v8/v8.cc link(): a missing import or an import whose types differ is a load failure;
//   getModuleFunctionImpl(): an export with the wrong signature is a load failure too.

export type ValueType = "i32" | "i64";

export interface Signature {
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
}

export type AbiVersion = "0.2.0" | "0.2.1";

export interface HostFunction extends Signature {
  readonly module: "env" | "wasi_snapshot_preview1" | "wasi_unstable";
  readonly name: string;
  /** The ABI versions for which Envoy links it. */
  readonly abi: readonly AbiVersion[];
}

const ALL_ABIS: readonly AbiVersion[] = ["0.2.0", "0.2.1"];

/** `n` i32 parameters, one i32 result: the shape of almost every proxy-wasm host call. */
function words(n: number): Signature {
  return { params: Array<ValueType>(n).fill("i32"), results: ["i32"] };
}

function env(name: string, signature: Signature, abi = ALL_ABIS): HostFunction {
  return { module: "env", name, abi, ...signature };
}

const PROXY_FUNCTIONS: readonly HostFunction[] = [
  env("proxy_log", words(3)),
  env("proxy_get_status", words(3)),
  env("proxy_set_property", words(4)),
  env("proxy_get_property", words(4)),
  env("proxy_send_local_response", words(8)),
  env("proxy_get_shared_data", words(5)),
  env("proxy_set_shared_data", words(5)),
  env("proxy_register_shared_queue", words(3)),
  env("proxy_resolve_shared_queue", words(5)),
  env("proxy_dequeue_shared_queue", words(3)),
  env("proxy_enqueue_shared_queue", words(3)),
  env("proxy_get_header_map_value", words(5)),
  env("proxy_add_header_map_value", words(5)),
  env("proxy_replace_header_map_value", words(5)),
  env("proxy_remove_header_map_value", words(3)),
  env("proxy_get_header_map_pairs", words(3)),
  env("proxy_set_header_map_pairs", words(3)),
  env("proxy_get_header_map_size", words(2)),
  env("proxy_get_buffer_status", words(3)),
  env("proxy_get_buffer_bytes", words(5)),
  env("proxy_set_buffer_bytes", words(5)),
  env("proxy_http_call", words(10)),
  env("proxy_grpc_call", words(12)),
  env("proxy_grpc_stream", words(9)),
  env("proxy_grpc_close", words(1)),
  env("proxy_grpc_cancel", words(1)),
  env("proxy_grpc_send", words(4)),
  env("proxy_set_tick_period_milliseconds", words(1)),
  env("proxy_get_current_time_nanoseconds", words(1)),
  env("proxy_define_metric", words(4)),
  env("proxy_increment_metric", { params: ["i32", "i64"], results: ["i32"] }),
  env("proxy_record_metric", { params: ["i32", "i64"], results: ["i32"] }),
  env("proxy_get_metric", words(2)),
  env("proxy_set_effective_context", words(1)),
  env("proxy_done", words(0)),
  env("proxy_call_foreign_function", words(6)),
  env("proxy_continue_stream", words(1)),
  env("proxy_close_stream", words(1)),
  env("proxy_get_log_level", words(1), ["0.2.1"]),
  env("pthread_equal", words(2)),
  env("emscripten_notify_memory_growth", { params: ["i32"], results: [] }),
  env("envoy_resolve_dns", words(3)),
];

const WASI_SIGNATURES: Readonly<Record<string, Signature>> = {
  fd_write: words(4),
  fd_read: words(4),
  fd_seek: { params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
  fd_close: words(1),
  fd_fdstat_get: words(2),
  environ_get: words(2),
  environ_sizes_get: words(2),
  args_get: words(2),
  args_sizes_get: words(2),
  clock_time_get: { params: ["i32", "i64", "i32"], results: ["i32"] },
  random_get: words(2),
  proc_exit: { params: ["i32"], results: [] },
  path_open: { params: ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"], results: ["i32"] },
  fd_prestat_get: words(2),
  fd_prestat_dir_name: words(3),
};

const WASI_FUNCTIONS: readonly HostFunction[] = (["wasi_snapshot_preview1", "wasi_unstable"] as const).flatMap(
  (module) =>
    Object.entries(WASI_SIGNATURES).map(([name, signature]) => ({ module, name, abi: ALL_ABIS, ...signature })),
);

/** Every function Envoy links, for ABI 0.2.0 and 0.2.1. */
export const HOST_FUNCTIONS: readonly HostFunction[] = [...PROXY_FUNCTIONS, ...WASI_FUNCTIONS];

/** The export that tells Envoy which ABI the module speaks (0.1.0 is accepted by Envoy but not served here). */
export const ABI_VERSION_EXPORTS: Readonly<Record<string, AbiVersion | "0.1.0">> = {
  proxy_abi_version_0_1_0: "0.1.0",
  proxy_abi_version_0_2_0: "0.2.0",
  proxy_abi_version_0_2_1: "0.2.1",
};

function callback(params: number, returnsWord: boolean): Signature {
  return { params: Array<ValueType>(params).fill("i32"), results: returnsWord ? ["i32"] : [] };
}

/** The module exports Envoy looks up (ABI 0.2.x), with the signature it requires when one is present. */
export const MODULE_EXPORTS: Readonly<Record<string, Signature>> = {
  _initialize: callback(0, false),
  main: callback(2, true),
  _start: callback(0, false),
  malloc: callback(1, true),
  proxy_on_memory_allocate: callback(1, true),
  proxy_validate_configuration: callback(2, true),
  proxy_on_vm_start: callback(2, true),
  proxy_on_configure: callback(2, true),
  proxy_on_tick: callback(1, false),
  proxy_on_context_create: callback(2, false),
  proxy_on_new_connection: callback(1, true),
  proxy_on_downstream_data: callback(3, true),
  proxy_on_upstream_data: callback(3, true),
  proxy_on_downstream_connection_close: callback(2, false),
  proxy_on_upstream_connection_close: callback(2, false),
  proxy_on_request_headers: callback(3, true),
  proxy_on_request_body: callback(3, true),
  proxy_on_request_trailers: callback(2, true),
  proxy_on_request_metadata: callback(2, true),
  proxy_on_response_headers: callback(3, true),
  proxy_on_response_body: callback(3, true),
  proxy_on_response_trailers: callback(2, true),
  proxy_on_response_metadata: callback(2, true),
  proxy_on_http_call_response: callback(5, false),
  proxy_on_grpc_receive_initial_metadata: callback(3, false),
  proxy_on_grpc_receive: callback(3, false),
  proxy_on_grpc_receive_trailing_metadata: callback(3, false),
  proxy_on_grpc_close: callback(3, false),
  proxy_on_queue_ready: callback(2, false),
  proxy_on_foreign_function: callback(3, false),
  proxy_on_done: callback(1, true),
  proxy_on_log: callback(1, false),
  proxy_on_delete: callback(1, false),
  proxy_on_resolve_dns: callback(3, false),
  proxy_on_stats_update: callback(2, false),
};

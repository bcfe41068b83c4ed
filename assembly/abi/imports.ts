// Host functions @solo-io/proxy-runtime 0.1.8 lacks or declares wrongly, declared once here with Envoy's
// (proxy-wasm ABI 0.2.1) signatures. Everything else comes from the runtime's own `imports.ts`.

// The runtime binds `proxy_set_buffer_status` to the host's `proxy_get_buffer_status`; the real call is this one.
// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferType: i32, start: u32, length: u32, data: usize, size: usize): u32;

// ABI 0.2.1 only: lets the module skip building log lines Envoy would drop.
// @ts-ignore: decorator
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(levelPtr: usize): u32;

// ABI 0.2.x has 12 parameters (the runtime declares an older 10-parameter form): the initial metadata pair is new.
// @ts-ignore: decorator
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  servicePtr: usize, serviceSize: usize, serviceNamePtr: usize, serviceNameSize: usize, methodNamePtr: usize,
  methodNameSize: usize, initialMetadataPtr: usize, initialMetadataSize: usize, requestPtr: usize, requestSize: usize,
  timeoutMilliseconds: u32, tokenPtr: usize,
): u32;

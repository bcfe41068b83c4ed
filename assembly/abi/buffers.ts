// Envoy's buffers: read into wasm memory with one host call, replaced with one host call.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { proxy_set_buffer_bytes } from "./imports";
import { clearReturned, RETURNED_DATA, RETURNED_SIZE, releaseReturned, returnedData, returnedSize } from "./returned_bytes";
import { BufferType, WASM_RESULT_OK } from "./types";

/**
 * Copies the first `size` bytes of a host buffer into wasm memory and returns where (0 when empty or absent).
 * The memory is the module's (the host allocated it through `malloc`): hand it back with `releaseBuffer`.
 */
export function readBuffer(type: BufferType, size: i32): usize {
  clearReturned();
  const status = host.proxy_get_buffer_bytes(type, 0, <u32>size, RETURNED_DATA, RETURNED_SIZE);
  return status == WASM_RESULT_OK ? returnedData() : 0;
}

/** Size of what the last `readBuffer` returned. */
export function readBufferSize(): i32 {
  return returnedSize();
}

export function releaseBuffer(ptr: usize): void {
  releaseReturned(ptr);
}

/** Replaces the whole current content (`currentSize` bytes) of a network buffer with `size` bytes at `data`. */
export function replaceBuffer(type: BufferType, currentSize: i32, data: usize, size: i32): bool {
  return proxy_set_buffer_bytes(type, 0, <u32>currentSize, data, <usize>size) == WASM_RESULT_OK;
}

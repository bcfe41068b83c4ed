// Envoy's buffers: read into wasm memory with one host call, replaced with one host call.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";
import { proxy_set_buffer_bytes } from "./imports";
import { BufferType, WASM_RESULT_OK } from "./types";

const RETURNED_PTR = memory.data(8);
const RETURNED_SIZE = memory.data(8);

/**
 * Copies the first `size` bytes of a host buffer into wasm memory and returns where (0 when empty or absent).
 * The memory is the module's (the host allocated it through `malloc`): hand it back with `releaseBuffer`.
 */
export function readBuffer(type: BufferType, size: i32): usize {
  store<usize>(RETURNED_PTR, 0);
  store<usize>(RETURNED_SIZE, 0);
  const status = host.proxy_get_buffer_bytes(type, 0, <u32>size, RETURNED_PTR, RETURNED_SIZE);
  if (status != WASM_RESULT_OK) return 0;
  return load<usize>(RETURNED_PTR);
}

/** Size of what the last `readBuffer` returned. */
export function readBufferSize(): i32 {
  return <i32>load<usize>(RETURNED_SIZE);
}

export function releaseBuffer(ptr: usize): void {
  if (ptr != 0) free(ptr);
}

/** Replaces the whole current content (`currentSize` bytes) of a network buffer with `size` bytes at `data`. */
export function replaceBuffer(type: BufferType, currentSize: i32, data: usize, size: i32): bool {
  return proxy_set_buffer_bytes(type, 0, <u32>currentSize, data, <usize>size) == WASM_RESULT_OK;
}

// Envoy properties the framework reads (proxy_get_property).
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { releaseBuffer } from "./buffers";
import { WASM_RESULT_OK } from "./types";

const CONNECTION_ID_PATH = String.UTF8.encode("connection_id");
const RETURNED_PTR = memory.data(8);
const RETURNED_SIZE = memory.data(8);

/** Envoy's id of the downstream connection (as in its own access logs), or 0 when the host has none. */
export function connectionId(): u64 {
  store<usize>(RETURNED_PTR, 0);
  store<usize>(RETURNED_SIZE, 0);
  const status = host.proxy_get_property(
    changetype<usize>(CONNECTION_ID_PATH),
    <usize>CONNECTION_ID_PATH.byteLength,
    RETURNED_PTR,
    RETURNED_SIZE,
  );
  const ptr = load<usize>(RETURNED_PTR);
  const id = status == WASM_RESULT_OK && load<usize>(RETURNED_SIZE) == 8 ? load<u64>(ptr) : 0;
  releaseBuffer(ptr);
  return id;
}

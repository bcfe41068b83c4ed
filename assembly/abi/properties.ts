// Envoy properties the framework reads (proxy_get_property).
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { clearReturned, RETURNED_DATA, RETURNED_SIZE, releaseReturned, returnedData, returnedSize } from "./returned_bytes";
import { WASM_RESULT_OK } from "./types";

const CONNECTION_ID_PATH = String.UTF8.encode("connection_id");

/** Envoy's id of the downstream connection (as in its own access logs), or 0 when the host has none. */
export function connectionId(): u64 {
  clearReturned();
  const status = host.proxy_get_property(
    changetype<usize>(CONNECTION_ID_PATH),
    <usize>CONNECTION_ID_PATH.byteLength,
    RETURNED_DATA,
    RETURNED_SIZE,
  );
  const ptr = returnedData();
  const id = status == WASM_RESULT_OK && returnedSize() == 8 ? load<u64>(ptr) : 0;
  releaseReturned(ptr);
  return id;
}

// Envoy properties the framework reads (proxy_get_property).
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { clearReturned, RETURNED_DATA, RETURNED_SIZE, releaseReturned, returnedData, returnedSize } from "./returned_bytes";
import { WASM_RESULT_OK } from "./types";

const CONNECTION_ID_PATH = String.UTF8.encode("connection_id");
const XDS_CLUSTER_NAME_PATH = String.UTF8.encode("xds\0cluster_name");
const CLUSTER_NAME_PATH = String.UTF8.encode("cluster_name");

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

/**
 * The name of the cluster the connection's upstream belongs to, or "" when Envoy tells none: `xds.cluster_name`
 * (Envoy 1.25+, from the stream's upstream cluster info, which tcp_proxy sets when it connects), else the wasm
 * token `cluster_name` (Envoy 1.20 to 1.32, from the upstream host). Asked once an upstream byte arrived, when both
 * are set.
 */
export function upstreamClusterName(): string {
  const name = stringProperty(XDS_CLUSTER_NAME_PATH);
  return name.length > 0 ? name : stringProperty(CLUSTER_NAME_PATH);
}

function stringProperty(path: ArrayBuffer): string {
  clearReturned();
  const status = host.proxy_get_property(changetype<usize>(path), <usize>path.byteLength, RETURNED_DATA, RETURNED_SIZE);
  const ptr = returnedData();
  const value = status == WASM_RESULT_OK && ptr != 0 ? String.UTF8.decodeUnsafe(ptr, <usize>returnedSize()) : "";
  releaseReturned(ptr);
  return value;
}

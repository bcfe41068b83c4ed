// Envoy foreign functions (proxy_call_foreign_function).
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../lib/bytes";
import { appendStringField } from "../lib/protobuf";
import { clearReturned, RETURNED_DATA, RETURNED_SIZE, releaseReturned, returnedData } from "./returned_bytes";
import { WASM_RESULT_OK } from "./types";

const SET_FILTER_STATE = String.UTF8.encode("set_envoy_filter_state");
const TCP_PROXY_CLUSTER = "envoy.tcp_proxy.cluster";
const LIFE_SPAN_DOWNSTREAM_CONNECTION: u32 = 2;
const args = new ByteBuffer();

/**
 * Names the cluster tcp_proxy connects this connection to: Envoy's `set_envoy_filter_state` with
 * SetEnvoyFilterStateArguments { string path = 1; string value = 2; LifeSpan span = 3; }, encoded by hand.
 */
export function setTcpProxyCluster(cluster: string): bool {
  args.clear();
  appendStringField(args, 0x0a, TCP_PROXY_CLUSTER);
  appendStringField(args, 0x12, cluster);
  args.appendU8(0x18);
  args.appendU8(LIFE_SPAN_DOWNSTREAM_CONNECTION);
  clearReturned();
  const status = host.proxy_call_foreign_function(
    changetype<usize>(SET_FILTER_STATE),
    <usize>SET_FILTER_STATE.byteLength,
    args.ptr,
    <usize>args.length,
    RETURNED_DATA,
    RETURNED_SIZE,
  );
  releaseReturned(returnedData());
  return status == WASM_RESULT_OK;
}

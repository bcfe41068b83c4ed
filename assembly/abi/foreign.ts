// Envoy foreign functions (proxy_call_foreign_function).
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../framework/bytes";
import { appendStringField } from "../framework/protobuf";
import { releaseBuffer } from "./buffers";
import { WASM_RESULT_OK } from "./types";

const SET_FILTER_STATE = String.UTF8.encode("set_envoy_filter_state");
const TCP_PROXY_CLUSTER = "envoy.tcp_proxy.cluster";
const LIFE_SPAN_DOWNSTREAM_CONNECTION: u32 = 2;
const RESULT_PTR = memory.data(8);
const RESULT_SIZE = memory.data(8);
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
  store<usize>(RESULT_PTR, 0);
  store<usize>(RESULT_SIZE, 0);
  const status = host.proxy_call_foreign_function(
    changetype<usize>(SET_FILTER_STATE),
    <usize>SET_FILTER_STATE.byteLength,
    args.ptr,
    <usize>args.length,
    RESULT_PTR,
    RESULT_SIZE,
  );
  releaseBuffer(load<usize>(RESULT_PTR));
  return status == WASM_RESULT_OK;
}

// The global rate limit's gRPC client: proxy_grpc_call to the rate limit service's cluster. Envoy delivers the
// answer to the ROOT context (proxy_on_grpc_receive / proxy_on_grpc_close), so each call is remembered with the
// stream context that made it, to resume that connection.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../framework/bytes";
import { METHOD_NAME, RateLimitService, SERVICE_NAME } from "../framework/ratelimit_service";
import { proxy_grpc_call } from "./imports";
import { WASM_RESULT_OK } from "./types";

const SERVICE_NAME_BYTES = String.UTF8.encode(SERVICE_NAME);
const METHOD_NAME_BYTES = String.UTF8.encode(METHOD_NAME);
const TOKEN = memory.data(4);

@final
export class HostRateLimitService extends RateLimitService {
  /** The stream context whose callback is running (set by the entry points), which a call started now belongs to. */
  callingContextId: u32 = 0;
  /** Calls in flight: token -> stream context id. */
  private pending: Map<u32, u32> = new Map();
  private clusterName: string = "";
  private clusterBytes: ArrayBuffer = new ArrayBuffer(0);

  check(cluster: string, request: ByteBuffer, timeoutMs: u32): bool {
    if (cluster != this.clusterName) {
      this.clusterName = cluster;
      this.clusterBytes = String.UTF8.encode(cluster);
    }
    store<u32>(TOKEN, 0);
    // `service` may be a plain cluster name (Envoy builds the envoy_grpc GrpcService from it).
    const status = proxy_grpc_call(
      changetype<usize>(this.clusterBytes), <usize>this.clusterBytes.byteLength,
      changetype<usize>(SERVICE_NAME_BYTES), <usize>SERVICE_NAME_BYTES.byteLength,
      changetype<usize>(METHOD_NAME_BYTES), <usize>METHOD_NAME_BYTES.byteLength,
      0, 0, request.ptr, <usize>request.length, timeoutMs, TOKEN,
    );
    if (status != WASM_RESULT_OK || this.callingContextId == 0) return false;
    this.pending.set(load<u32>(TOKEN), this.callingContextId);
    return true;
  }

  /** The stream context that made call `token` (forgotten now), or 0 when it is unknown or was cancelled. */
  take(token: u32): u32 {
    if (!this.pending.has(token)) return 0;
    const contextId = this.pending.get(token);
    this.pending.delete(token);
    return contextId;
  }

  /** Cancels the calls of a stream context that is going away (rare: only paused connections have one). */
  cancelFor(contextId: u32): void {
    const tokens = this.pending.keys();
    for (let i = 0; i < tokens.length; i++) {
      if (this.pending.get(tokens[i]) != contextId) continue;
      host.proxy_grpc_cancel(tokens[i]);
      this.pending.delete(tokens[i]);
    }
  }
}

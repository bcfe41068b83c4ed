// Unary gRPC calls through Envoy (proxy_grpc_call), for filters that ask a service about a request. A call belongs
// to the request being processed when it starts: that request is paused, and the answer resumes it
// (`Filter.onResume` with an AsyncAnswer).
import { ByteBuffer } from "../lib/bytes";

export abstract class GrpcClient {
  /**
   * Starts `service`/`method` on the `envoy_grpc` cluster `cluster` with `message` (a serialized request); false
   * when the call could not be started.
   */
  abstract call(cluster: string, service: ArrayBuffer, method: ArrayBuffer, message: ByteBuffer, timeoutMs: u32): bool;
}

// Unary gRPC calls through proxy_grpc_call. Envoy delivers the answer to the ROOT context (proxy_on_grpc_receive /
// proxy_on_grpc_close), so each call is remembered with the connection whose request made it, to resume that one.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../lib/bytes";
import { appendField, appendVarint, fieldLength } from "../lib/protobuf";
import { GrpcClient } from "../core/grpc_client";
import { ConnectionContext } from "./connection_context";
import { proxy_grpc_call } from "./imports";
import { WASM_RESULT_OK } from "./types";

const TOKEN = memory.data(4);

@final
export class HostGrpcClient extends GrpcClient {
  /** The connection whose callback is running (set by the entry points), which a call started now belongs to. */
  caller: ConnectionContext | null = null;
  /** Calls in flight, by token. */
  private pending: Map<u32, ConnectionContext> = new Map();
  private clusterName: string = "";
  private grpcService: ByteBuffer = new ByteBuffer();

  call(cluster: string, service: ArrayBuffer, method: ArrayBuffer, message: ByteBuffer, timeoutMs: u32): bool {
    if (cluster != this.clusterName) {
      this.clusterName = cluster;
      writeEnvoyGrpcService(this.grpcService, cluster);
    }
    store<u32>(TOKEN, 0);
    const grpcService = this.grpcService;
    const status = proxy_grpc_call(
      grpcService.ptr, <usize>grpcService.length,
      changetype<usize>(service), <usize>service.byteLength,
      changetype<usize>(method), <usize>method.byteLength,
      0, 0, message.ptr, <usize>message.length, timeoutMs, TOKEN,
    );
    const caller = this.caller;
    if (status != WASM_RESULT_OK || caller === null) return false;
    const token = load<u32>(TOKEN);
    this.pending.set(token, caller);
    caller.pendingCall = token;
    return true;
  }

  /** The connection that made call `token` (forgotten now), or null when it is unknown or was cancelled. */
  take(token: u32): ConnectionContext | null {
    if (!this.pending.has(token)) return null;
    const context = this.pending.get(token);
    this.pending.delete(token);
    context.pendingCall = 0;
    return context;
  }

  /** Cancels the call of a connection that is going away. */
  cancel(context: ConnectionContext): void {
    const token = context.pendingCall;
    if (token == 0) return;
    host.proxy_grpc_cancel(token);
    this.pending.delete(token);
    context.pendingCall = 0;
  }
}

/**
 * `service` as a serialized envoy.config.core.v3.GrpcService { envoy_grpc = 1: EnvoyGrpc { cluster_name = 1 } }.
 * Envoy also takes a plain cluster name, but only when the bytes do not parse as a GrpcService: a short name such
 * as "pp" does, and would name no cluster.
 */
function writeEnvoyGrpcService(out: ByteBuffer, cluster: string): void {
  const name = String.UTF8.encode(cluster);
  out.clear();
  out.appendU8(0x0a);
  appendVarint(out, <u32>fieldLength(name.byteLength));
  appendField(out, 0x0a, changetype<usize>(name), name.byteLength);
}

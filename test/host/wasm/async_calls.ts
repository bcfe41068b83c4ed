// The async calls a VM has in flight (gRPC, HTTP, DNS) and the callbacks that report them. Calls are made for and
// reported to the ROOT context of the caller; a callback runs as a call into the VM on that root context, with the
// result available (GrpcReceiveBuffer, HttpCallResponse* maps and body, proxy_get_status) only during it.
// Read: envoy source/extensions/common/wasm/context.cc (grpcCall, httpCall, onGrpcReceiveWrapper,
// onGrpcCloseWrapper, onHttpCallSuccess, grpcCancel/grpcClose, onResolveDns) and wasm.cc (resolve_dns).
import { lookup } from "node:dns";
import { ByteBuffer } from "../api.ts";
import { GrpcStatus, WasmResult } from "./abi_codes.ts";
import type { Context } from "./context.ts";
import type { GrpcOutcome } from "./grpc_client.ts";
import type { Pairs } from "./header_pairs.ts";
import type { HttpCallResponse } from "./http_call_client.ts";
import { parseGrpcService } from "./grpc_service.ts";
import type { WasmVm } from "./wasm_vm.ts";

export interface GrpcCallArguments {
  readonly service: Uint8Array;
  readonly serviceName: string;
  readonly methodName: string;
  readonly initialMetadata: Pairs;
  readonly request: Uint8Array;
  readonly timeoutMs: number;
}

export interface HttpCallArguments {
  readonly cluster: string;
  readonly headers: Pairs;
  readonly body: Uint8Array;
  readonly trailers: Pairs;
  readonly timeoutMs: number;
}

export type Started = { readonly result: WasmResult.Ok; readonly token: number } | { readonly result: WasmResult };

const NO_HEALTHY_UPSTREAM = "no healthy upstream";

export class AsyncCalls {
  private nextGrpcToken = 1;
  private nextHttpToken = 1;
  private lastDnsToken = 0;
  private readonly grpcCalls = new Map<number, () => void>();
  private readonly httpCalls = new Map<number, () => void>();

  constructor(private readonly vm: WasmVm) {}

  grpcCall(root: Context, args: GrpcCallArguments): Started {
    const upstream = this.vm.upstream;
    let service = parseGrpcService(args.service);
    if (!service) {
      const clusterName = new TextDecoder().decode(args.service);
      if (!upstream.cluster(clusterName)) return { result: WasmResult.ParseFailure };
      service = { envoyGrpc: { clusterName, authority: "" }, initialMetadata: [] };
    }
    // Only Envoy's own gRPC client is here; google_grpc (or no client at all) cannot create an async client.
    if (!service.envoyGrpc) return { result: WasmResult.BadArgument };
    const token = this.nextGrpcToken++;
    const { clusterName, authority } = service.envoyGrpc;
    const cluster = upstream.cluster(clusterName);
    if (!cluster || cluster.endpoints.length === 0) {
      // Envoy's client reports the failure inline (deferred, as a callback) and the call itself fails.
      const message = cluster ? NO_HEALTHY_UPSTREAM : "Cluster not available";
      this.vm.defer(() => this.reportGrpc(root, token, { status: GrpcStatus.Unavailable, message }));
      return { result: WasmResult.InternalFailure };
    }
    const request = {
      path: `/${args.serviceName}/${args.methodName}`,
      authority: authority || clusterName,
      metadata: [...service.initialMetadata, ...args.initialMetadata],
      message: args.request,
      timeoutMs: args.timeoutMs,
    };
    this.grpcCalls.set(
      token,
      upstream.grpc(cluster, request, (outcome) => {
        this.grpcCalls.delete(token);
        this.reportGrpc(root, token, outcome);
      }),
    );
    return { result: WasmResult.Ok, token };
  }

  /** proxy_grpc_cancel and proxy_grpc_close on a unary call: drop it, no callback. */
  cancelGrpc(token: number): WasmResult {
    const cancel = this.grpcCalls.get(token);
    if (!cancel) return WasmResult.NotFound;
    this.grpcCalls.delete(token);
    cancel();
    return WasmResult.Ok;
  }

  httpCall(root: Context, args: HttpCallArguments): Started {
    const cluster = this.vm.upstream.cluster(args.cluster);
    const names = new Set(args.headers.map(([k]) => k.toLowerCase()));
    if (!cluster || !names.has(":path") || !names.has(":method") || !names.has(":authority")) {
      return { result: WasmResult.BadArgument };
    }
    const token = this.nextHttpToken++;
    const report = (response: HttpCallResponse) => {
      this.httpCalls.delete(token);
      this.reportHttp(root, token, response);
    };
    if (cluster.endpoints.length === 0) {
      const body = new TextEncoder().encode(NO_HEALTHY_UPSTREAM);
      setImmediate(() => report({ headers: [[":status", "503"]], body, trailers: [] }));
      this.httpCalls.set(token, () => {});
    } else {
      this.httpCalls.set(token, this.vm.upstream.http(cluster, args, report));
    }
    return { result: WasmResult.Ok, token };
  }

  nextDnsToken(): number {
    return ++this.lastDnsToken;
  }

  /** envoy_resolve_dns: the answer comes to proxy_on_resolve_dns as a CallData buffer. */
  resolveDns(root: Context, address: string, token: number): void {
    lookup(address, { all: true }, (error, addresses) => {
      const data = error ? new Uint8Array(0) : dnsAnswer(addresses.map((a) => a.address));
      this.report(root, "proxy_on_resolve_dns", token, data.length, () => (root.callbackData.callData = data));
    });
  }

  cancelAll(): void {
    for (const cancel of [...this.grpcCalls.values(), ...this.httpCalls.values()]) cancel();
    this.grpcCalls.clear();
    this.httpCalls.clear();
  }

  private reportGrpc(root: Context, token: number, outcome: GrpcOutcome): void {
    if (outcome.status === GrpcStatus.Ok && outcome.response) {
      const response = outcome.response;
      this.report(root, "proxy_on_grpc_receive", token, response.length, () => (root.callbackData.grpcReceiveBuffer = new ByteBuffer(response)));
    } else {
      this.report(root, "proxy_on_grpc_close", token, outcome.status, () => {
        root.callbackData.status = { code: outcome.status, message: outcome.message };
      });
    }
  }

  private reportHttp(root: Context, token: number, response: HttpCallResponse): void {
    if (!this.vm.has("proxy_on_http_call_response") || !this.isLive(root)) return;
    root.callbackData.httpCallResponse = response;
    this.vm.call(root, "proxy_on_http_call_response", root.id, token, response.headers.length, response.body.length, response.trailers.length);
    root.callbackData.httpCallResponse = undefined;
  }

  /** Calls `callback(root, token, value)` with the data `expose` puts on the root, cleared again afterwards. */
  private report(root: Context, callback: string, token: number, value: number, expose: () => void): void {
    if (!this.vm.has(callback) || !this.isLive(root)) return;
    expose();
    this.vm.call(root, callback, root.id, token, value);
    root.callbackData.grpcReceiveBuffer = undefined;
    root.callbackData.callData = undefined;
    root.callbackData.status = { ...root.callbackData.status, message: "" };
  }

  private isLive(root: Context): boolean {
    return this.vm.context(root.id) === root;
  }
}

/** u32 count, a u32 TTL per address (node's resolver has none: 0), then the NUL-terminated addresses. */
function dnsAnswer(addresses: string[]): Uint8Array {
  const text = new TextEncoder().encode(addresses.map((a) => a + "\0").join(""));
  const out = new Uint8Array(4 + 4 * addresses.length + text.length);
  new DataView(out.buffer).setUint32(0, addresses.length, true);
  out.set(text, 4 + 4 * addresses.length);
  return out;
}

// The async-call functions (async_calls.ts has the calls and their callbacks): proxy_http_call, the 12-argument
// proxy_grpc_call, proxy_grpc_cancel / proxy_grpc_close (same for a unary call), envoy_resolve_dns. gRPC streams
// (proxy_grpc_stream, proxy_grpc_send) are not served by this host: Unimplemented / BadArgument (no stream token).
// Read: cpp-host exports.cc (http_call: the token memory is checked before starting, a timeout that is negative as
// an int is BadArgument; grpc_call) and envoy wasm.cc (resolve_dns: the token is written before resolving).
import { WasmResult } from "../abi_codes.ts";
import { decodePairs } from "../header_pairs.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function asyncCallFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_http_call(
      uriPointer: number,
      uriSize: number,
      headersPointer: number,
      headersSize: number,
      bodyPointer: number,
      bodySize: number,
      trailersPointer: number,
      trailersSize: number,
      timeoutMs: number,
      tokenPointer: number,
    ) {
      const cluster = vm.memory.string(uriPointer, uriSize);
      const headers = vm.memory.copy(headersPointer, headersSize);
      const body = vm.memory.copy(bodyPointer, bodySize);
      const trailers = vm.memory.copy(trailersPointer, trailersSize);
      if (cluster === undefined || !headers || !body || !trailers) return WasmResult.InvalidMemoryAccess;
      if (!vm.memory.setWord(tokenPointer, 0)) return WasmResult.InvalidMemoryAccess;
      if (timeoutMs >= 2 ** 31) return WasmResult.BadArgument;
      const started = vm.asyncCalls.httpCall(vm.effectiveContext().root, {
        cluster,
        headers: decodePairs(headers),
        body,
        trailers: decodePairs(trailers),
        timeoutMs,
      });
      vm.memory.setWord(tokenPointer, "token" in started ? started.token : 0);
      return started.result;
    },
    proxy_grpc_call(
      servicePointer: number,
      serviceSize: number,
      serviceNamePointer: number,
      serviceNameSize: number,
      methodPointer: number,
      methodSize: number,
      metadataPointer: number,
      metadataSize: number,
      requestPointer: number,
      requestSize: number,
      timeoutMs: number,
      tokenPointer: number,
    ) {
      const service = vm.memory.copy(servicePointer, serviceSize);
      const serviceName = vm.memory.string(serviceNamePointer, serviceNameSize);
      const methodName = vm.memory.string(methodPointer, methodSize);
      const metadata = vm.memory.copy(metadataPointer, metadataSize);
      const request = vm.memory.copy(requestPointer, requestSize);
      if (!service || serviceName === undefined || methodName === undefined || !metadata || !request) {
        return WasmResult.InvalidMemoryAccess;
      }
      const started = vm.asyncCalls.grpcCall(vm.effectiveContext().root, {
        service,
        serviceName,
        methodName,
        initialMetadata: decodePairs(metadata),
        request,
        timeoutMs,
      });
      if (!("token" in started)) return started.result;
      return vm.memory.setWord(tokenPointer, started.token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_grpc_cancel: (token: number) => vm.asyncCalls.cancelGrpc(token),
    proxy_grpc_close: (token: number) => vm.asyncCalls.cancelGrpc(token),
    proxy_grpc_stream: () => WasmResult.Unimplemented,
    proxy_grpc_send: () => WasmResult.BadArgument,
    envoy_resolve_dns(addressPointer: number, addressSize: number, tokenPointer: number) {
      const address = vm.memory.string(addressPointer, addressSize);
      if (address === undefined) return WasmResult.InvalidMemoryAccess;
      const token = vm.asyncCalls.nextDnsToken();
      if (!vm.memory.setWord(tokenPointer, token)) return WasmResult.InvalidMemoryAccess;
      vm.asyncCalls.resolveDns(vm.effectiveContext().root, address, token);
      return WasmResult.Ok;
    },
  };
}

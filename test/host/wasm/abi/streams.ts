// proxy_continue_stream, proxy_close_stream, proxy_send_local_response on a network filter. They act on the
// effective context, after the current VM call returns (Envoy defers them: they re-enter the filter chain):
// - continue Downstream (2): the connection's continueReading(); continue Upstream (3): Unimplemented;
// - close Downstream or Upstream: close the DOWNSTREAM connection with FlushWrite (both of Envoy's filter callbacks
//   lead to the same connection);
// - a context without a connection (the root) does nothing and still answers Ok; HTTP stream types are Ok no-ops;
//   a type above 3 is BadArgument; send_local_response is HTTP-only: Ok, nothing sent.
// Read: envoy context.cc (Context::continueStream, closeStream, sendLocalResponse), cpp-host exports.cc.
import { CloseType } from "../../api.ts";
import { MAX_STREAM_TYPE, StreamType, WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function streamFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_continue_stream(type: number) {
      if (type > MAX_STREAM_TYPE) return WasmResult.BadArgument;
      if (type === StreamType.Upstream) return WasmResult.Unimplemented;
      const connection = vm.effectiveContext().connection;
      if (type === StreamType.Downstream && connection) vm.defer(() => connection.callbacks.continueReading());
      return WasmResult.Ok;
    },
    proxy_close_stream(type: number) {
      if (type > MAX_STREAM_TYPE) return WasmResult.BadArgument;
      const connection = vm.effectiveContext().connection;
      if (type >= StreamType.Downstream && connection) vm.defer(() => connection.callbacks.close(CloseType.FlushWrite));
      return WasmResult.Ok;
    },
    proxy_send_local_response(
      _code: number,
      detailsPointer: number,
      detailsSize: number,
      bodyPointer: number,
      bodySize: number,
      headersPointer: number,
      headersSize: number,
    ) {
      const readable =
        vm.memory.view(detailsPointer, detailsSize) &&
        vm.memory.view(bodyPointer, bodySize) &&
        vm.memory.view(headersPointer, headersSize);
      return readable ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}

// proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes with Envoy's rules:
// - get clamps start/length to the buffer (start past the end reads nothing); nothing to read gives (0, 0);
// - set on a connection buffer: start 0 drains `length` bytes then prepends the data (so (0, 0, x) prepends and
//   (0, size, x) replaces everything); start >= size appends; anything else is BadArgument;
// - the network buffers are the connection's buffers during the matching data callback (and, like Envoy's pointer,
//   after it returned StopIteration); otherwise they read as empty and refuse writes (BadArgument);
// - configuration and callout results are read-only (BadArgument on set); an unavailable one is NotFound.
// Read: cpp-host src/exports.cc (get_buffer_bytes/status, set_buffer_bytes), envoy context.cc (Context::getBuffer,
// Buffer::copyFrom/copyTo), cpp-host BufferBase::copyFrom (BadArgument).
import type { ByteBuffer } from "../../api.ts";
import { BufferType, MAX_BUFFER_TYPE, WasmResult } from "../abi_codes.ts";
import type { Context } from "../context.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

/** A buffer the module may modify (possibly absent: empty), or read-only bytes. */
type Buffer = { readonly mutable: ByteBuffer | undefined } | { readonly bytes: Uint8Array };

const EMPTY = new Uint8Array(0);

export function bufferFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_get_buffer_bytes(type: number, start: number, length: number, pointerPointer: number, sizePointer: number) {
      const buffer = type > MAX_BUFFER_TYPE ? WasmResult.BadArgument : bufferOf(vm, vm.effectiveContext(), type);
      if (typeof buffer === "number") return buffer;
      const data = contents(buffer);
      const end = start > data.length ? start : Math.min(data.length, start + length);
      const ok = vm.memory.copyToPointerSize(data.subarray(start, end), pointerPointer, sizePointer);
      return ok ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_buffer_status(type: number, lengthPointer: number, flagsPointer: number) {
      const buffer = type > MAX_BUFFER_TYPE ? WasmResult.BadArgument : bufferOf(vm, vm.effectiveContext(), type);
      if (typeof buffer === "number") return buffer;
      const ok = vm.memory.setWord(lengthPointer, contents(buffer).length) && vm.memory.setWord(flagsPointer, 0);
      return ok ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_buffer_bytes(type: number, start: number, length: number, dataPointer: number, dataSize: number) {
      const buffer = type > MAX_BUFFER_TYPE ? WasmResult.BadArgument : bufferOf(vm, vm.effectiveContext(), type);
      if (typeof buffer === "number") return buffer;
      const data = vm.memory.view(dataPointer, dataSize);
      if (!data) return WasmResult.InvalidMemoryAccess;
      if (!("mutable" in buffer) || !buffer.mutable) return WasmResult.BadArgument;
      return replace(buffer.mutable, start, length, data);
    },
  };
}

function bufferOf(vm: WasmVm, context: Context, type: BufferType): Buffer | WasmResult.NotFound {
  const results = context.root.callbackData;
  switch (type) {
    case BufferType.NetworkDownstreamData:
      return { mutable: context.connection?.downstreamData };
    case BufferType.NetworkUpstreamData:
      return { mutable: context.connection?.upstreamData };
    case BufferType.HttpRequestBody:
    case BufferType.HttpResponseBody:
      return { mutable: undefined }; // no HTTP stream on a network filter
    case BufferType.GrpcReceiveBuffer:
      return { mutable: results.grpcReceiveBuffer };
    case BufferType.HttpCallResponseBody:
      return results.httpCallResponse ? { bytes: results.httpCallResponse.body } : WasmResult.NotFound;
    case BufferType.VmConfiguration:
      return { bytes: new TextEncoder().encode(vm.settings.vmConfiguration) };
    case BufferType.PluginConfiguration:
      return context.pluginConfiguration ? { bytes: context.pluginConfiguration } : WasmResult.NotFound;
    case BufferType.CallData:
      return { bytes: context.callbackData.callData ?? EMPTY };
  }
}

function contents(buffer: Buffer): Uint8Array {
  return "bytes" in buffer ? buffer.bytes : (buffer.mutable?.view() ?? EMPTY);
}

function replace(buffer: ByteBuffer, start: number, length: number, data: Uint8Array): WasmResult {
  if (start === 0) {
    buffer.drain(length);
    buffer.prepend(data);
    return WasmResult.Ok;
  }
  if (start >= buffer.length) {
    buffer.append(data);
    return WasmResult.Ok;
  }
  return WasmResult.BadArgument;
}

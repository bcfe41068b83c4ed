// The header-map calls on a network filter. There is no HTTP stream, so request/response headers and trailers
// never exist: reads are BadArgument (get_header_map_pairs: no pairs, Ok), writes are BadArgument. The only maps a
// network filter can see are an HTTP callout's response headers/trailers, during proxy_on_http_call_response
// (read-only; get_header_map_size looks for a mutable map and so is always BadArgument). gRPC metadata maps exist
// only for gRPC streams, which this host does not open. Types above 7 are BadArgument.
// Read: envoy context.cc (getMap, getConstMap, get/add/replace/removeHeaderMapValue, get/setHeaderMapPairs,
// getHeaderMapSize), cpp-host exports.cc.
import { HeaderMapType, MAX_HEADER_MAP_TYPE, WasmResult } from "../abi_codes.ts";
import { encodePairs, type Pairs } from "../header_pairs.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function headerMapFunctions(vm: WasmVm): HostCalls {
  /** getConstMap: the read-only maps of an HTTP callout response, if one is being delivered. */
  const readableMap = (type: number): Pairs | undefined => {
    const response = vm.effectiveContext().root.callbackData.httpCallResponse;
    if (type === HeaderMapType.HttpCallResponseHeaders) return response?.headers;
    if (type === HeaderMapType.HttpCallResponseTrailers && response?.trailers.length) return response.trailers;
    return undefined;
  };
  /** Validates the type and the memory the call reads; a WasmResult when the call stops there. */
  const check = (type: number, ...ranges: [number, number][]) => {
    if (type > MAX_HEADER_MAP_TYPE) return WasmResult.BadArgument;
    return ranges.every(([p, s]) => vm.memory.view(p, s)) ? undefined : WasmResult.InvalidMemoryAccess;
  };
  const refuseWrite = (type: number, ...ranges: [number, number][]) => check(type, ...ranges) ?? WasmResult.BadArgument;

  return {
    proxy_get_header_map_value(type: number, keyPointer: number, keySize: number, valuePointerPointer: number, valueSizePointer: number) {
      const stop = check(type, [keyPointer, keySize]);
      if (stop !== undefined) return stop;
      const map = readableMap(type);
      if (!map) return WasmResult.BadArgument;
      const key = vm.memory.string(keyPointer, keySize)!.toLowerCase();
      const value = map.find(([k]) => k === key)?.[1];
      if (value === undefined) return WasmResult.NotFound;
      const ok = vm.memory.copyToPointerSize(new TextEncoder().encode(value), valuePointerPointer, valueSizePointer);
      return ok ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_header_map_pairs(type: number, pointerPointer: number, sizePointer: number) {
      if (type > MAX_HEADER_MAP_TYPE) return WasmResult.BadArgument;
      const map = readableMap(type) ?? [];
      const data = map.length === 0 ? new Uint8Array(0) : encodePairs(map);
      return vm.memory.copyToPointerSize(data, pointerPointer, sizePointer) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_add_header_map_value: (type: number, kp: number, ks: number, vp: number, vs: number) =>
      refuseWrite(type, [kp, ks], [vp, vs]),
    proxy_replace_header_map_value: (type: number, kp: number, ks: number, vp: number, vs: number) =>
      refuseWrite(type, [kp, ks], [vp, vs]),
    proxy_remove_header_map_value: (type: number, kp: number, ks: number) => refuseWrite(type, [kp, ks]),
    proxy_set_header_map_pairs: (type: number, pointer: number, size: number) => refuseWrite(type, [pointer, size]),
    proxy_get_header_map_size: () => WasmResult.BadArgument, // no mutable map, whatever the type
  };
}

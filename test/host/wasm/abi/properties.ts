// proxy_get_property and proxy_set_property on the effective context (values and paths: property_values.ts).
import { WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import { getProperty, setProperty } from "../property_values.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function propertyFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_get_property(pathPointer: number, pathSize: number, valuePointerPointer: number, valueSizePointer: number) {
      const path = vm.memory.copy(pathPointer, pathSize);
      if (!path) return WasmResult.InvalidMemoryAccess;
      const value = getProperty(vm.effectiveContext(), path);
      if (typeof value === "number") return value;
      return vm.memory.copyToPointerSize(value, valuePointerPointer, valueSizePointer)
        ? WasmResult.Ok
        : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_property(pathPointer: number, pathSize: number, valuePointer: number, valueSize: number) {
      const path = vm.memory.string(pathPointer, pathSize);
      const value = vm.memory.copy(valuePointer, valueSize);
      if (path === undefined || !value) return WasmResult.InvalidMemoryAccess;
      return setProperty(vm.effectiveContext(), path, value);
    },
  };
}

// proxy_get_shared_data / proxy_set_shared_data on the store of this VM's vm_id (shared_data.ts): a missing key is
// NotFound; the value comes back with its CAS number (u32).
import { WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import { sharedData } from "../shared_data.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function sharedDataFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_get_shared_data(keyPointer: number, keySize: number, valuePointerPointer: number, valueSizePointer: number, casPointer: number) {
      const key = vm.memory.string(keyPointer, keySize);
      if (key === undefined) return WasmResult.InvalidMemoryAccess;
      const entry = sharedData.get(vm.settings.vmId, key);
      if (!entry) return WasmResult.NotFound;
      const ok =
        vm.memory.copyToPointerSize(entry.value, valuePointerPointer, valueSizePointer) &&
        vm.memory.setWord(casPointer, entry.cas);
      return ok ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_shared_data(keyPointer: number, keySize: number, valuePointer: number, valueSize: number, cas: number) {
      const key = vm.memory.string(keyPointer, keySize);
      const value = vm.memory.copy(valuePointer, valueSize);
      if (key === undefined || !value) return WasmResult.InvalidMemoryAccess;
      return sharedData.set(vm.settings.vmId, key, value, cas);
    },
  };
}

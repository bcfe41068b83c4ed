// proxy_call_foreign_function: runs a foreign function (foreign_functions.ts) on the effective context. Its output,
// if any, is allocated in the module when the module passed a results pointer; the size is written when it passed
// a size pointer.
// Read: cpp-host exports.cc (call_foreign_function).
import { WasmResult } from "../abi_codes.ts";
import { callForeignFunction } from "../foreign_functions.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function foreignFunctionFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_call_foreign_function(
      namePointer: number,
      nameSize: number,
      argumentPointer: number,
      argumentSize: number,
      resultsPointer: number,
      resultsSizePointer: number,
    ) {
      const name = vm.memory.string(namePointer, nameSize);
      const argument = vm.memory.copy(argumentPointer, argumentSize);
      if (name === undefined || !argument) return WasmResult.InvalidMemoryAccess;
      const { result, output } = callForeignFunction(name, vm.effectiveContext(), argument);
      let address = 0;
      if (resultsPointer !== 0 && output && output.length > 0) {
        const allocated = vm.memory.allocate(output);
        if (allocated === undefined) return WasmResult.InvalidMemoryAccess;
        address = allocated;
      }
      if (resultsPointer !== 0 && !vm.memory.setWord(resultsPointer, address)) return WasmResult.InvalidMemoryAccess;
      if (resultsSizePointer !== 0 && !vm.memory.setWord(resultsSizePointer, output?.length ?? 0)) {
        return WasmResult.InvalidMemoryAccess;
      }
      return result;
    },
  };
}

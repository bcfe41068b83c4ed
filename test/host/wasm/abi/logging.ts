// proxy_log and proxy_get_log_level (ABI 0.2.1): levels are trace 0 ... critical 5; a higher level is BadArgument;
// lines below the host's level are dropped (Envoy's ENVOY_LOG), the others are "wasm log<prefix>: <message>".
// Read: cpp-host src/exports.cc (log, get_log_level), envoy context.cc (Context::log, getLogLevel).
import { LogLevel } from "../../api.ts";
import { WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function loggingFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_log(level: number, messagePointer: number, messageSize: number) {
      if (level > LogLevel.Critical) return WasmResult.BadArgument;
      const message = vm.memory.string(messagePointer, messageSize);
      if (message === undefined) return WasmResult.InvalidMemoryAccess;
      vm.log(vm.effectiveContext(), level, message);
      return WasmResult.Ok;
    },
    proxy_get_log_level(levelPointer: number) {
      return vm.memory.setWord(levelPointer, vm.services.logLevel) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}

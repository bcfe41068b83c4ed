// Context and time: proxy_set_effective_context (an unknown id is BadArgument), proxy_done (ends a root context
// whose proxy_on_done said "not yet" during shutdown; otherwise NotFound), proxy_get_status (code and message of the
// root context's last callout result), proxy_set_tick_period_milliseconds (the root's timer), and the wall clock.
// Read: cpp-host exports.cc (set_effective_context, done, get_status, set_tick_period_milliseconds,
// get_current_time_nanoseconds) and src/wasm.cc (WasmBase::done).
import { WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function contextFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_set_effective_context(contextId: number) {
      return vm.setEffectiveContext(contextId) ? WasmResult.Ok : WasmResult.BadArgument;
    },
    proxy_done() {
      const finish = vm.awaitingDone.get(vm.effectiveContext().root);
      if (!finish) return WasmResult.NotFound;
      vm.awaitingDone.delete(vm.effectiveContext().root);
      vm.defer(finish);
      return WasmResult.Ok;
    },
    proxy_get_status(codePointer: number, messagePointerPointer: number, messageSizePointer: number) {
      const { code, message } = vm.effectiveContext().root.callbackData.status;
      const ok =
        vm.memory.setWord(codePointer, code) &&
        vm.memory.copyToPointerSize(new TextEncoder().encode(message), messagePointerPointer, messageSizePointer);
      return ok ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_tick_period_milliseconds(periodMs: number) {
      vm.tickTimers.setPeriod(vm.effectiveContext().root.id, periodMs);
      return WasmResult.Ok;
    },
    proxy_get_current_time_nanoseconds(resultPointer: number) {
      return vm.memory.setU64(resultPointer, wallClockNanoseconds()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}

export function wallClockNanoseconds(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

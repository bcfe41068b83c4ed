// The shared-queue calls (shared_queues.ts has the rules). proxy_on_queue_ready is delivered to the root context of
// whoever registered the queue, on this VM, if it is still alive.
import { WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import { type QueueListener, sharedQueues } from "../shared_queues.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function sharedQueueFunctions(vm: WasmVm): HostCalls {
  const listener: QueueListener = {
    queueReady(rootContextId, token) {
      const root = vm.context(rootContextId);
      if (root) vm.call(root, "proxy_on_queue_ready", rootContextId, token);
    },
  };
  const writeToken = (pointer: number, token: number) =>
    vm.memory.setWord(pointer, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
  return {
    proxy_register_shared_queue(namePointer: number, nameSize: number, tokenPointer: number) {
      const name = vm.memory.string(namePointer, nameSize);
      if (name === undefined) return WasmResult.InvalidMemoryAccess;
      const root = vm.effectiveContext().root;
      return writeToken(tokenPointer, sharedQueues.register(vm.settings.vmId, name, listener, root.id));
    },
    proxy_resolve_shared_queue(vmIdPointer: number, vmIdSize: number, namePointer: number, nameSize: number, tokenPointer: number) {
      const vmId = vm.memory.string(vmIdPointer, vmIdSize);
      const name = vm.memory.string(namePointer, nameSize);
      if (vmId === undefined || name === undefined) return WasmResult.InvalidMemoryAccess;
      const token = sharedQueues.resolve(vmId === "" ? vm.settings.vmId : vmId, name);
      if (token === 0 || vm.failed) return WasmResult.NotFound;
      return writeToken(tokenPointer, token);
    },
    proxy_dequeue_shared_queue(token: number, dataPointerPointer: number, dataSizePointer: number) {
      const item = sharedQueues.dequeue(token);
      if (typeof item === "number") return item;
      return vm.memory.copyToPointerSize(item, dataPointerPointer, dataSizePointer)
        ? WasmResult.Ok
        : WasmResult.InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(token: number, dataPointer: number, dataSize: number) {
      const data = vm.memory.copy(dataPointer, dataSize);
      if (!data) return WasmResult.InvalidMemoryAccess;
      return sharedQueues.enqueue(token, data);
    },
  };
}

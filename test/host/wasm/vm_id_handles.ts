// The life of a vm_id's shared data and shared queues: every base VM holds its vm_id; when the last holder goes, the
// data and queues of that vm_id are deleted. Process-wide, like Envoy's.
// Read: cpp-host src/vm_id_handle.cc (getVmIdHandle, ~VmIdHandle runs the registered callbacks), src/shared_data.cc
// and src/shared_queue.cc (their constructors register deleteByVmId), src/wasm.cc (the base WasmBase constructor
// takes the handle; clones keep the base alive).
import { sharedData } from "./shared_data.ts";
import { sharedQueues } from "./shared_queues.ts";

const holders = new Map<string, number>();

/** Holds `vmId`; the returned function lets go of it. */
export function holdVmId(vmId: string): () => void {
  holders.set(vmId, (holders.get(vmId) ?? 0) + 1);
  return () => {
    const left = holders.get(vmId)! - 1;
    if (left > 0) {
      holders.set(vmId, left);
      return;
    }
    holders.delete(vmId);
    sharedData.deleteByVmId(vmId);
    sharedQueues.deleteByVmId(vmId);
  };
}

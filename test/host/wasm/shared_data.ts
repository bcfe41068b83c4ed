// proxy_get_shared_data / proxy_set_shared_data: one key-value store per vm_id for the whole process, shared by
// every VM instance (worker) with that vm_id, deleted with the last VM of the vm_id (vm_id_handles.ts). Each write gets a new CAS number; a write with a non-zero CAS that
// differs from the current one fails with CasMismatch; CAS 0 writes unconditionally.
// Read: proxy-wasm-cpp-host src/shared_data.cc (SharedData::get/set, nextCas skips 0).
import { WasmResult } from "./abi_codes.ts";

interface Entry {
  readonly value: Uint8Array;
  readonly cas: number;
}

class SharedData {
  private readonly byVmId = new Map<string, Map<string, Entry>>();
  private lastCas = 0;

  get(vmId: string, key: string): Entry | undefined {
    return this.byVmId.get(vmId)?.get(key);
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): WasmResult {
    const entries = this.byVmId.get(vmId) ?? new Map<string, Entry>();
    this.byVmId.set(vmId, entries);
    const existing = entries.get(key);
    if (existing && cas !== 0 && cas !== existing.cas) return WasmResult.CasMismatch;
    entries.set(key, { value, cas: this.nextCas() });
    return WasmResult.Ok;
  }

  deleteByVmId(vmId: string): void {
    this.byVmId.delete(vmId);
  }

  private nextCas(): number {
    this.lastCas = (this.lastCas + 1) >>> 0 || 1;
    return this.lastCas;
  }
}

/** Process-wide, like Envoy's (tests isolate themselves with distinct vm_ids). */
export const sharedData = new SharedData();

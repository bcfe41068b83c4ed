// Envoy's shared data (proxy_get_shared_data / proxy_set_shared_data), for state all worker VMs share.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { SharedStore } from "../core/shared_store";
import { clearReturned, RETURNED_DATA, RETURNED_SIZE, releaseReturned, returnedData, returnedSize } from "./returned_bytes";
import { WASM_RESULT_OK } from "./types";

const CAS = memory.data(4);

@final
export class HostSharedStore extends SharedStore {
  read(key: ArrayBuffer): bool {
    releaseReturned(this.valuePtr); // the previous value, handed to us by the host
    this.valuePtr = 0;
    this.valueLength = 0;
    clearReturned();
    store<u32>(CAS, 0);
    const status = host.proxy_get_shared_data(changetype<usize>(key), <usize>key.byteLength, RETURNED_DATA, RETURNED_SIZE, CAS);
    this.valuePtr = returnedData();
    this.valueLength = returnedSize();
    this.cas = status == WASM_RESULT_OK ? load<u32>(CAS) : 0;
    return status == WASM_RESULT_OK;
  }

  write(key: ArrayBuffer, ptr: usize, length: i32, cas: u32): bool {
    return host.proxy_set_shared_data(changetype<usize>(key), <usize>key.byteLength, ptr, <usize>length, cas) == WASM_RESULT_OK;
  }
}

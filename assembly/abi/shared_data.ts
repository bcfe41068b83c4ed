// Envoy's shared data (proxy_get_shared_data / proxy_set_shared_data), for state all worker VMs share.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { SharedStore } from "../framework/shared_store";
import { releaseBuffer } from "./buffers";
import { WASM_RESULT_OK } from "./types";

const VALUE_PTR = memory.data(8);
const VALUE_SIZE = memory.data(8);
const CAS = memory.data(4);

@final
export class HostSharedStore extends SharedStore {
  read(key: ArrayBuffer): bool {
    releaseBuffer(this.valuePtr); // the previous value, handed to us by the host
    this.valuePtr = 0;
    this.valueLength = 0;
    store<usize>(VALUE_PTR, 0);
    store<usize>(VALUE_SIZE, 0);
    store<u32>(CAS, 0);
    const status = host.proxy_get_shared_data(changetype<usize>(key), <usize>key.byteLength, VALUE_PTR, VALUE_SIZE, CAS);
    this.valuePtr = load<usize>(VALUE_PTR);
    this.valueLength = <i32>load<usize>(VALUE_SIZE);
    this.cas = status == WASM_RESULT_OK ? load<u32>(CAS) : 0;
    return status == WASM_RESULT_OK;
  }

  write(key: ArrayBuffer, ptr: usize, length: i32, cas: u32): bool {
    return host.proxy_set_shared_data(changetype<usize>(key), <usize>key.byteLength, ptr, <usize>length, cas) == WASM_RESULT_OK;
  }
}

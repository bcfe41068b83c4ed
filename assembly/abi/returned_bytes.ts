// Where host calls hand back bytes they allocated in the module through `malloc` (proxy_get_buffer_bytes,
// proxy_get_property, proxy_get_shared_data, proxy_call_foreign_function): a (pointer, size) pair the call writes.
// One pair serves them all, since a VM makes one host call at a time: read it right after the call, and give the
// bytes back with `releaseReturned` once read.
import { free } from "@solo-io/proxy-runtime/assembly/malloc";

export const RETURNED_DATA = memory.data(8);
export const RETURNED_SIZE = memory.data(8);

/** Empties the pair before a call, so that a call that returns nothing leaves it empty. */
export function clearReturned(): void {
  store<usize>(RETURNED_DATA, 0);
  store<usize>(RETURNED_SIZE, 0);
}

export function returnedData(): usize {
  return load<usize>(RETURNED_DATA);
}

export function returnedSize(): i32 {
  return <i32>load<usize>(RETURNED_SIZE);
}

export function releaseReturned(ptr: usize): void {
  if (ptr != 0) free(ptr);
}

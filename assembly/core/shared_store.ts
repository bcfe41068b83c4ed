// Key/value data shared by every VM of a plugin (Envoy's shared data: one copy per vm_id, across worker threads),
// with compare-and-swap so that concurrent updates from several workers never lose one another.

export abstract class SharedStore {
  /** After a successful `read`: the value (valid until the next call) and its version for `write`. */
  valuePtr: usize = 0;
  valueLength: i32 = 0;
  cas: u32 = 0;

  /** Reads `key`; false when it has no value yet (then `cas` is 0). */
  abstract read(key: ArrayBuffer): bool;

  /** Writes `key` if its version is still `cas` (0: whatever it is); false when another writer came first. */
  abstract write(key: ArrayBuffer, ptr: usize, length: i32, cas: u32): bool;
}

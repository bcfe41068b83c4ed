// Values by u64 id, for the requests in flight on a connection: open addressing with linear probing, and deletion by
// shifting the entries after it back (no tombstones). Requests come and go all the time on a busy connection; the
// standard Map keeps deleted entries until a rehash, which allocated new tables every few thousand requests.

/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 16;

@final
export class IdMap<T> {
  private keys: StaticArray<u64> = new StaticArray<u64>(INITIAL_SLOTS);
  private values: StaticArray<T | null> = new StaticArray<T | null>(INITIAL_SLOTS);
  private mask: i32 = INITIAL_SLOTS - 1;
  private count: i32 = 0;

  get size(): i32 {
    return this.count;
  }

  /** Slots of the table, for a walk over every value with `valueAt`. */
  get slots(): i32 {
    return this.mask + 1;
  }

  /** The value in `slot` (from 0 to `slots` - 1), or null when the slot is empty. */
  valueAt(slot: i32): T | null {
    return this.values[slot];
  }

  /** The value for `id`, or null. */
  get(id: u64): T | null {
    let slot = this.slotOf(id);
    let value = unchecked(this.values[slot]);
    while (value !== null && unchecked(this.keys[slot]) != id) {
      slot = (slot + 1) & this.mask;
      value = unchecked(this.values[slot]);
    }
    return value;
  }

  /** Sets `id` to `value` (replacing the value it had). */
  set(id: u64, value: T): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let slot = this.slotOf(id);
    for (; unchecked(this.values[slot]) !== null; slot = (slot + 1) & this.mask) {
      if (unchecked(this.keys[slot]) == id) {
        unchecked((this.values[slot] = value));
        return;
      }
    }
    unchecked((this.keys[slot] = id));
    unchecked((this.values[slot] = value));
    this.count++;
  }

  /** Removes `id` and returns its value, or null when it is not there. */
  take(id: u64): T | null {
    const mask = this.mask;
    let slot = this.slotOf(id);
    let value = unchecked(this.values[slot]);
    while (value !== null && unchecked(this.keys[slot]) != id) {
      slot = (slot + 1) & mask;
      value = unchecked(this.values[slot]);
    }
    if (value === null) return null;
    // Shift later entries of the same probe run back into the hole, so lookups never stop early.
    let hole = slot;
    for (let next = (hole + 1) & mask; unchecked(this.values[next]) !== null; next = (next + 1) & mask) {
      const home = this.slotOf(unchecked(this.keys[next]));
      // The entry may move to the hole when its home slot is not inside (hole, next] (cyclically).
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        unchecked((this.keys[hole] = this.keys[next]));
        unchecked((this.values[hole] = this.values[next]));
        hole = next;
      }
    }
    unchecked((this.values[hole] = null));
    this.count--;
    return value;
  }

  @inline private slotOf(id: u64): i32 {
    return <i32>((id * 0x9e3779b97f4a7c15) >> 32) & this.mask;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    const slots = (this.mask + 1) << 1;
    this.keys = new StaticArray<u64>(slots);
    this.values = new StaticArray<T | null>(slots);
    this.mask = slots - 1;
    this.count = 0;
    for (let i = 0, n = values.length; i < n; i++) {
      const value = unchecked(values[i]);
      if (value !== null) this.set(unchecked(keys[i]), value);
    }
  }
}

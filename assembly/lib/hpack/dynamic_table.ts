// HPACK's dynamic table (RFC 7541 Sections 2.3.2 and 4): entries indexed from 1 (the newest) up, evicted oldest
// first when an insertion or a smaller maximum size needs the room. Entries' bytes are appended to one store and
// dropped from its front by moving a start offset; the store is compacted when at least half of it is dead, so each
// byte is moved a bounded number of times and the store stays within a small multiple of the maximum size.
import { ByteBuffer, bytesEqual } from "../bytes";
import { FIELD_OVERHEAD } from "./header_list";

const INTS_PER_ENTRY: i32 = 3;
const ENTRY_BYTES: i32 = INTS_PER_ENTRY * 4;

@final
export class DynamicTable {
  /** Names and values of the entries, oldest first, from `start`. */
  private bytes: ByteBuffer = new ByteBuffer();
  private start: i32 = 0;
  /** Per entry, oldest first from `first`: offset in `bytes`, name length, value length. */
  private entries: ByteBuffer = new ByteBuffer();
  private first: i32 = 0;
  count: i32 = 0;
  /** The sum of the entries' sizes (RFC 7541 Section 4.1). */
  size: i32 = 0;
  maxSize: i32;

  constructor(maxSize: i32) {
    this.maxSize = maxSize;
  }

  /** A new maximum size (a dynamic table size update, or the encoder's own limit); evicts what no longer fits. */
  setMaxSize(maxSize: i32): void {
    this.maxSize = maxSize;
    while (this.size > maxSize) this.evictOldest();
    if (this.count == 0) this.forgetAll();
  }

  /** Adds an entry; one larger than the maximum size empties the table (RFC 7541 Section 4.4). */
  insert(namePtr: usize, nameLength: i32, valuePtr: usize, valueLength: i32): void {
    const entrySize = <i64>nameLength + <i64>valueLength + FIELD_OVERHEAD;
    if (entrySize > <i64>this.maxSize) {
      while (this.count > 0) this.evictOldest();
      this.forgetAll();
      return;
    }
    while (<i64>this.size + entrySize > <i64>this.maxSize) this.evictOldest();
    this.compactIfHalfDead(nameLength + valueLength);
    const offset = this.bytes.length;
    this.bytes.append(namePtr, nameLength);
    this.bytes.append(valuePtr, valueLength);
    this.entries.appendI32(offset);
    this.entries.appendI32(nameLength);
    this.entries.appendI32(valueLength);
    this.count++;
    this.size += <i32>entrySize;
  }

  // Accessors of entry `index` (1 = newest); the caller checks 1 <= index <= count.

  namePtr(index: i32): usize {
    return this.bytes.ptr + <usize>this.int(index, 0);
  }

  nameLength(index: i32): i32 {
    return this.int(index, 1);
  }

  valuePtr(index: i32): usize {
    return this.namePtr(index) + <usize>this.int(index, 1);
  }

  valueLength(index: i32): i32 {
    return this.int(index, 2);
  }

  /**
   * The newest entry with this name and value (a positive index), else the negated index of the newest entry with
   * this name, else 0.
   */
  find(namePtr: usize, nameLength: i32, valuePtr: usize, valueLength: i32): i32 {
    let nameMatch = 0;
    let entry = this.entries.ptr + <usize>((this.first + this.count - 1) * ENTRY_BYTES);
    for (let index = 1; index <= this.count; index++, entry -= ENTRY_BYTES) {
      if (load<i32>(entry, 4) != nameLength) continue;
      const name = this.bytes.ptr + <usize>load<i32>(entry);
      if (memory.compare(name, namePtr, <usize>nameLength) != 0) continue;
      if (bytesEqual(name + <usize>nameLength, load<i32>(entry, 8), valuePtr, valueLength)) return index;
      if (nameMatch == 0) nameMatch = -index;
    }
    return nameMatch;
  }

  private evictOldest(): void {
    const at = this.entries.ptr + <usize>(this.first * ENTRY_BYTES);
    const length = load<i32>(at, 4) + load<i32>(at, 8);
    this.start = load<i32>(at) + length;
    this.first++;
    this.count--;
    this.size -= length + FIELD_OVERHEAD;
  }

  /** An empty table keeps no memory: a connection whose peer stops indexing gives it back. */
  private forgetAll(): void {
    this.bytes.clear();
    this.bytes.release(0);
    this.entries.clear();
    this.entries.release(0);
    this.start = 0;
    this.first = 0;
  }

  private compactIfHalfDead(incoming: i32): void {
    if (this.bytes.length + incoming > this.bytes.capacity && this.start >= this.bytes.length >> 1) {
      const dead = this.start;
      this.bytes.discardFront(dead);
      this.start = 0;
      for (let i = 0; i < this.count; i++) {
        const at = this.entries.ptr + <usize>((this.first + i) * ENTRY_BYTES);
        store<i32>(at, load<i32>(at) - dead);
      }
    }
    if (this.first > 0 && this.first >= this.count) {
      this.entries.discardFront(this.first * ENTRY_BYTES);
      this.first = 0;
    }
  }

  // @ts-ignore: decorator
  @inline private int(index: i32, which: i32): i32 {
    return load<i32>(this.entries.ptr + <usize>((this.first + this.count - index) * ENTRY_BYTES + (which << 2)));
  }
}

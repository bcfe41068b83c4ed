// A list of header fields: what the decoder fills and the encoder reads. Names and values live one after the other
// in one reused byte store, the fields as offsets in another: clearing and refilling a list allocates nothing once
// its stores have grown to the usual size.
import { ByteBuffer, bytesEqual } from "../bytes";

/** What a field costs in a header list or a dynamic table (RFC 7541 Section 4.1): its bytes plus 32. */
export const FIELD_OVERHEAD: i32 = 32;

const INTS_PER_FIELD: i32 = 5;
/** One field's ints, assembled here and appended at once. */
const FIELD = memory.data(INTS_PER_FIELD * 4);

@final
export class HeaderList {
  /** Names and values. The decoder writes strings here before `commit` makes them a field. */
  readonly text: ByteBuffer = new ByteBuffer();
  /** Per field: name offset, name length, value offset, value length (in `text`), sensitive (0 or 1). */
  private fields: ByteBuffer = new ByteBuffer();
  count: i32 = 0;
  /** The list's size as RFC 7541 counts it (SETTINGS_MAX_HEADER_LIST_SIZE). */
  size: i32 = 0;

  clear(): void {
    this.text.clear();
    this.fields.clear();
    this.count = 0;
    this.size = 0;
  }

  /**
   * Adds a field, copying its bytes. A sensitive field is never put in a compression table, by this encoder or the
   * next hop's (RFC 7541 Section 7.1.3): the decoder marks those the peer sent as "never indexed".
   */
  add(namePtr: usize, nameLength: i32, valuePtr: usize, valueLength: i32, sensitive: bool = false): void {
    const nameOffset = this.text.length;
    this.text.append(namePtr, nameLength);
    this.text.append(valuePtr, valueLength);
    this.commit(nameOffset, nameLength, nameOffset + nameLength, valueLength, sensitive);
  }

  /** Adds a field from strings, UTF-8 encoded. */
  addString(name: string, value: string, sensitive: bool = false): void {
    const nameOffset = this.text.length;
    this.text.appendUtf8(name);
    const valueOffset = this.text.length;
    this.text.appendUtf8(value);
    this.commit(nameOffset, valueOffset - nameOffset, valueOffset, this.text.length - valueOffset, sensitive);
  }

  /** Makes this list a copy of `other` (two block copies, not one per field). */
  copyFrom(other: HeaderList): void {
    this.text.clear();
    this.text.append(other.text.ptr, other.text.length);
    this.fields.clear();
    this.fields.append(other.fields.ptr, other.fields.length);
    this.count = other.count;
    this.size = other.size;
  }

  /** Makes a field of bytes already in `text`. */
  commit(nameOffset: i32, nameLength: i32, valueOffset: i32, valueLength: i32, sensitive: bool): void {
    store<i32>(FIELD, nameOffset);
    store<i32>(FIELD, nameLength, 4);
    store<i32>(FIELD, valueOffset, 8);
    store<i32>(FIELD, valueLength, 12);
    store<i32>(FIELD, sensitive ? 1 : 0, 16);
    this.fields.append(FIELD, INTS_PER_FIELD * 4);
    this.count++;
    this.size += nameLength + valueLength + FIELD_OVERHEAD;
  }

  // Accessors of field `i`; 0 when there is no such field. Pointers stay valid until the list changes.

  namePtr(i: i32): usize {
    return this.inRange(i) ? this.text.ptr + <usize>this.int(i, 0) : 0;
  }

  nameLength(i: i32): i32 {
    return this.inRange(i) ? this.int(i, 1) : 0;
  }

  valuePtr(i: i32): usize {
    return this.inRange(i) ? this.text.ptr + <usize>this.int(i, 2) : 0;
  }

  valueLength(i: i32): i32 {
    return this.inRange(i) ? this.int(i, 3) : 0;
  }

  sensitive(i: i32): bool {
    return this.inRange(i) && this.int(i, 4) != 0;
  }

  /** The first field named `name` (bytes), or -1. */
  indexOf(namePtr: usize, nameLength: i32): i32 {
    for (let i = 0; i < this.count; i++) {
      if (bytesEqual(this.text.ptr + <usize>this.int(i, 0), this.int(i, 1), namePtr, nameLength)) return i;
    }
    return -1;
  }

  /** The first field named `name` (ASCII), or -1. */
  find(name: string): i32 {
    const length = name.length;
    const chars = changetype<usize>(name); // UTF-16 code units
    for (let i = 0; i < this.count; i++) {
      if (this.int(i, 1) != length) continue;
      const at = this.text.ptr + <usize>this.int(i, 0);
      let j = 0;
      while (j < length && <u32>load<u8>(at + <usize>j) == <u32>load<u16>(chars + (<usize>j << 1))) j++;
      if (j == length) return i;
    }
    return -1;
  }

  /** The value of field `i` as a string (UTF-8 decoded): for tests and logs, it allocates. */
  valueString(i: i32): string {
    return String.UTF8.decodeUnsafe(this.valuePtr(i), <usize>this.valueLength(i));
  }

  nameString(i: i32): string {
    return String.UTF8.decodeUnsafe(this.namePtr(i), <usize>this.nameLength(i));
  }

  /** Drops `text` bytes past `length` (a string decoded for a field that is not kept). */
  truncateText(length: i32): void {
    this.text.length = length;
  }

  // @ts-ignore: decorator
  @inline private inRange(i: i32): bool {
    return <u32>i < <u32>this.count;
  }

  // @ts-ignore: decorator
  @inline private int(i: i32, which: i32): i32 {
    return load<i32>(this.fields.ptr + <usize>((i * INTS_PER_FIELD + which) << 2));
  }
}

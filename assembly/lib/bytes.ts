// Byte helpers shared by the framework and every codec. Frames are parsed in place: a `Bytes` is a window on
// wasm memory (no copy), and `ByteBuffer` is the one growable byte store used for held tails and rewritten output.

/** A read-only window on wasm memory. Accessors do not check bounds: callers check `length` first. */
@final
export class Bytes {
  ptr: usize = 0;
  length: i32 = 0;

  set(ptr: usize, length: i32): Bytes {
    this.ptr = ptr;
    this.length = length;
    return this;
  }

  @inline u8(at: i32): u32 {
    return load<u8>(this.ptr + <usize>at);
  }

  @inline u16be(at: i32): u32 {
    return bswap<u16>(load<u16>(this.ptr + <usize>at));
  }

  @inline i16be(at: i32): i32 {
    return <i32>bswap<i16>(load<i16>(this.ptr + <usize>at));
  }

  @inline u32be(at: i32): u32 {
    return bswap<u32>(load<u32>(this.ptr + <usize>at));
  }

  @inline u64be(at: i32): u64 {
    return bswap<u64>(load<u64>(this.ptr + <usize>at));
  }
}

/** What every empty ByteBuffer starts with: nothing is ever written into it (its capacity is 0). */
const NO_BYTES = new ArrayBuffer(0);

/**
 * A growable byte store. Its memory is reused across frames; it never shrinks on its own (see `release`). An empty
 * one holds no memory of its own: there are several per connection.
 */
@final
export class ByteBuffer {
  private data: ArrayBuffer = NO_BYTES;
  length: i32 = 0;
  /** The size the buffer had before `release` gave its memory back. */
  private sizeHint: i32 = 0;

  @inline get ptr(): usize {
    return changetype<usize>(this.data);
  }

  get capacity(): i32 {
    return this.data.byteLength;
  }

  clear(): void {
    this.length = 0;
  }

  /**
   * Drops the memory if it grew past `keep` bytes (after an unusually large frame). The size it had is remembered:
   * when the buffer fills again, it is allocated at that size at once rather than grown step by step.
   */
  release(keep: i32): void {
    if (this.length != 0 || this.data.byteLength <= keep) return;
    this.sizeHint = this.data.byteLength;
    this.data = NO_BYTES;
  }

  append(src: usize, size: i32): void {
    this.reserve(size);
    memory.copy(this.ptr + <usize>this.length, src, <usize>size);
    this.length += size;
  }

  appendU8(value: u32): void {
    this.reserve(1);
    store<u8>(this.ptr + <usize>this.length, <u8>value);
    this.length += 1;
  }

  appendU16be(value: u32): void {
    this.reserve(2);
    store<u16>(this.ptr + <usize>this.length, bswap<u16>(<u16>value));
    this.length += 2;
  }

  /** Appends `value` in the machine's (little-endian) order: for tables kept in wasm memory, not for the wire. */
  appendI32(value: i32): void {
    this.reserve(4);
    store<i32>(this.ptr + <usize>this.length, value);
    this.length += 4;
  }

  appendU32be(value: u32): void {
    this.reserve(4);
    store<u32>(this.ptr + <usize>this.length, bswap<u32>(value));
    this.length += 4;
  }

  /** Appends the UTF-8 encoding of `text` without allocating. */
  appendUtf8(text: string): void {
    const n = text.length;
    // ASCII, the usual case, with one capacity check; the first other character goes on below.
    this.reserve(n);
    let i = 0;
    for (let at = this.ptr + <usize>this.length; i < n; i++, at++) {
      const c = <u32>text.charCodeAt(i);
      if (c >= 0x80) break;
      store<u8>(at, <u8>c);
    }
    this.length += i;
    for (; i < n; i++) {
      let c = <u32>text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const low = <u32>text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) {
        this.appendU8(c);
      } else if (c < 0x800) {
        this.appendU8(0xc0 | (c >> 6));
        this.appendU8(0x80 | (c & 0x3f));
      } else if (c < 0x10000) {
        this.appendU8(0xe0 | (c >> 12));
        this.appendU8(0x80 | ((c >> 6) & 0x3f));
        this.appendU8(0x80 | (c & 0x3f));
      } else {
        this.appendU8(0xf0 | (c >> 18));
        this.appendU8(0x80 | ((c >> 12) & 0x3f));
        this.appendU8(0x80 | ((c >> 6) & 0x3f));
        this.appendU8(0x80 | (c & 0x3f));
      }
    }
  }

  /** Appends `value` in decimal without allocating. */
  appendDecimal(value: i64): void {
    if (value < 0) {
      this.appendU8(0x2d);
      if (value == i64.MIN_VALUE) {
        this.appendUtf8("9223372036854775808");
        return;
      }
      value = -value;
    }
    let digits = 1;
    for (let v = value; v >= 10; v /= 10) digits++;
    this.reserve(digits);
    let at = this.ptr + <usize>(this.length + digits);
    let v = value;
    do {
      at--;
      store<u8>(at, <u8>(0x30 + v % 10));
      v /= 10;
    } while (v > 0);
    this.length += digits;
  }

  /** Overwrites 4 bytes at `at` (used to patch a length once the frame is written). */
  setU32be(at: i32, value: u32): void {
    store<u32>(this.ptr + <usize>at, bswap<u32>(value));
  }

  /** Removes the first `count` bytes. */
  discardFront(count: i32): void {
    if (count <= 0) return;
    const rest = this.length - count;
    if (rest > 0) memory.copy(this.ptr, this.ptr + <usize>count, <usize>rest);
    this.length = rest > 0 ? rest : 0;
  }

  private reserve(extra: i32): void {
    const needed = this.length + extra;
    if (needed <= this.data.byteLength) return;
    let size = max(64, max(this.data.byteLength, this.sizeHint));
    while (size < needed) size <<= 1;
    const next = new ArrayBuffer(size);
    memory.copy(changetype<usize>(next), this.ptr, <usize>this.length);
    this.data = next;
  }
}

/** Byte-wise equality of two memory ranges. */
export function bytesEqual(a: usize, aLength: i32, b: usize, bLength: i32): bool {
  if (aLength != bLength) return false;
  return memory.compare(a, b, <usize>aLength) == 0;
}

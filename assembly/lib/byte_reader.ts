// A bounded cursor over bytes in wasm memory, for codecs that walk a frame. Every read checks the bounds; the first
// failure is kept in `error`, moves the cursor to the end, and makes every later read return 0, so a codec can read a
// whole structure and check once. Nothing here can trap.

/** No length beyond this can fit a frame (the largest `max_frame_size` the configuration accepts). */
export const MAX_LENGTH: i64 = 64 * 1024 * 1024;
/** The error of a read that ran past the bytes there are: with more bytes, it might succeed. */
export const PAST_THE_END = "length runs past the frame";

@final
export class ByteReader {
  /** The first problem met, or null. */
  error: string | null = null;
  private start: usize = 0;
  private pos: usize = 0;
  private end: usize = 0;
  private endedInside: string;
  private lengthPastEnd: string;

  /**
   * How running out of bytes is worded, for a codec that names things its own way: `endedInside` is the error of a
   * fixed-width read (u8, u16be, u32be, a varint), `lengthPastEnd` that of a skip. Both are PAST_THE_END by default.
   */
  constructor(endedInside: string = PAST_THE_END, lengthPastEnd: string = PAST_THE_END) {
    this.endedInside = endedInside;
    this.lengthPastEnd = lengthPastEnd;
  }

  reset(ptr: usize, length: i32): ByteReader {
    this.start = ptr;
    this.pos = ptr;
    this.end = ptr + <usize>max<i32>(length, 0);
    this.error = null;
    return this;
  }

  /** Bytes read so far. */
  get offset(): i32 {
    return <i32>(this.pos - this.start);
  }

  get remaining(): i32 {
    return <i32>(this.end - this.pos);
  }

  /** Where the cursor is, in wasm memory. */
  get position(): usize {
    return this.pos;
  }

  get failed(): bool {
    return changetype<usize>(this.error) != 0; // a pointer test: `!== null` on a string compares contents
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): i32 {
    return this.pos < this.end ? <i32>load<u8>(this.pos) : -1;
  }

  u8(): u32 {
    if (this.pos >= this.end) return <u32>this.truncated();
    return <u32>load<u8>(this.pos++);
  }

  u16be(): u32 {
    if (this.end - this.pos < 2) return <u32>this.truncated();
    const v = <u32>bswap<u16>(load<u16>(this.pos));
    this.pos += 2;
    return v;
  }

  u32be(): u32 {
    if (this.end - this.pos < 4) return <u32>this.truncated();
    const v = bswap<u32>(load<u32>(this.pos));
    this.pos += 4;
    return v;
  }

  /** An unsigned LEB128 varint of at most `maxBytes` bytes. */
  varint(maxBytes: i32 = 10): u64 {
    let value: u64 = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) return <u64>this.truncated();
      const b = <u64>load<u8>(this.pos++);
      value |= (b & 0x7f) << (<u64>(7 * i));
      if ((b & 0x80) == 0) return value;
    }
    this.fail("varint too long");
    return 0;
  }

  /** Skips `count` bytes; fails when they are not all there. */
  skip(count: i64): bool {
    if (this.failed) return false;
    if (count < 0) return this.fail("negative length");
    if (count > MAX_LENGTH) return this.fail("length larger than any frame");
    if (<u64>count > <u64>(this.end - this.pos)) return this.fail(this.lengthPastEnd);
    this.pos += <usize>count;
    return true;
  }

  /**
   * Moves the cursor forward to `position`, for a codec that scanned the bytes ahead in place itself; fails when that
   * is not between the cursor and the end. (After a failure the cursor is at the end, and stays there.)
   */
  advanceTo(position: usize): bool {
    if (position < this.pos || position > this.end) return this.fail(this.lengthPastEnd);
    this.pos = position;
    return true;
  }

  fail(message: string): bool {
    if (!this.failed) this.error = message;
    this.pos = this.end;
    return false;
  }

  private truncated(): i32 {
    this.fail(this.endedInside);
    return 0;
  }
}

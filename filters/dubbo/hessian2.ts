// A Hessian 2 reader over bytes in wasm memory, for the parts of a Dubbo body the filter needs: strings and ints are
// read in place, every other value is skipped without being built. The bytes are read through a ByteReader, so errors
// are sticky and never trap: after the first one every read returns a neutral value and `error` says what went wrong.
//
// Tags (Hessian 2.0 serialization, as Java's Hessian2Input and alibaba/hessian2-codec read them):
//   0x00-0x1f string (len 0-31)    0x20-0x2f binary (len 0-15)   0x30-0x33 string (len < 1024)  0x34-0x37 binary (< 1024)
//   0x38-0x3f long (3 bytes)      'A' binary chunk  'B' binary   'C' class definition  'D' double  'F' false
//   'H' untyped map   'I' int     0x4a date (ms)    0x4b date (minutes)   'L' long   'M' typed map   'N' null
//   'O' object        'Q' ref     'R' string chunk  'S' string   'T' true   'U' typed list   'V' typed fixed list
//   'W' untyped list  'X' untyped fixed list   'Y' long (int32)   0x5b-0x5f double (0, 1, byte, short, int32/1000)
//   0x60-0x6f object (compact class ref)   0x70-0x77 typed fixed list (0-7)   0x78-0x7f untyped fixed list (0-7)
//   0x80-0xbf int (1 byte)  0xc0-0xcf int (2 bytes)  0xd0-0xd7 int (3 bytes)  0xd8-0xef long (1 byte)  0xf0-0xff long (2)
import { ByteReader } from "../../assembly/lib/byte_reader";
import { ByteBuffer } from "../../assembly/lib/bytes";

/** Nesting allowed inside one value: deeper input is refused rather than followed. */
export const MAX_DEPTH = 32;
/** The top bit of each byte of a word: zero when all eight are ASCII. */
const HIGH_BITS: u64 = 0x8080808080808080;
/** Class definitions allowed in one message. */
const MAX_CLASSES = 256;

export const TAG_NULL: u32 = 0x4e;
export const TAG_MAP_UNTYPED: u32 = 0x48;
export const TAG_MAP_TYPED: u32 = 0x4d;
export const TAG_END: u32 = 0x5a;
export const TAG_STRING_FINAL: u32 = 0x53;

@final
export class Hessian2Reader {
  /** Where the last `readString` put the UTF-8 bytes (inside the message, or in a scratch buffer for chunks). */
  stringPtr: usize = 0;
  stringLength: i32 = 0;
  /** Whether the last string came in chunks, joined in a scratch buffer that the next chunked string reuses. */
  stringJoined: bool = false;

  /** The message's bytes: every read is bounded, and the first error sticks. */
  private bytes: ByteReader = new ByteReader("message ended inside a value", "length runs past the message");
  /** Field count of each class definition met so far in this message (objects refer to them by index). */
  private classFields: Array<i32> = [];
  private chunks: ByteBuffer = new ByteBuffer();

  /** Starts reading a new message of `length` bytes at `ptr` (class definitions do not carry over). */
  reset(ptr: usize, length: i32): void {
    this.bytes.reset(ptr, length);
    this.classFields.length = 0;
  }

  /** The first problem met, or null. */
  @inline get error(): string | null {
    return this.bytes.error;
  }

  @inline get failed(): bool {
    return this.bytes.failed;
  }

  @inline get offset(): i32 {
    return this.bytes.offset;
  }

  @inline get remaining(): i32 {
    return this.bytes.remaining;
  }

  /** The next tag without consuming it, or -1 at the end. */
  @inline peek(): i32 {
    return this.bytes.peek();
  }

  /** Consumes one byte that must be `tag`. */
  expect(tag: u32, what: string): bool {
    const bytes = this.bytes;
    if (bytes.peek() != <i32>tag) return bytes.fail(what);
    bytes.u8();
    return true;
  }

  /** Reads an int in any of its encodings. */
  readInt(): i32 {
    const bytes = this.bytes;
    const tag = bytes.u8();
    if (tag >= 0x80 && tag <= 0xbf) return <i32>tag - 0x90;
    if (tag >= 0xc0 && tag <= 0xcf) return ((<i32>tag - 0xc8) << 8) | <i32>bytes.u8();
    if (tag >= 0xd0 && tag <= 0xd7) return ((<i32>tag - 0xd4) << 16) | (<i32>bytes.u8() << 8) | <i32>bytes.u8();
    if (tag == 0x49) return <i32>bytes.u32be();
    bytes.fail("expected an int");
    return 0;
  }

  /** Reads a string (or null, as an empty string) and points `stringPtr`/`stringLength` at its UTF-8 bytes. */
  readString(): bool {
    const bytes = this.bytes;
    if (bytes.peek() == <i32>TAG_NULL) {
      bytes.u8();
      this.stringPtr = bytes.position;
      this.stringLength = 0;
      this.stringJoined = false;
      return true;
    }
    let chunked = false;
    while (true) {
      const tag = bytes.u8();
      let chars: i32;
      let final = true;
      if (tag <= 0x1f) chars = <i32>tag;
      else if (tag >= 0x30 && tag <= 0x33) chars = ((<i32>tag - 0x30) << 8) | <i32>bytes.u8();
      else if (tag == TAG_STRING_FINAL) chars = <i32>bytes.u16be();
      else if (tag == 0x52) {
        chars = <i32>bytes.u16be();
        final = false;
      } else return bytes.fail("expected a string");
      const from = bytes.position;
      if (!this.skipUtf8Chars(chars)) return false;
      const length = <i32>(bytes.position - from);
      if (final && !chunked) {
        this.stringPtr = from;
        this.stringLength = length;
        this.stringJoined = false;
        return true;
      }
      if (!chunked) this.chunks.clear();
      chunked = true;
      this.chunks.append(from, length);
      if (final) {
        this.stringPtr = this.chunks.ptr;
        this.stringLength = this.chunks.length;
        this.stringJoined = true;
        return true;
      }
    }
  }

  /** True when the next value is a string (so `readString` will not fail on its tag). */
  nextIsString(): bool {
    return isStringTag(this.bytes.peek());
  }

  /** Skips one whole value, whatever its type. */
  skipValue(): bool {
    return this.skip(0);
  }

  private skip(depth: i32): bool {
    const bytes = this.bytes;
    if (depth > MAX_DEPTH) return bytes.fail("values nested too deep");
    while (bytes.peek() == 0x43 /* C */) if (!this.classDefinition()) return false;
    const tag = bytes.peek();
    if (tag < 0) return bytes.fail("value expected, message ended");
    if (isStringTag(tag)) return this.readString();
    const t = bytes.u8();
    if (t >= 0x80) return this.skipNumber(t);
    if (t >= 0x20 && t <= 0x2f) return bytes.skip(<i32>t - 0x20);
    if (t >= 0x34 && t <= 0x37) return bytes.skip(((<i32>t - 0x34) << 8) | <i32>bytes.u8());
    if (t >= 0x38 && t <= 0x3f) return bytes.skip(2);
    if (t >= 0x60 && t <= 0x6f) return this.skipObject(<i32>t - 0x60, depth);
    if (t >= 0x70 && t <= 0x77) return this.skipType() && this.skipValues(<i32>t - 0x70, depth);
    if (t >= 0x78 && t <= 0x7f) return this.skipValues(<i32>t - 0x78, depth);
    switch (t) {
      case 0x4e: // N
      case 0x54: // T
      case 0x46: // F
      case 0x5b: // double 0.0
      case 0x5c: // double 1.0
        return true;
      case 0x5d:
        return bytes.skip(1);
      case 0x5e:
        return bytes.skip(2);
      case 0x49: // I
      case 0x5f: // int32 / 1000
      case 0x4b: // date in minutes
      case 0x59: // long as int32
        return bytes.skip(4);
      case 0x44: // D
      case 0x4a: // date in ms
      case 0x4c: // L
        return bytes.skip(8);
      case 0x41: // binary chunk, then more binary
        return bytes.skip(bytes.u16be()) && this.skipBinaryRest();
      case 0x42: // final binary
        return bytes.skip(bytes.u16be());
      case 0x51: // Q: reference to an earlier value
        this.readInt();
        return !bytes.failed;
      case 0x4f: // O: object with an int class reference
        return this.skipObject(this.readInt(), depth);
      case 0x48: // H untyped map
        return this.skipMapEntries(depth);
      case 0x4d: // M typed map
        return this.skipType() && this.skipMapEntries(depth);
      case 0x55: // U typed list
        return this.skipType() && this.skipUntil(TAG_END, depth);
      case 0x56: // V typed fixed list
        return this.skipType() && this.skipValues(this.readInt(), depth);
      case 0x57: // W untyped list
        return this.skipUntil(TAG_END, depth);
      case 0x58: // X untyped fixed list
        return this.skipValues(this.readInt(), depth);
      default:
        return bytes.fail("unknown tag");
    }
  }

  private skipNumber(tag: u32): bool {
    if (tag <= 0xbf || (tag >= 0xd8 && tag <= 0xef)) return true; // one-byte int or long
    if (tag <= 0xcf || tag >= 0xf0) return this.bytes.skip(1);
    return this.bytes.skip(2); // 0xd0-0xd7
  }

  private skipBinaryRest(): bool {
    const bytes = this.bytes;
    while (true) {
      const tag = bytes.u8();
      if (bytes.failed) return false;
      if (tag == 0x41) {
        if (!bytes.skip(bytes.u16be())) return false;
      } else if (tag == 0x42) return bytes.skip(bytes.u16be());
      else if (tag >= 0x20 && tag <= 0x2f) return bytes.skip(<i32>tag - 0x20);
      else if (tag >= 0x34 && tag <= 0x37) return bytes.skip(((<i32>tag - 0x34) << 8) | <i32>bytes.u8());
      else return bytes.fail("binary chunk not followed by binary");
    }
  }

  private skipValues(count: i32, depth: i32): bool {
    const bytes = this.bytes;
    if (bytes.failed) return false;
    if (count < 0) return bytes.fail("negative length");
    for (let i = 0; i < count; i++) if (!this.skip(depth + 1)) return false;
    return true;
  }

  /** Key/value pairs up to 'Z'. */
  private skipMapEntries(depth: i32): bool {
    const bytes = this.bytes;
    while (bytes.peek() != <i32>TAG_END) {
      if (bytes.peek() < 0) return bytes.fail("container not terminated");
      if (!this.skip(depth + 1)) return false;
      if (bytes.peek() == <i32>TAG_END) return bytes.fail("map key without a value");
      if (!this.skip(depth + 1)) return false;
    }
    bytes.u8(); // Z
    return true;
  }

  private skipUntil(endTag: u32, depth: i32): bool {
    const bytes = this.bytes;
    while (bytes.peek() != <i32>endTag) {
      if (bytes.peek() < 0) return bytes.fail("container not terminated");
      if (!this.skip(depth + 1)) return false;
    }
    bytes.u8(); // the end tag
    return true;
  }

  /** A type is a type name (string) or a reference (int) to one met before. */
  skipType(): bool {
    if (this.nextIsString()) return this.readString();
    this.readInt();
    return !this.bytes.failed;
  }

  private classDefinition(): bool {
    const bytes = this.bytes;
    bytes.u8(); // C
    if (!this.readString()) return false;
    const fields = this.readInt();
    if (bytes.failed) return false;
    if (fields < 0) return bytes.fail("negative field count");
    if (this.classFields.length >= MAX_CLASSES) return bytes.fail("too many class definitions");
    for (let i = 0; i < fields; i++) if (!this.readString()) return false;
    this.classFields.push(fields);
    return true;
  }

  private skipObject(classRef: i32, depth: i32): bool {
    const bytes = this.bytes;
    if (bytes.failed) return false;
    if (classRef < 0 || classRef >= this.classFields.length) return bytes.fail("object refers to an undefined class");
    return this.skipValues(unchecked(this.classFields[classRef]), depth);
  }

  /** Skips `chars` UTF-16 code units of UTF-8 (a 4-byte sequence is two of them, a surrogate pair). */
  private skipUtf8Chars(chars: i32): bool {
    const bytes = this.bytes;
    if (bytes.failed) return false;
    const start = bytes.position;
    const end = start + <usize>bytes.remaining;
    let pos = start;
    let i = 0;
    // ASCII, eight bytes at a time (most strings in a Dubbo body are ASCII), the last few through a masked word.
    while (i + 8 <= chars && pos + 8 <= end && (load<u64>(pos) & HIGH_BITS) == 0) {
      pos += 8;
      i += 8;
    }
    const rest = chars - i;
    if (rest > 0 && rest < 8 && pos + 8 <= end && (load<u64>(pos) & HIGH_BITS & ((<u64>1 << (<u64>rest << 3)) - 1)) == 0) {
      pos += <usize>rest;
      i = chars;
    }
    for (; i < chars; i++) {
      if (pos >= end) return bytes.fail("string runs past the message");
      const b = <u32>load<u8>(pos);
      let size: usize = 1;
      if (b >= 0xf5) return bytes.fail("invalid UTF-8 in string");
      if (b >= 0xf0) {
        // Four bytes make two UTF-16 units (a surrogate pair): the length must leave room for both.
        if (i + 1 >= chars) return bytes.fail("invalid UTF-8 in string");
        size = 4;
        i++;
      } else if (b >= 0xe0) size = 3;
      else if (b >= 0xc0) size = 2;
      else if (b >= 0x80) return bytes.fail("invalid UTF-8 in string");
      pos += size;
    }
    if (pos > end) return bytes.fail("string runs past the message");
    return bytes.advanceTo(pos);
  }
}

/** Whether `tag` (a byte, or -1 at the end) starts a string. */
@inline
function isStringTag(tag: i32): bool {
  return (tag >= 0 && tag <= 0x1f) || (tag >= 0x30 && tag <= 0x33) || tag == 0x52 || tag == <i32>TAG_STRING_FINAL;
}

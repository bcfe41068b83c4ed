// TCompactProtocol: 0x82, (type << 5 | version 1), varint seqid, varint name length, name. Field headers pack a field
// id delta and a type (1 true, 2 false, 3 byte, 4 i16, 5 i32, 6 i64, 7 double, 8 binary, 9 list, 10 set, 11 map,
// 12 struct, 13 uuid); integers are zigzag varints.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader } from "../../assembly/lib/byte_reader";
import { ApplicationExceptionType, checkElementCount, EXCEPTION_TYPE_FIELD, MAX_DEPTH, MessageBegin, MessageKind, TProtocol } from "./protocol";

const PROTOCOL_ID: u32 = 0x82;
const VERSION: u32 = 1;
const STOP: u32 = 0;
const BINARY: u32 = 8;
const I32: u32 = 5;

export class CompactProtocol extends TProtocol {
  headerId(): u32 {
    return 2;
  }

  readMessageBegin(r: ByteReader, out: MessageBegin): bool {
    if (r.u8() != PROTOCOL_ID) return r.fail("not a compact message");
    const typeAndVersion = r.u8();
    if ((typeAndVersion & 0x1f) != VERSION) return r.fail("unsupported compact protocol version");
    out.kind = (typeAndVersion >> 5) & 0x07;
    out.seqidStart = r.position;
    out.seqid = <u32>r.varint(5);
    out.seqidEnd = r.position;
    const length = r.varint(5);
    out.namePtr = r.position;
    out.nameLength = <i32>length;
    return r.skip(<i64>length);
  }

  skipStruct(r: ByteReader, depth: i32): bool {
    if (depth > MAX_DEPTH) return r.fail("structs nested too deep");
    while (!r.failed) {
      const header = r.u8();
      if (header == STOP) return !r.failed;
      if ((header >> 4) == 0) r.varint(3); // a field id that is not a small delta
      if (!this.skipValue(r, header & 0x0f, depth, false)) return false;
    }
    return false;
  }

  firstFieldId(r: ByteReader): i32 {
    const header = r.u8();
    if (header == STOP) return -1;
    const delta = header >> 4;
    return delta != 0 ? <i32>delta : zigzag32(<u32>r.varint(3));
  }

  writeMessageBegin(out: ByteBuffer, name: string, kind: MessageKind, seqid: u32): void {
    out.appendU8(PROTOCOL_ID);
    out.appendU8((<u32>kind << 5) | VERSION);
    this.writeSeqid(out, seqid);
    writeBinary(out, name);
  }

  /** A varint of the i32's bits, not zigzag (TCompactProtocol.writeMessageBegin): its length depends on the value. */
  writeSeqid(out: ByteBuffer, seqid: u32): void {
    appendVarint(out, seqid);
  }

  writeApplicationException(out: ByteBuffer, message: string, type: i32): void {
    out.appendU8((1 << 4) | BINARY); // field 1 (delta 1), binary
    writeBinary(out, message);
    out.appendU8((1 << 4) | I32); // field 2 (delta 1), i32
    appendVarint(out, <u32>((type << 1) ^ (type >> 31)));
    out.appendU8(STOP);
  }

  readApplicationExceptionType(r: ByteReader): i32 {
    let id = 0;
    while (!r.failed) {
      const header = r.u8();
      if (header == STOP) break;
      const delta = <i32>(header >> 4);
      id = delta != 0 ? id + delta : zigzag32(<u32>r.varint(3));
      const type = header & 0x0f;
      if (id == EXCEPTION_TYPE_FIELD && type == I32) {
        const exceptionType = zigzag32(<u32>r.varint(5));
        return r.failed ? ApplicationExceptionType.Unknown : exceptionType;
      }
      if (!this.skipValue(r, type, 0, false)) break;
    }
    return ApplicationExceptionType.Unknown;
  }

  /** `inContainer`: a bool element takes a byte, while a bool field is all in its header. */
  private skipValue(r: ByteReader, type: u32, depth: i32, inContainer: bool): bool {
    if (depth > MAX_DEPTH) return r.fail("values nested too deep");
    switch (type) {
      case 1: // true
      case 2: // false
        return inContainer ? r.skip(1) : true;
      case 3: // byte
        return r.skip(1);
      case 4: // i16
        r.varint(3);
        return !r.failed;
      case 5: // i32
        r.varint(5);
        return !r.failed;
      case 6: // i64
        r.varint(10);
        return !r.failed;
      case 7: // double
        return r.skip(8);
      case 13: // uuid
        return r.skip(16);
      case 8: // binary
        return r.skip(<i64>r.varint(5));
      case 12: // struct
        return this.skipStruct(r, depth + 1);
      case 9: // list
      case 10: {
        // set: size in the high nibble (15: a varint follows), element type in the low one
        const header = r.u8();
        let count = <i64>(header >> 4);
        if (count == 15) count = <i64>r.varint(5);
        if (!checkElementCount(r, count)) return false;
        for (let i: i64 = 0; i < count; i++) if (!this.skipValue(r, header & 0x0f, depth + 1, true)) return false;
        return !r.failed;
      }
      case 11: {
        // map: varint size, then (key type << 4 | value type) when not empty
        const count = <i64>r.varint(5);
        if (count == 0) return !r.failed;
        const types = r.u8();
        if (!checkElementCount(r, count)) return false;
        for (let i: i64 = 0; i < count; i++) {
          if (!this.skipValue(r, types >> 4, depth + 1, true) || !this.skipValue(r, types & 0x0f, depth + 1, true)) return false;
        }
        return !r.failed;
      }
      default:
        return r.fail("unknown field type");
    }
  }
}

function zigzag32(n: u32): i32 {
  return <i32>(n >> 1) ^ -(<i32>(n & 1));
}

/** Appends an unsigned LEB128 varint. */
export function appendVarint(out: ByteBuffer, value: u32): void {
  while (value >= 0x80) {
    out.appendU8((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out.appendU8(value);
}

function writeBinary(out: ByteBuffer, text: string): void {
  const encoded = String.UTF8.encode(text);
  appendVarint(out, <u32>encoded.byteLength);
  out.append(changetype<usize>(encoded), encoded.byteLength);
}

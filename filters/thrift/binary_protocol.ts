// TBinaryProtocol: strict (version word 0x8001 then the type, name, seqid) or lax (name, type byte, seqid; read only,
// when the transport is forced: it cannot be told from other bytes). Field types: 2 bool, 3 byte, 4 double, 6 i16, 8 i32,
// 10 i64, 11 string/binary, 12 struct, 13 map, 14 set, 15 list, 16 uuid.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader } from "../../assembly/lib/byte_reader";
import { ApplicationExceptionType, checkElementCount, EXCEPTION_TYPE_FIELD, MAX_DEPTH, MessageBegin, MessageKind, TProtocol } from "./protocol";

const VERSION_1: u32 = 0x80010000;
const VERSION_MASK: u32 = 0xffff0000;
const STOP: u32 = 0;
const STRING: u32 = 11;
const I32: u32 = 8;

export class BinaryProtocol extends TProtocol {
  headerId(): u32 {
    return 0;
  }

  readMessageBegin(r: ByteReader, out: MessageBegin): bool {
    const version = r.u32be();
    const strict = (version & 0x80000000) != 0;
    if (strict && (version & VERSION_MASK) != VERSION_1) return r.fail("unsupported binary protocol version");
    const length = strict ? <i32>r.u32be() : <i32>version;
    out.namePtr = r.position;
    out.nameLength = length;
    if (!r.skip(length)) return false;
    out.kind = strict ? version & 0xff : r.u8();
    out.seqidStart = r.position;
    out.seqid = r.u32be();
    out.seqidEnd = r.position;
    return !r.failed;
  }

  skipStruct(r: ByteReader, depth: i32): bool {
    if (depth > MAX_DEPTH) return r.fail("structs nested too deep");
    while (!r.failed) {
      const type = r.u8();
      if (type == STOP) return !r.failed;
      r.skip(2); // field id
      if (!this.skipValue(r, type, depth)) return false;
    }
    return false;
  }

  firstFieldId(r: ByteReader): i32 {
    const type = r.u8();
    if (type == STOP) return -1;
    return <i32>(<i16>r.u16be());
  }

  writeMessageBegin(out: ByteBuffer, name: string, kind: MessageKind, seqid: u32): void {
    out.appendU32be(VERSION_1 | <u32>kind);
    writeString(out, name);
    this.writeSeqid(out, seqid);
  }

  writeSeqid(out: ByteBuffer, seqid: u32): void {
    out.appendU32be(seqid);
  }

  writeApplicationException(out: ByteBuffer, message: string, type: i32): void {
    out.appendU8(STRING);
    out.appendU16be(1);
    writeString(out, message);
    out.appendU8(I32);
    out.appendU16be(EXCEPTION_TYPE_FIELD);
    out.appendU32be(<u32>type);
    out.appendU8(STOP);
  }

  readApplicationExceptionType(r: ByteReader): i32 {
    while (!r.failed) {
      const type = r.u8();
      if (type == STOP) break;
      const id = <i32>(<i16>r.u16be());
      if (id == EXCEPTION_TYPE_FIELD && type == I32) {
        const exceptionType = <i32>r.u32be();
        return r.failed ? ApplicationExceptionType.Unknown : exceptionType;
      }
      if (!this.skipValue(r, type, 0)) break;
    }
    return ApplicationExceptionType.Unknown;
  }

  private skipValue(r: ByteReader, type: u32, depth: i32): bool {
    if (depth > MAX_DEPTH) return r.fail("values nested too deep");
    switch (type) {
      case 2: // bool
      case 3: // byte
        return r.skip(1);
      case 6: // i16
        return r.skip(2);
      case 8: // i32
        return r.skip(4);
      case 4: // double
      case 10: // i64
        return r.skip(8);
      case 16: // uuid
        return r.skip(16);
      case 11: // string / binary
        return r.skip(<i32>r.u32be());
      case 12: // struct
        return this.skipStruct(r, depth + 1);
      case 13: {
        // map: key type, value type, count
        const keyType = r.u8();
        const valueType = r.u8();
        const count = <i32>r.u32be();
        if (!checkElementCount(r, count)) return false;
        for (let i = 0; i < count; i++) {
          if (!this.skipValue(r, keyType, depth + 1) || !this.skipValue(r, valueType, depth + 1)) return false;
        }
        return !r.failed;
      }
      case 14: // set
      case 15: {
        // list: element type, count
        const elementType = r.u8();
        const count = <i32>r.u32be();
        if (!checkElementCount(r, count)) return false;
        for (let i = 0; i < count; i++) if (!this.skipValue(r, elementType, depth + 1)) return false;
        return !r.failed;
      }
      default:
        return r.fail("unknown field type");
    }
  }
}

function writeString(out: ByteBuffer, text: string): void {
  const lengthAt = out.length;
  out.appendU32be(0);
  out.appendUtf8(text);
  out.setU32be(lengthAt, <u32>(out.length - lengthAt - 4));
}

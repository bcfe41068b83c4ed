// What the Thrift codec needs from a protocol (binary or compact): read a message header, walk a struct in place,
// tell a reply's first field, and write an application exception.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader, MAX_LENGTH, PAST_THE_END } from "../../assembly/lib/byte_reader";

/** Thrift message types. */
export enum MessageKind {
  Call = 1,
  Reply = 2,
  Exception = 3,
  Oneway = 4,
}

/** Nesting allowed inside one message: deeper input is refused rather than followed. */
export const MAX_DEPTH = 32;

/** TApplicationException types (Apache Thrift's TApplicationExceptionType; 0, UNKNOWN, when a reply has none). */
export enum ApplicationExceptionType {
  Unknown = 0,
  UnknownMethod = 1,
  InvalidMessageType = 2,
  WrongMethodName = 3,
  BadSequenceId = 4,
  MissingResult = 5,
  InternalError = 6,
  ProtocolError = 7,
  InvalidTransform = 8,
  InvalidProtocol = 9,
  UnsupportedClientType = 10,
}

/** The field of a TApplicationException that holds its type (an i32; field 1 is the message). */
export const EXCEPTION_TYPE_FIELD: i32 = 2;

@final
export class MessageBegin {
  namePtr: usize = 0;
  nameLength: i32 = 0;
  kind: u32 = 0;
  seqid: u32 = 0;
  /** Where the seqid's bytes are, in wasm memory (for rewriting it): [seqidStart, seqidEnd). */
  seqidStart: usize = 0;
  seqidEnd: usize = 0;
}

export abstract class TProtocol {
  /** Protocol id in THeader frames. */
  abstract headerId(): u32;

  /** Reads the message header into `out`; false (with `r.error`) when malformed. */
  abstract readMessageBegin(r: ByteReader, out: MessageBegin): bool;

  /** Skips a struct's fields up to and including STOP. */
  abstract skipStruct(r: ByteReader, depth: i32): bool;

  /** Id of the struct's first field, or -1 when the struct is empty. */
  abstract firstFieldId(r: ByteReader): i32;

  abstract writeMessageBegin(out: ByteBuffer, name: string, kind: MessageKind, seqid: u32): void;

  /** Writes `TApplicationException { 1: string message, 2: i32 type }`. */
  abstract writeApplicationException(out: ByteBuffer, message: string, type: i32): void;

  /** Reads a TApplicationException's type (field 2); Unknown when it has none or cannot be read. */
  abstract readApplicationExceptionType(r: ByteReader): i32;

  /** Writes a message header's seqid, as `readMessageBegin` finds it between `seqidStart` and `seqidEnd`. */
  abstract writeSeqid(out: ByteBuffer, seqid: u32): void;
}

/** Fails `r` and returns false when a container announces more elements than bytes remain (each takes one). */
export function checkElementCount(r: ByteReader, count: i64): bool {
  if (count < 0) return r.fail("negative container size");
  if (count > MAX_LENGTH) return r.fail("container larger than any frame");
  if (count > <i64>r.remaining) return r.fail(PAST_THE_END); // each element takes a byte at least
  return true;
}

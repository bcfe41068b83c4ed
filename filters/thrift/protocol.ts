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

/** TApplicationException type sent in error replies (6 = INTERNAL_ERROR). */
export const INTERNAL_ERROR = 6;

@final
export class MessageBegin {
  namePtr: usize = 0;
  nameLength: i32 = 0;
  kind: u32 = 0;
  seqid: u32 = 0;
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
}

/** Fails `r` and returns false when a container announces more elements than bytes remain (each takes one). */
export function checkElementCount(r: ByteReader, count: i64): bool {
  if (count < 0) return r.fail("negative container size");
  if (count > MAX_LENGTH) return r.fail("container larger than any frame");
  if (count > <i64>r.remaining) return r.fail(PAST_THE_END); // each element takes a byte at least
  return true;
}

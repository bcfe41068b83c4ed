// Helpers for the Thrift codec tests: hand-built message headers, frame sizes on a new connection, the message kinds,
// codecs that have seen a connection's first frame.
import { Direction, MALFORMED } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { ThriftCodec } from "../../filters/thrift/codec";
import { hexVector, vectorBytes } from "./support";
import { CALLS, EXCEPTIONS, MUX_CALLS, ONEWAYS, REPLY_DECLAREDS, REPLY_OKS, REPLY_VOIDS } from "./thrift_vectors";

// Message headers for hand-built bytes: CALL "m" seqid 1.
export const BINARY_CALL = "80 01 00 01 | 00 00 00 01 6d | 00 00 00 01 ";
export const COMPACT_CALL = "82 21 01 01 6d ";

/** npm thrift's messages of every kind (each list in the order of COMBO_NAMES), in the order of SEQIDS. */
export const MESSAGE_KINDS: Array<Array<StaticArray<u8>>> = [CALLS, ONEWAYS, REPLY_OKS, REPLY_VOIDS, REPLY_DECLAREDS, EXCEPTIONS, MUX_CALLS];

/** frameSize of `bytes` on a new connection. */
export function sizeOf(bytes: StaticArray<u8>): i32 {
  return new ThriftCodec().frameSize(vectorBytes(bytes));
}

/** Bytes (hex `text`) whose frame size on a new connection must be MALFORMED. */
export function expectMalformed(text: string, label: string): void {
  const bytes = hexVector(text);
  expect(sizeOf(bytes)).toBe(MALFORMED, label + ": " + text);
}

/** A codec that has seen `frame` as a connection's first bytes: frameSize must be the frame's exact length. */
export function codecFor(frame: StaticArray<u8>, label: string, readsAllKeyValues: bool = true): ThriftCodec {
  const codec = new ThriftCodec(readsAllKeyValues);
  expect(codec.frameSize(vectorBytes(frame))).toBe(frame.length, label + ": frame size");
  return codec;
}

/** Decodes `frame` with `codec` (which has sized it) and expects no error. */
export function decoded(codec: ThriftCodec, frame: StaticArray<u8>, direction: Direction, label: string): Metadata {
  const md = new Metadata();
  const error = codec.decode(vectorBytes(frame), direction, md);
  expect(error).toBeNull(label + ": " + (error === null ? "" : <string>error));
  return md;
}

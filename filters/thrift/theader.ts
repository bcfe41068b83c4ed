// THeader transport: u32 length (of what follows) | u16 0x0fff | u16 flags | u32 seqid | u16 header size / 4 |
// header: varint protocol id, varint transform count and ids, info blocks (id 1 key/values, id 2 persistent
// key/values: varint count, then varint-length strings), zero padding | payload (one message in the protocol).
import { ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader } from "../../assembly/lib/byte_reader";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { appendVarint } from "./compact_protocol";

export const HEADER_MAGIC: u32 = 0x0fff;
/** Where a frame's own seqid is: after the length, the magic and the flags. */
export const HEADER_SEQID_OFFSET = 8;
const FIXED_SIZE = 14; // length, magic, flags, seqid, header size
const INFO_KEY_VALUE: u64 = 1;
const INFO_PERSISTENT_KEY_VALUE: u64 = 2;
const HEADER_READER = new ByteReader();

/** Where the parts of one THeader frame are, as offsets in the frame. */
@final
export class HeaderFrame {
  flags: u32 = 0;
  seqid: u32 = 0;
  protocolId: u32 = 0;
  transformed: bool = false;
  /** Protocol id and transforms: kept as they are when rewriting. */
  transformsStart: i32 = 0;
  infoStart: i32 = 0;
  infoEnd: i32 = 0;
  payloadStart: i32 = 0;
  /** Key/value entries (key then value, both varint-length strings), and persistent blocks kept whole. */
  entryStarts: Array<i32> = [];
  entryEnds: Array<i32> = [];
  entryKeys: Array<i32> = [];
  entryKeyLengths: Array<i32> = [];
  persistentStarts: Array<i32> = [];
  persistentEnds: Array<i32> = [];
}

/** Reads a THeader frame; puts its key/value info headers into `md` when given. Returns false when malformed. */
export function readHeaderFrame(r: ByteReader, frame: HeaderFrame, md: Metadata | null): bool {
  const base = r.position;
  r.u32be(); // length: frameSize already checked it
  if (r.u16be() != HEADER_MAGIC) return r.fail("not a THeader frame");
  frame.flags = r.u16be();
  frame.seqid = r.u32be();
  const headerLength = <i32>r.u16be() * 4;
  if (r.failed) return false;
  if (headerLength > r.remaining) return r.fail("THeader header past the frame");
  // Every header field is read within the header: a reader over it alone.
  const h = HEADER_READER.reset(base + FIXED_SIZE, headerLength);
  frame.transformsStart = FIXED_SIZE;
  frame.protocolId = <u32>h.varint(5);
  const transforms = h.varint(5);
  for (let i: u64 = 0; i < transforms && !h.failed; i++) h.varint(5);
  frame.transformed = transforms > 0;
  frame.infoStart = FIXED_SIZE + h.offset;
  frame.entryStarts.length = 0;
  frame.entryEnds.length = 0;
  frame.entryKeys.length = 0;
  frame.entryKeyLengths.length = 0;
  frame.persistentStarts.length = 0;
  frame.persistentEnds.length = 0;
  while (!h.failed && h.remaining > 0) {
    const blockStart = FIXED_SIZE + h.offset;
    const id = h.varint(5);
    if (id == 0) break; // padding
    if (id != INFO_KEY_VALUE && id != INFO_PERSISTENT_KEY_VALUE) break; // unknown: its length is unknown, stop
    const count = h.varint(5);
    for (let i: u64 = 0; i < count && !h.failed; i++) {
      const entryStart = FIXED_SIZE + h.offset;
      const keyLength = <i32>h.varint(5);
      const keyPtr = h.position;
      h.skip(keyLength);
      const valueLength = <i32>h.varint(5);
      const valuePtr = h.position;
      h.skip(valueLength);
      if (h.failed) break;
      if (md !== null) md.putRawKey(keyPtr, keyLength, valuePtr, valueLength);
      if (id == INFO_KEY_VALUE) {
        frame.entryStarts.push(entryStart);
        frame.entryEnds.push(FIXED_SIZE + h.offset);
        frame.entryKeys.push(<i32>(keyPtr - base));
        frame.entryKeyLengths.push(keyLength);
      }
    }
    if (id == INFO_PERSISTENT_KEY_VALUE) {
      frame.persistentStarts.push(blockStart);
      frame.persistentEnds.push(FIXED_SIZE + h.offset);
    }
  }
  if (h.failed) return r.fail("THeader header fields run past the header size");
  frame.infoEnd = FIXED_SIZE + h.offset;
  frame.payloadStart = FIXED_SIZE + headerLength;
  return true;
}

/** Appends the frame at `ptr` with its key/value info headers set from `mutation` (others kept). */
export function writeMutatedHeaderFrame(ptr: usize, length: i32, frame: HeaderFrame, mutation: Mutation, out: ByteBuffer): void {
  const start = out.length;
  out.appendU32be(0); // length, patched below
  out.appendU16be(HEADER_MAGIC);
  out.appendU16be(frame.flags);
  out.appendU32be(frame.seqid);
  const wordsAt = out.length;
  out.appendU16be(0);
  const headerStart = out.length;
  out.append(ptr + <usize>frame.transformsStart, frame.infoStart - frame.transformsStart);
  let kept = 0;
  for (let i = 0; i < frame.entryStarts.length; i++) {
    if (!mutation.has(ptr + <usize>frame.entryKeys[i], frame.entryKeyLengths[i])) kept++;
  }
  appendVarint(out, <u32>INFO_KEY_VALUE);
  appendVarint(out, <u32>(kept + mutation.size));
  for (let i = 0; i < frame.entryStarts.length; i++) {
    if (mutation.has(ptr + <usize>frame.entryKeys[i], frame.entryKeyLengths[i])) continue;
    out.append(ptr + <usize>frame.entryStarts[i], frame.entryEnds[i] - frame.entryStarts[i]);
  }
  for (let i = 0; i < mutation.size; i++) {
    appendVarstring(out, mutation.keys[i]);
    appendVarstring(out, mutation.values[i]);
  }
  for (let i = 0; i < frame.persistentStarts.length; i++) {
    out.append(ptr + <usize>frame.persistentStarts[i], frame.persistentEnds[i] - frame.persistentStarts[i]);
  }
  while ((out.length - headerStart) % 4 != 0) out.appendU8(0);
  const words = (out.length - headerStart) / 4;
  out.append(ptr + <usize>frame.payloadStart, length - frame.payloadStart);
  out.setU32be(start, <u32>(out.length - start - 4));
  store<u16>(out.ptr + <usize>wordsAt, bswap<u16>(<u16>words));
}

/** Begins a THeader frame with no info headers and returns where it starts: write the payload, then `endFrame`. */
export function beginHeaderFrame(out: ByteBuffer, seqid: u32, protocolId: u32): i32 {
  const start = out.length;
  out.appendU32be(0);
  out.appendU16be(HEADER_MAGIC);
  out.appendU16be(0);
  out.appendU32be(seqid);
  out.appendU16be(1); // one word: protocol id, no transforms, padding
  out.appendU8(protocolId);
  out.appendU8(0);
  out.appendU8(0);
  out.appendU8(0);
  return start;
}

/** Patches the length of a frame begun at `start` once its payload is written. */
export function endFrame(out: ByteBuffer, start: i32): void {
  out.setU32be(start, <u32>(out.length - start - 4));
}

function appendVarstring(out: ByteBuffer, text: string): void {
  const encoded = String.UTF8.encode(text);
  appendVarint(out, <u32>encoded.byteLength);
  out.append(changetype<usize>(encoded), encoded.byteLength);
}

// Writing HTTP/2 frames into the pending output.
import { ByteBuffer } from "../bytes";
import { Flag, FrameType } from "./frame";

export function writeFrameHeader(out: ByteBuffer, length: i32, type: FrameType, flags: u8, streamId: u32): void {
  out.appendU8(<u32>(length >>> 16) & 0xff);
  out.appendU16be(<u32>length & 0xffff);
  out.appendU8(<u32>type);
  out.appendU8(<u32>flags);
  out.appendU32be(streamId & 0x7fffffff);
}

export function writeSetting(out: ByteBuffer, id: u32, value: u32): void {
  out.appendU16be(id);
  out.appendU32be(value);
}

export function writeSettingsAck(out: ByteBuffer): void {
  writeFrameHeader(out, 0, FrameType.SETTINGS, Flag.ACK, 0);
}

export function writePing(out: ByteBuffer, opaque: u64, ack: bool): void {
  writeFrameHeader(out, 8, FrameType.PING, ack ? Flag.ACK : 0, 0);
  out.appendU32be(<u32>(opaque >> 32));
  out.appendU32be(<u32>opaque);
}

export function writeRstStream(out: ByteBuffer, streamId: u32, errorCode: u32): void {
  writeFrameHeader(out, 4, FrameType.RST_STREAM, 0, streamId);
  out.appendU32be(errorCode);
}

export function writeWindowUpdate(out: ByteBuffer, streamId: u32, increment: u32): void {
  writeFrameHeader(out, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  out.appendU32be(increment & 0x7fffffff);
}

/** GOAWAY with `debug` (ASCII) as its debug data. */
export function writeGoAway(out: ByteBuffer, lastStreamId: u32, errorCode: u32, debug: string): void {
  writeFrameHeader(out, 8 + debug.length, FrameType.GOAWAY, 0, 0);
  out.appendU32be(lastStreamId & 0x7fffffff);
  out.appendU32be(errorCode);
  for (let i = 0; i < debug.length; i++) out.appendU8(<u32>debug.charCodeAt(i) & 0x7f);
}

export function writeData(out: ByteBuffer, streamId: u32, ptr: usize, length: i32, endStream: bool): void {
  writeFrameHeader(out, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
  out.append(ptr, length);
}

/** A header block as HEADERS, then CONTINUATION frames when it is larger than `maxFrameSize`. */
export function writeHeaderBlock(out: ByteBuffer, streamId: u32, block: ByteBuffer, endStream: bool, maxFrameSize: i32): void {
  let at = 0;
  let type = FrameType.HEADERS;
  let flags: u8 = endStream ? Flag.END_STREAM : 0;
  do {
    const size = min(block.length - at, maxFrameSize);
    const last = at + size == block.length;
    writeFrameHeader(out, size, type, last ? flags | Flag.END_HEADERS : flags, streamId);
    out.append(block.ptr + <usize>at, size);
    at += size;
    type = FrameType.CONTINUATION;
    flags = 0;
  } while (at < block.length);
}

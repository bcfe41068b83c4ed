// Where the seqid of a framed Thrift binary message is, read independently of the wasm codec, for a relay that
// rewrites it: a framed frame (u32 size, then the message) and a THeader frame whose payload is binary and not
// transformed (u32 size, u16 magic 0x0fff, u16 flags, u32 seqid, u16 header size in 4-byte words, the header, then
// the message). A binary message begins with u32 version|type, u32 name length, the name, then the i32 seqid.
import type { FrameIds } from "../../e2e/bridge_http2_relay.ts";

const THEADER_MAGIC = 0x0fff;
const THEADER_SEQID_OFFSET = 8;
const THEADER_HEADER_WORDS_OFFSET = 12;
const THEADER_FIXED_SIZE = 14;

function isTHeader(frame: Buffer): boolean {
  return frame.readUInt16BE(4) === THEADER_MAGIC;
}

/** Where the binary message's seqid is in the frame. */
function messageSeqidOffset(frame: Buffer): number {
  const message = isTHeader(frame) ? THEADER_FIXED_SIZE + frame.readUInt16BE(THEADER_HEADER_WORDS_OFFSET) * 4 : 4;
  return message + 8 + frame.readUInt32BE(message + 4);
}

export const thriftBinaryFrameIds: FrameIds = {
  contentType: "application/x-thrift",
  frameSize: (bytes) => (bytes.length < 4 ? 0 : 4 + bytes.readUInt32BE(0)),
  requestId: (frame) => frame.readUInt32BE(messageSeqidOffset(frame)),
  withRequestId(frame, id) {
    const copy = Buffer.from(frame);
    copy.writeUInt32BE(id, messageSeqidOffset(copy));
    if (isTHeader(copy)) copy.writeUInt32BE(id, THEADER_SEQID_OFFSET);
    return copy;
  },
};

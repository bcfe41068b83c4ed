// Where a dubbo2 frame ends and where its request id is, for a relay that rewrites the id (16-byte header: the body
// length at offset 12, the 8-byte id at offset 4).
import type { FrameIds } from "../../e2e/bridge_http2_relay.ts";

const HEADER_SIZE = 16;
const REQUEST_ID_OFFSET = 4;
const LENGTH_OFFSET = 12;

export const dubboFrameIds: FrameIds = {
  contentType: "application/x-dubbo",
  frameSize: (bytes) => (bytes.length < HEADER_SIZE ? 0 : HEADER_SIZE + bytes.readUInt32BE(LENGTH_OFFSET)),
  requestId: (frame) => Number(frame.readBigUInt64BE(REQUEST_ID_OFFSET)),
  withRequestId(frame, id) {
    const copy = Buffer.from(frame);
    copy.writeBigUInt64BE(BigInt(id), REQUEST_ID_OFFSET);
    return copy;
  },
};

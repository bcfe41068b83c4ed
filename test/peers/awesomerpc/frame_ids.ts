// Where an awesomerpc frame ends and where its request id is, for a relay that rewrites the id (protocol.ts).
import type { FrameIds } from "../../e2e/bridge_http2_relay.ts";
import { HEADER_SIZE } from "./protocol.ts";

const REQUEST_ID_OFFSET = 1;
const LENGTH_OFFSET = 5;

export const awesomeRpcFrameIds: FrameIds = {
  contentType: "application/x-awesomerpc",
  frameSize: (bytes) => (bytes.length < HEADER_SIZE ? 0 : bytes.readUInt32BE(LENGTH_OFFSET)),
  requestId: (frame) => frame.readUInt32BE(REQUEST_ID_OFFSET),
  withRequestId(frame, id) {
    const copy = Buffer.from(frame);
    copy.writeUInt32BE(id, REQUEST_ID_OFFSET);
    return copy;
  },
};

// What bridge mode asks of the awesomerpc codec (filters/awesomerpc/codec.ts): setting a frame's u32 request id, the
// HTTP status of a response, error replies for every ErrorType, and no heartbeat.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MessageType, ResponseStatus } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { awesomeFrame, expectSameKeyValues, sameBytes, toArray } from "./support";

const codec = new AwesomeRpcCodec();

function view(frame: Uint8Array, length: i32 = -1): Bytes {
  return new Bytes().set(frame.dataStart, length < 0 ? frame.length : length);
}

function decoded(frame: Uint8Array, direction: Direction): Metadata {
  const md = new Metadata();
  expect(codec.frameSize(view(frame))).toBe(frame.length, "frame size");
  expect(codec.decode(view(frame), direction, md)).toBeNull();
  return md;
}

describe("awesomerpc codec: withRequestId", () => {
  it("sets the u32 id of a request and of a response; the command, code and body stay", () => {
    const frames: Array<Uint8Array> = [awesomeFrame(5, -2, 0, 10), awesomeFrame(5, 1, 3, 4)];
    const directions: Array<Direction> = [Direction.Request, Direction.Response];
    const ids: Array<u64> = [1, 0x7fffffff, u32.MAX_VALUE];
    for (let f = 0; f < frames.length; f++) {
      const md = decoded(frames[f], directions[f]);
      for (let i = 0; i < ids.length; i++) {
        const label = "frame " + f.toString() + " id " + ids[i].toString();
        const out = new ByteBuffer();
        expect(codec.withRequestId(view(frames[f]), md, ids[i], out)).toBe(true, label);
        const result = toArray(out.ptr, out.length);
        const again = decoded(result, directions[f]);
        expect(again.requestId).toBe(ids[i], label);
        expect(again.responseStatus).toBe(md.responseStatus, label);
        expectSameKeyValues(again, md, label);
        const expected = f == 0 ? awesomeFrame(<u32>ids[i], -2, 0, 10) : awesomeFrame(<u32>ids[i], 1, 3, 4);
        expect(sameBytes(result, expected)).toBe(true, label);
      }
    }
  });

  it("refuses an id past u32, a truncated frame and a frame longer than its length says, writing nothing", () => {
    const frame = awesomeFrame(5, 1, 0, 6);
    const md = decoded(frame, Direction.Request);
    const out = new ByteBuffer();
    expect(codec.withRequestId(view(frame), md, 0x100000000, out)).toBe(false, "id past u32");
    for (let n = 0; n < frame.length; n++) expect(codec.withRequestId(view(frame, n), md, 1, out)).toBe(false, "prefix " + n.toString());
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    expect(codec.withRequestId(view(longer), md, 1, out)).toBe(false, "longer");
    expect(out.length).toBe(0);
  });
});

describe("awesomerpc codec: httpStatus, error replies, heartbeats", () => {
  it("response code 0 is 200, any other 500, a frame shorter than the header 502", () => {
    const codes: Array<i16> = [0, 1, 2, -1, 0x7fff];
    const expected: Array<i32> = [200, 500, 500, 500, 500];
    for (let i = 0; i < codes.length; i++) {
      const frame = awesomeFrame(7, 1, codes[i], 2);
      expect(codec.httpStatus(view(frame), decoded(frame, Direction.Response))).toBe(expected[i], "code " + codes[i].toString());
    }
    const frame = awesomeFrame(7, 1, 0, 0);
    for (let n = 0; n < frame.length; n++) expect(codec.httpStatus(view(frame, n), new Metadata())).toBe(502, "prefix " + n.toString());
  });

  it("answers every ErrorType with response code 1 and the request's id (500)", () => {
    const errors: Array<ErrorType> = [
      ErrorType.RouteNotFound, ErrorType.ClusterNotFound, ErrorType.NoHealthyUpstream, ErrorType.BadResponse,
      ErrorType.Unspecified, ErrorType.OverLimit, ErrorType.Timeout, ErrorType.PermissionDenied,
    ];
    const request = new Metadata();
    request.requestId = 0xfffffffe;
    for (let i = 0; i < errors.length; i++) {
      const out = new ByteBuffer();
      codec.encodeError(request, errors[i], "refused", out);
      const reply = toArray(out.ptr, out.length);
      const md = decoded(reply, Direction.Response);
      expect(md.messageType).toBe(MessageType.Response);
      expect(md.responseStatus).toBe(ResponseStatus.Error);
      expect(md.requestId).toBe(request.requestId);
      expect(codec.httpStatus(view(reply), md)).toBe(500);
    }
  });

  it("has no heartbeat", () => {
    const out = new ByteBuffer();
    expect(codec.encodeHeartbeat(1, false, out)).toBe(false);
    expect(codec.encodeHeartbeat(1, true, out)).toBe(false);
    expect(out.length).toBe(0);
  });
});

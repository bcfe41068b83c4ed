// What bridge mode asks of the Dubbo codec (filters/dubbo/codec.ts): setting a frame's request id, heartbeats of either
// direction as the real peers write them, the HTTP status of a response, error replies for every ErrorType.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MessageType, ResponseStatus } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { DubboCodec } from "../../filters/dubbo/codec";
import { HEADER_SIZE, bufferBytes, bytesOf, copyOf, firstDifference, view } from "./dubbo_support";
import { expectSameKeyValues, vectorBytes } from "./support";
import {
  GOLDEN_DUBBO2JS_HEARTBEAT_REQUEST,
  GOLDEN_DUBBO2JS_HEARTBEAT_RESPONSE,
  GOLDEN_DUBBO2JS_REQUEST_ECHO_USER,
  GOLDEN_DUBBO2JS_RESPONSE_ECHO_USER,
  GOLDEN_SOFA_HEARTBEAT_REQUEST,
  GOLDEN_SOFA_HEARTBEAT_RESPONSE,
  GOLDEN_SOFA_REQUEST_SAY_HELLO,
  GOLDEN_SOFA_RESPONSE_EXCEPTION_VALUE,
  GOLDEN_SOFA_RESPONSE_SAY_HELLO,
  GOLDEN_SOFA_RESPONSE_STATUS80,
  ONEWAY_REQUEST,
  RESPONSE_FLAG_4_JAVA,
  RESPONSE_STATUS_100,
  RESPONSE_STATUS_70,
} from "./dubbo_vectors";

const codec = new DubboCodec();
/** The smallest and largest HTTP/2 stream ids, and ids only a client chooses (every byte of the 8 used). */
const IDS: Array<u64> = [1, 0x7fffffff, 0x0102030405060708, u64.MAX_VALUE];
const ID_OFFSET = 4;

const FRAMES: Array<StaticArray<u8>> = [
  GOLDEN_SOFA_REQUEST_SAY_HELLO, GOLDEN_DUBBO2JS_REQUEST_ECHO_USER, ONEWAY_REQUEST, GOLDEN_SOFA_HEARTBEAT_REQUEST,
  GOLDEN_SOFA_RESPONSE_SAY_HELLO, GOLDEN_DUBBO2JS_RESPONSE_ECHO_USER, RESPONSE_FLAG_4_JAVA, GOLDEN_SOFA_RESPONSE_STATUS80,
  GOLDEN_SOFA_HEARTBEAT_RESPONSE,
];
const DIRECTIONS: Array<Direction> = [
  Direction.Request, Direction.Request, Direction.Request, Direction.Request,
  Direction.Response, Direction.Response, Direction.Response, Direction.Response, Direction.Response,
];
const NAMES: Array<string> = [
  "sofa sayHello", "dubbo2.js echoUser", "oneway", "heartbeat request",
  "sayHello response", "echoUser response", "Java response with attachments", "status 80", "heartbeat response",
];

const ERRORS: Array<ErrorType> = [
  ErrorType.RouteNotFound, ErrorType.ClusterNotFound, ErrorType.NoHealthyUpstream, ErrorType.BadResponse,
  ErrorType.Unspecified, ErrorType.OverLimit, ErrorType.Timeout, ErrorType.PermissionDenied,
];
/** The status byte each error replies with, and the HTTP status that byte stands for. */
const ERROR_STATUSES: Array<u8> = [60, 60, 80, 50, 80, 100, 31, 70];
const ERROR_HTTP_STATUSES: Array<i32> = [404, 404, 500, 502, 500, 503, 504, 500];

function decodedVector(frame: StaticArray<u8>, direction: Direction, label: string): Metadata {
  const md = new Metadata();
  const error = codec.decode(bytesOf(frame), direction, md);
  expect(error).toBeNull(label + ": " + (error === null ? "" : <string>error));
  return md;
}

function decodedBytes(frame: Uint8Array, direction: Direction, label: string): Metadata {
  const md = new Metadata();
  expect(codec.frameSize(view(frame))).toBe(frame.length, label + ": frame size");
  const error = codec.decode(view(frame), direction, md);
  expect(error).toBeNull(label + ": " + (error === null ? "" : <string>error));
  return md;
}

/** A copy of a status-80 response with its status byte set to `status`, as bridge mode maps it (the byte alone counts). */
function httpStatusOfStatus(status: u8): i32 {
  const frame = copyOf(GOLDEN_SOFA_RESPONSE_STATUS80);
  frame[3] = status;
  return codec.httpStatus(view(frame), new Metadata());
}

describe("dubbo codec: withRequestId", () => {
  it("sets the 8-byte id of requests, responses and heartbeats; nothing else changes", () => {
    for (let f = 0; f < FRAMES.length; f++) {
      const md = decodedVector(FRAMES[f], DIRECTIONS[f], NAMES[f]);
      for (let i = 0; i < IDS.length; i++) {
        const label = NAMES[f] + " id " + IDS[i].toString();
        const out = new ByteBuffer();
        expect(codec.withRequestId(bytesOf(FRAMES[f]), md, IDS[i], out)).toBe(true, label);
        const result = bufferBytes(out);
        const again = decodedBytes(result, DIRECTIONS[f], label);
        expect(again.requestId).toBe(IDS[i], label);
        expect(again.messageType).toBe(md.messageType, label);
        expect(again.responseStatus).toBe(md.responseStatus, label);
        expectSameKeyValues(again, md, label);
        // Putting the original id back gives the original bytes.
        const restored = new ByteBuffer();
        expect(codec.withRequestId(view(result), again, md.requestId, restored)).toBe(true, label);
        expect(firstDifference(bufferBytes(restored), FRAMES[f])).toBe(-1, label + ": restored");
      }
    }
  });

  it("appends after what the buffer holds", () => {
    const out = new ByteBuffer();
    out.appendU8(0x99);
    const md = decodedVector(GOLDEN_SOFA_REQUEST_SAY_HELLO, Direction.Request, "sayHello");
    expect(codec.withRequestId(bytesOf(GOLDEN_SOFA_REQUEST_SAY_HELLO), md, 9, out)).toBe(true);
    expect(out.length).toBe(1 + GOLDEN_SOFA_REQUEST_SAY_HELLO.length);
    expect(load<u8>(out.ptr)).toBe(0x99);
    expect(bswap<u64>(load<u64>(out.ptr + 1 + ID_OFFSET))).toBe(9);
  });

  it("refuses a truncated frame, and bytes that are not a frame, writing nothing", () => {
    const out = new ByteBuffer();
    for (let f = 0; f < FRAMES.length; f++) {
      const md = decodedVector(FRAMES[f], DIRECTIONS[f], NAMES[f]);
      for (let n = 0; n < FRAMES[f].length; n++) {
        expect(codec.withRequestId(vectorBytes(FRAMES[f], n), md, 1, out)).toBe(false, NAMES[f] + " prefix " + n.toString());
      }
    }
    const notDubbo = copyOf(GOLDEN_SOFA_REQUEST_SAY_HELLO);
    notDubbo[0] = 0xab;
    expect(codec.withRequestId(view(notDubbo), new Metadata(), 1, out)).toBe(false, "bad magic");
    expect(out.length).toBe(0);
  });
});

describe("dubbo codec: heartbeats", () => {
  it("writes the heartbeats sofa-rpc-node and dubbo2.js send and the sofa provider answers, byte for byte", () => {
    const ids: Array<u64> = [6, 0, 6, 0];
    const replies: Array<bool> = [false, false, true, true];
    const expected: Array<StaticArray<u8>> = [
      GOLDEN_SOFA_HEARTBEAT_REQUEST, GOLDEN_DUBBO2JS_HEARTBEAT_REQUEST, GOLDEN_SOFA_HEARTBEAT_RESPONSE, GOLDEN_DUBBO2JS_HEARTBEAT_RESPONSE,
    ];
    for (let i = 0; i < ids.length; i++) {
      const out = new ByteBuffer();
      expect(codec.encodeHeartbeat(ids[i], replies[i], out)).toBe(true);
      expect(firstDifference(bufferBytes(out), expected[i])).toBe(-1, "heartbeat " + i.toString());
    }
  });

  it("decodes as a heartbeat of the right direction with the id", () => {
    for (let i = 0; i < IDS.length; i++) {
      for (let reply = 0; reply < 2; reply++) {
        const label = (reply == 1 ? "answer" : "request") + " id " + IDS[i].toString();
        const out = new ByteBuffer();
        codec.encodeHeartbeat(IDS[i], reply == 1, out);
        const md = decodedBytes(bufferBytes(out), reply == 1 ? Direction.Response : Direction.Request, label);
        expect(md.messageType).toBe(MessageType.Heartbeat, label);
        expect(md.requestId).toBe(IDS[i], label);
        // A request is two-way; an answer is a response with status OK.
        const flags = load<u8>(out.ptr + 2);
        if (reply == 1) {
          expect(flags & 0x80).toBe(0, label + ": a response");
          expect(load<u8>(out.ptr + 3)).toBe(20, label + ": status OK");
        } else {
          expect(flags & 0xc0).toBe(0xc0, label + ": request, two-way");
        }
      }
    }
  });

  it("is the carrier of a rejected request", () => {
    const request = new Metadata();
    request.requestId = 0x0102030405060708;
    const carrier = new ByteBuffer();
    const heartbeat = new ByteBuffer();
    expect(codec.encodeCarrier(request, carrier)).toBe(true);
    codec.encodeHeartbeat(request.requestId, false, heartbeat);
    expect(carrier.length).toBe(heartbeat.length);
    expect(memory.compare(carrier.ptr, heartbeat.ptr, <usize>carrier.length)).toBe(0);
  });
});

describe("dubbo codec: httpStatus", () => {
  it("maps every status byte Dubbo defines, and others to 500", () => {
    // OK, SERIALIZATION_ERROR, CLIENT_TIMEOUT, SERVER_TIMEOUT, CHANNEL_INACTIVE, BAD_REQUEST, BAD_RESPONSE,
    // SERVICE_NOT_FOUND, SERVICE_ERROR, SERVER_ERROR, CLIENT_ERROR, SERVER_THREADPOOL_EXHAUSTED_ERROR, unknown ones
    const statuses: Array<u8> = [20, 25, 30, 31, 35, 40, 50, 60, 70, 80, 90, 100, 0, 255];
    const expected: Array<i32> = [200, 500, 504, 504, 500, 400, 502, 404, 500, 500, 400, 503, 500, 500];
    for (let i = 0; i < statuses.length; i++) {
      expect(httpStatusOfStatus(statuses[i])).toBe(expected[i], "status " + statuses[i].toString());
    }
  });

  it("an OK response carrying a business exception is 200: the consumer must see it", () => {
    const md = decodedVector(GOLDEN_SOFA_RESPONSE_EXCEPTION_VALUE, Direction.Response, "exception value");
    expect(md.responseStatus).toBe(ResponseStatus.Error);
    expect(codec.httpStatus(bytesOf(GOLDEN_SOFA_RESPONSE_EXCEPTION_VALUE), md)).toBe(200);
  });

  it("maps the real providers' error responses", () => {
    const frames: Array<StaticArray<u8>> = [GOLDEN_SOFA_RESPONSE_SAY_HELLO, GOLDEN_SOFA_RESPONSE_STATUS80, RESPONSE_STATUS_70, RESPONSE_STATUS_100];
    const expected: Array<i32> = [200, 500, 500, 503];
    for (let i = 0; i < frames.length; i++) {
      const md = decodedVector(frames[i], Direction.Response, "frame " + i.toString());
      expect(codec.httpStatus(bytesOf(frames[i]), md)).toBe(expected[i], "frame " + i.toString());
    }
  });

  it("a frame shorter than the header is a bad response (502), never a read past it", () => {
    const md = new Metadata();
    for (let n = 0; n < HEADER_SIZE; n++) {
      expect(codec.httpStatus(vectorBytes(GOLDEN_SOFA_RESPONSE_SAY_HELLO, n), md)).toBe(502);
    }
  });
});

describe("dubbo codec: error replies for every ErrorType", () => {
  it("answers with the request's id and the closest status, which maps back to the HTTP status Envoy gave", () => {
    const request = new Metadata();
    request.requestId = 0x0102030405060708;
    for (let i = 0; i < ERRORS.length; i++) {
      const label = "error " + (<i32>ERRORS[i]).toString();
      const out = new ByteBuffer();
      codec.encodeError(request, ERRORS[i], "refused", out);
      const reply = bufferBytes(out);
      const md = decodedBytes(reply, Direction.Response, label);
      expect(md.messageType).toBe(MessageType.Response, label);
      expect(md.responseStatus).toBe(ResponseStatus.Error, label);
      expect(md.requestId).toBe(request.requestId, label);
      expect(reply[3]).toBe(ERROR_STATUSES[i], label);
      expect(codec.httpStatus(view(reply), md)).toBe(ERROR_HTTP_STATUSES[i], label);
    }
  });
});

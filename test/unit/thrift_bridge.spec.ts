// What bridge mode asks of the Thrift codec (filters/thrift/codec.ts): setting a message's seqid in every transport and
// protocol, the HTTP status of a response, error replies for every ErrorType, and no heartbeat.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MessageType, ResponseStatus } from "../../assembly/core/codec";
import { ThriftCodec, Transport } from "../../filters/thrift/codec";
import { BinaryProtocol } from "../../filters/thrift/binary_protocol";
import { CompactProtocol } from "../../filters/thrift/compact_protocol";
import { MessageKind, TProtocol } from "../../filters/thrift/protocol";
import { beginHeaderFrame, endFrame } from "../../filters/thrift/theader";
import { bufferVector, expectSameKeyValues, hexVector, vectorBytes } from "./support";
import { codecFor, decoded } from "./thrift_support";
import {
  CALLS,
  COMBO_COMPACT,
  COMBO_NAMES,
  COMBO_TRANSPORTS,
  EXCEPTIONS,
  HEADER_TRANSFORMED,
  MUX_CALLS,
  ONEWAYS,
  REPLY_DECLAREDS,
  REPLY_OKS,
  REPLY_VOIDS,
} from "./thrift_vectors";

const MAX_STREAM_ID: u64 = 0x7fffffff;
/** Ids a rewrite must carry: the smallest stream id, the largest, and a client's negative seqid (-2) restored. */
const IDS: Array<u64> = [1, MAX_STREAM_ID, 0xfffffffe];
const HEADER_SEQID_AT = 8;

/** Every message kind of every transport and protocol, the direction it travels in, and its name. */
const FRAMES: Array<Array<StaticArray<u8>>> = [CALLS, ONEWAYS, MUX_CALLS, REPLY_OKS, REPLY_VOIDS, REPLY_DECLAREDS, EXCEPTIONS];
const DIRECTIONS: Array<Direction> = [
  Direction.Request, Direction.Request, Direction.Request,
  Direction.Response, Direction.Response, Direction.Response, Direction.Response,
];
const KINDS: Array<string> = ["call", "oneway", "multiplexed call", "reply", "void reply", "declared exception", "exception"];

function u32At(vector: StaticArray<u8>, at: i32): u32 {
  return bswap<u32>(load<u32>(changetype<usize>(vector) + <usize>at));
}

/** `frame` with its seqid set to `id` by the codec that decoded it, then sized and decoded by a new connection's codec. */
function rewritten(frame: StaticArray<u8>, direction: Direction, id: u64, label: string): StaticArray<u8> {
  const codec = codecFor(frame, label);
  const md = decoded(codec, frame, direction, label);
  const out = new ByteBuffer();
  expect(codec.withRequestId(vectorBytes(frame), md, id, out)).toBe(true, label);
  const result = bufferVector(out);
  const again = decoded(codecFor(result, label + " rewritten"), result, direction, label + " rewritten");
  expect(again.requestId).toBe(id, label + ": new id");
  expect(again.messageType).toBe(md.messageType, label + ": message type");
  expect(again.responseStatus).toBe(md.responseStatus, label + ": response status");
  expectSameKeyValues(again, md, label);
  return result;
}

/** An EXCEPTION message carrying TApplicationException {message, type}, in a transport and protocol. */
function exceptionFrame(transport: i32, protocol: TProtocol, type: i32): StaticArray<u8> {
  const out = new ByteBuffer();
  const start = out.length;
  if (transport == Transport.Header) beginHeaderFrame(out, 5, protocol.headerId());
  else if (transport == Transport.Framed) out.appendU32be(0);
  protocol.writeMessageBegin(out, "calculate", MessageKind.Exception, 5);
  protocol.writeApplicationException(out, "refused", type);
  if (transport != Transport.Unframed) endFrame(out, start);
  return bufferVector(out);
}

function protocolOf(combo: i32): TProtocol {
  return COMBO_COMPACT[combo] ? new CompactProtocol() : new BinaryProtocol();
}

function httpStatusOf(frame: StaticArray<u8>, label: string): i32 {
  const codec = codecFor(frame, label);
  const md = decoded(codec, frame, Direction.Response, label);
  return codec.httpStatus(vectorBytes(frame), md);
}

describe("thrift codec: withRequestId", () => {
  it("sets the seqid of every message kind in every transport and protocol; the keys stay", () => {
    for (let kind = 0; kind < FRAMES.length; kind++) {
      for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
        for (let i = 0; i < IDS.length; i++) {
          rewritten(FRAMES[kind][combo], DIRECTIONS[kind], IDS[i], COMBO_NAMES[combo] + " " + KINDS[kind] + " id " + IDS[i].toString());
        }
      }
    }
  });

  it("binary: the same length, only the seqid's 4 bytes differ (and THeader's own seqid)", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      if (COMBO_COMPACT[combo]) continue;
      const frame = CALLS[combo];
      const result = rewritten(frame, Direction.Request, 0x01020304, COMBO_NAMES[combo]);
      expect(result.length).toBe(frame.length, COMBO_NAMES[combo]);
      let differing = 0;
      for (let i = 0; i < frame.length; i++) if (frame[i] != result[i]) differing++;
      // seqid 7 -> 0x01020304: the last byte is 07 -> 04, so every byte of each seqid differs
      const seqids = COMBO_TRANSPORTS[combo] == Transport.Header ? 2 : 1;
      expect(differing).toBe(4 * seqids, COMBO_NAMES[combo]);
    }
  });

  it("compact: the varint grows from 1 to 5 bytes (id 2^31-1) and shrinks back; frame lengths follow", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      if (!COMBO_COMPACT[combo]) continue;
      const label = COMBO_NAMES[combo];
      const frame = CALLS[combo]; // seqid 7: one varint byte
      const grown = rewritten(frame, Direction.Request, MAX_STREAM_ID, label);
      expect(grown.length).toBe(frame.length + 4, label);
      if (COMBO_TRANSPORTS[combo] != Transport.Unframed) expect(u32At(grown, 0)).toBe(<u32>(grown.length - 4), label + ": frame length");
      const shrunk = rewritten(grown, Direction.Request, 7, label + " back");
      expect(shrunk.length).toBe(frame.length, label + " back");
      expect(memory.compare(changetype<usize>(shrunk), changetype<usize>(frame), <usize>frame.length)).toBe(0, label + ": the original bytes");
    }
  });

  it("THeader: the frame header's seqid and the message's are both set", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      if (COMBO_TRANSPORTS[combo] != Transport.Header) continue;
      for (let kind = 0; kind < FRAMES.length; kind++) {
        const label = COMBO_NAMES[combo] + " " + KINDS[kind];
        const result = rewritten(FRAMES[kind][combo], DIRECTIONS[kind], MAX_STREAM_ID, label);
        expect(u32At(result, HEADER_SEQID_AT)).toBe(<u32>MAX_STREAM_ID, label);
      }
    }
  });

  it("refuses an id that does not fit an i32 seqid, and a compressed THeader payload, writing nothing", () => {
    const out = new ByteBuffer();
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      const codec = codecFor(CALLS[combo], COMBO_NAMES[combo]);
      const md = decoded(codec, CALLS[combo], Direction.Request, COMBO_NAMES[combo]);
      expect(codec.withRequestId(vectorBytes(CALLS[combo]), md, 0x100000000, out)).toBe(false, COMBO_NAMES[combo]);
    }
    const codec = codecFor(HEADER_TRANSFORMED, "transformed");
    const md = decoded(codec, HEADER_TRANSFORMED, Direction.Request, "transformed");
    expect(codec.withRequestId(vectorBytes(HEADER_TRANSFORMED), md, 1, out)).toBe(false, "transformed");
    expect(out.length).toBe(0);
  });

  it("refuses every truncated frame, writing nothing", () => {
    const out = new ByteBuffer();
    for (let kind = 0; kind < FRAMES.length; kind++) {
      for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
        const frame = FRAMES[kind][combo];
        const label = COMBO_NAMES[combo] + " " + KINDS[kind];
        const codec = codecFor(frame, label);
        const md = decoded(codec, frame, DIRECTIONS[kind], label);
        for (let n = 0; n < frame.length; n++) {
          expect(codec.withRequestId(vectorBytes(frame, n), md, 1, out)).toBe(false, label + " prefix " + n.toString());
        }
      }
    }
    expect(out.length).toBe(0);
  });
});

describe("thrift codec: httpStatus", () => {
  it("a REPLY is 200: a success, a void success, and a declared exception the client must see", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      expect(httpStatusOf(REPLY_OKS[combo], COMBO_NAMES[combo])).toBe(200, COMBO_NAMES[combo] + " reply");
      expect(httpStatusOf(REPLY_VOIDS[combo], COMBO_NAMES[combo])).toBe(200, COMBO_NAMES[combo] + " void reply");
      expect(httpStatusOf(REPLY_DECLAREDS[combo], COMBO_NAMES[combo])).toBe(200, COMBO_NAMES[combo] + " declared exception");
    }
  });

  it("an EXCEPTION without a type (npm thrift's answer to an undeclared error) is UNKNOWN: 500", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      expect(httpStatusOf(EXCEPTIONS[combo], COMBO_NAMES[combo])).toBe(500, COMBO_NAMES[combo]);
    }
  });

  it("maps each TApplicationException type: UNKNOWN_METHOD 404, the request's faults 400, the rest 500", () => {
    // UNKNOWN, UNKNOWN_METHOD, INVALID_MESSAGE_TYPE, WRONG_METHOD_NAME, BAD_SEQUENCE_ID, MISSING_RESULT,
    // INTERNAL_ERROR, PROTOCOL_ERROR, INVALID_TRANSFORM, INVALID_PROTOCOL, UNSUPPORTED_CLIENT_TYPE, unknown ones
    const types: Array<i32> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, 1000];
    const statuses: Array<i32> = [500, 404, 400, 400, 500, 500, 500, 400, 400, 400, 400, 500, 500, 500];
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      for (let i = 0; i < types.length; i++) {
        const frame = exceptionFrame(COMBO_TRANSPORTS[combo], protocolOf(combo), types[i]);
        expect(httpStatusOf(frame, COMBO_NAMES[combo])).toBe(statuses[i], COMBO_NAMES[combo] + " type " + types[i].toString());
      }
    }
  });

  it("finds the type field wherever it is in the struct (binary; compact with a long-form field id)", () => {
    // EXCEPTION "m" seqid 1, then {2: i32 1 (UNKNOWN_METHOD), 1: string "a"}
    const binary = hexVector("80 01 00 03 | 00 00 00 01 6d | 00 00 00 01 | 08 00 02 00 00 00 01 | 0b 00 01 00 00 00 01 61 | 00");
    expect(httpStatusOf(binary, "binary")).toBe(404, "binary");
    // EXCEPTION "m" seqid 1: {1: string "a" (delta 1), then 2: i32 given by a long-form id (zigzag 2 = 4), value 1 (zigzag 2)}
    const compact = hexVector("82 61 01 01 6d | 18 01 61 | 05 04 02 | 00");
    expect(httpStatusOf(compact, "compact")).toBe(404, "compact");
    // A type field of another field type is not the type: {2: string "x"} is UNKNOWN
    const wrongType = hexVector("80 01 00 03 | 00 00 00 01 6d | 00 00 00 01 | 0b 00 02 00 00 00 01 78 | 00");
    expect(httpStatusOf(wrongType, "string type field")).toBe(500, "string type field");
  });

  it("a compressed THeader payload cannot be read: 200, the answer goes to the client as it is", () => {
    const codec = codecFor(HEADER_TRANSFORMED, "transformed");
    const md = decoded(codec, HEADER_TRANSFORMED, Direction.Response, "transformed");
    expect(codec.httpStatus(vectorBytes(HEADER_TRANSFORMED), md)).toBe(200);
  });

  it("never traps on a truncated EXCEPTION: the type read so far, or UNKNOWN", () => {
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      const frame = exceptionFrame(COMBO_TRANSPORTS[combo], protocolOf(combo), 1);
      const codec = codecFor(frame, COMBO_NAMES[combo]);
      const md = decoded(codec, frame, Direction.Response, COMBO_NAMES[combo]);
      let notFound = 0;
      for (let n = 0; n < frame.length; n++) {
        const status = codec.httpStatus(vectorBytes(frame, n), md);
        if (status != 404) notFound++;
        expect(status == 404 || status == 500 || status == 502).toBe(true, COMBO_NAMES[combo] + " prefix " + n.toString());
      }
      expect(notFound).toBeGreaterThan(0, COMBO_NAMES[combo]);
    }
  });
});

describe("thrift codec: error replies and heartbeats for bridge mode", () => {
  it("answers every ErrorType with an EXCEPTION for the request: PROTOCOL_ERROR for a bad response, INTERNAL_ERROR otherwise", () => {
    const errors: Array<ErrorType> = [
      ErrorType.RouteNotFound, ErrorType.ClusterNotFound, ErrorType.NoHealthyUpstream, ErrorType.BadResponse,
      ErrorType.Unspecified, ErrorType.OverLimit, ErrorType.Timeout, ErrorType.PermissionDenied,
    ];
    for (let combo = 0; combo < COMBO_NAMES.length; combo++) {
      const request = decoded(codecFor(CALLS[combo], COMBO_NAMES[combo]), CALLS[combo], Direction.Request, COMBO_NAMES[combo]);
      request.requestId = MAX_STREAM_ID;
      for (let i = 0; i < errors.length; i++) {
        const label = COMBO_NAMES[combo] + " error " + (<i32>errors[i]).toString();
        const out = new ByteBuffer();
        codecFor(CALLS[combo], label).encodeError(request, errors[i], "refused", out);
        const reply = bufferVector(out);
        const md = decoded(codecFor(reply, label), reply, Direction.Response, label);
        expect(md.messageType).toBe(MessageType.Response, label);
        expect(md.responseStatus).toBe(ResponseStatus.Error, label);
        expect(md.requestId).toBe(MAX_STREAM_ID, label);
        // PROTOCOL_ERROR (7) reads as the request's fault (400), INTERNAL_ERROR (6) as the server's (500)
        expect(httpStatusOf(reply, label)).toBe(errors[i] == ErrorType.BadResponse ? 400 : 500, label);
      }
    }
  });

  it("has no heartbeat", () => {
    const out = new ByteBuffer();
    const codec = new ThriftCodec();
    expect(codec.encodeHeartbeat(1, false, out)).toBe(false);
    expect(codec.encodeHeartbeat(1, true, out)).toBe(false);
    expect(out.length).toBe(0);
  });
});

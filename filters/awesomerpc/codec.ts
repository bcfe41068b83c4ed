// The awesomerpc codec: the sample custom protocol of MetaProtocol's tutorial, and the template to copy when
// adding a protocol. Every frame starts with a 13-byte big-endian header:
//
//   offset 0  u8   version
//          1  u32  request id      (a response carries its request's id)
//          5  u32  total length    (header included)
//          9  i16  command         (the routing key, exposed as "cmd" in decimal)
//         11  i16  response code   (0 = ok; an error reply carries 1)
//
// followed by an opaque body.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Codec, Direction, ErrorType, MALFORMED, MessageType, NEED_MORE_DATA, ResponseStatus } from "../../assembly/core/codec";
import { CodecSettings, StatelessProtocol } from "../../assembly/core/protocol";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";

const HEADER_SIZE = 13;
const ID_OFFSET = 1;
const RESPONSE_CODE_OFFSET = 11;
const LENGTH_END = 9; // bytes needed to read the total length
const VERSION: u32 = 1;
const ERROR_CODE: u32 = 1;
/** A command no awesomerpc server serves: a rejected request's carrier (the server answers it with an error code). */
const CARRIER_COMMAND: u32 = 0xffff;
const CMD = "cmd";
const CMD_KEY = String.UTF8.encode(CMD);

/** The protocol: its name, its method key, and its codec (which keeps no state: the plugin's connections share it). */
export class AwesomeRpcProtocol extends StatelessProtocol {
  name(): string {
    return "awesomerpc";
  }

  methodKey(): string {
    return CMD;
  }

  createCodec(settings: CodecSettings): Codec {
    return new AwesomeRpcCodec();
  }
}

export class AwesomeRpcCodec extends Codec {
  frameSize(bytes: Bytes): i32 {
    if (bytes.length < LENGTH_END) return NEED_MORE_DATA;
    const total = bytes.u32be(5);
    if (total < <u32>HEADER_SIZE || total > <u32>i32.MAX_VALUE) return MALFORMED;
    return <i32>total;
  }

  decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null {
    metadata.requestId = frame.u32be(ID_OFFSET);
    if (direction == Direction.Request) {
      metadata.messageType = MessageType.Request;
      metadata.putDecimal(CMD_KEY, frame.i16be(9));
    } else {
      metadata.messageType = MessageType.Response;
      metadata.responseStatus = frame.i16be(RESPONSE_CODE_OFFSET) == 0 ? ResponseStatus.Ok : ResponseStatus.Error;
    }
    return null;
  }

  // The header has no room for key/values.
  mutate(frame: Bytes, metadata: Metadata, mutation: Mutation, out: ByteBuffer): bool {
    return false;
  }

  /** The protocol has one error code, whatever the error (MetaProtocol's awesomerpc codec writes 1 for all). */
  encodeError(request: Metadata, error: ErrorType, message: string, out: ByteBuffer): void {
    writeHeader(out, request.requestId, 0, ERROR_CODE); // command 0: the reply is about the request id
  }

  /** The id field is a u32: a larger id does not fit. It has no heartbeat (encodeHeartbeat stays false). */
  withRequestId(frame: Bytes, metadata: Metadata, id: u64, out: ByteBuffer): bool {
    if (id > <u64>u32.MAX_VALUE || frame.length < HEADER_SIZE || this.frameSize(frame) != frame.length) return false;
    const start = out.length;
    out.append(frame.ptr, frame.length);
    out.setU32be(start + ID_OFFSET, <u32>id);
    return true;
  }

  /** Response code 0 is a success; the protocol gives no meaning to the others, so they are server errors. */
  httpStatus(frame: Bytes, metadata: Metadata): i32 {
    if (frame.length < HEADER_SIZE) return 502;
    return frame.i16be(RESPONSE_CODE_OFFSET) == 0 ? 200 : 500;
  }

  encodeCarrier(request: Metadata, out: ByteBuffer): bool {
    writeHeader(out, request.requestId, CARRIER_COMMAND, 0);
    return true;
  }
}

/** A frame of header only. */
function writeHeader(out: ByteBuffer, requestId: u64, command: u32, responseCode: u32): void {
  out.appendU8(VERSION);
  out.appendU32be(<u32>requestId);
  out.appendU32be(HEADER_SIZE);
  out.appendU16be(command);
  out.appendU16be(responseCode);
}

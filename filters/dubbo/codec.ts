// The Dubbo codec (dubbo2 protocol). A frame is a 16-byte big-endian header and a body:
//
//   0-1   magic 0xdabb
//   2     flags: 0x80 request, 0x40 two-way, 0x20 event (heartbeat), 0x1f serialization id (2 = hessian2)
//   3     status (responses): 20 OK, 30/31 timeouts, 40 bad request, 50 bad response, 60 service not found,
//         70 service error, 80 server error, 90 client error, 100 server thread pool exhausted
//   4-11  request id
//   12-15 body length
//
// A hessian2 request body is: dubbo version, service path, service version, method, parameter-type descriptor,
// the arguments, then the attachments map. A response body is a flag (value / null / exception, each with or without
// attachments) and what it announces; a non-OK status carries a string message instead. Only hessian2 bodies are
// read; other serializations are forwarded untouched, routed on the header alone.
//
// A mutation rewrites the attachments map of a request or of an OK response; a response without one gets one after its
// value, and the flag that announces it (0, 1, 2 become 3, 4, 5). Consumers older than Dubbo 2.6.3 do not know those
// flags: a Java provider sends them only when the request's dubbo version says the consumer does (2.0.2 and later,
// Version.isSupportResponseAttachment); this codec does not look (the response's mutation does not see the request).
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Codec, Direction, ErrorType, MALFORMED, MessageType, NEED_MORE_DATA, ResponseStatus } from "../../assembly/core/codec";
import { CodecSettings, StatelessProtocol } from "../../assembly/core/protocol";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { Hessian2Reader, TAG_END, TAG_MAP_TYPED, TAG_MAP_UNTYPED, TAG_NULL } from "./hessian2";
import { writeCompactInt, writeString } from "./hessian2_writer";

const HEADER_SIZE = 16;
const ID_OFFSET = 4;
const MAGIC: u32 = 0xdabb;
const FLAG_REQUEST: u32 = 0x80;
const FLAG_TWO_WAY: u32 = 0x40;
const FLAG_EVENT: u32 = 0x20;
const SERIALIZATION_MASK: u32 = 0x1f;
const HESSIAN2: u32 = 2;
const STATUS_OK: u32 = 20;

// Response flags (org.apache.dubbo.rpc.protocol.dubbo.DubboCodec).
const RESPONSE_WITH_EXCEPTION = 0;
const RESPONSE_NULL_VALUE = 2;
const RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS = 3;
const RESPONSE_NULL_VALUE_WITH_ATTACHMENTS = 5;
/** The first flag with attachments, and what a flag without them adds to become one with (0, 1, 2 -> 3, 4, 5). */
const FIRST_FLAG_WITH_ATTACHMENTS = 3;

// The request's own keys, and their UTF-8 made once.
const INTERFACE = "interface";
const METHOD = "method";
const INTERFACE_KEY = String.UTF8.encode(INTERFACE);
const VERSION_KEY = String.UTF8.encode("version");
const METHOD_KEY = String.UTF8.encode(METHOD);

/** The attachments map and its entries, as byte offsets in the body (kept for rewriting it). */
@final
class AttachmentSpans {
  /** Where the map starts, and ends: the same offset when the body has none (a new map goes there). */
  mapStart: i32 = 0;
  mapEnd: i32 = 0;
  /** Where the entries begin, after the map's tag and type (-1: no map). */
  entriesStart: i32 = -1;
  starts: Array<i32> = [];
  ends: Array<i32> = [];
  replaced: Array<bool> = [];
  /** A response flag to write over the body's first `flagEnd` bytes (-1: none, and `flagEnd` is 0). */
  newFlag: i32 = -1;
  flagEnd: i32 = 0;

  clear(): void {
    this.mapStart = 0;
    this.mapEnd = 0;
    this.entriesStart = -1;
    this.newFlag = -1;
    this.flagEnd = 0;
    this.starts.length = 0;
    this.ends.length = 0;
    this.replaced.length = 0;
  }
}

/**
 * The protocol: its name and keys, and its codec, which keeps no per-connection state (its reader and buffers are
 * scratch for one frame): the plugin's connections share it.
 */
export class DubboProtocol extends StatelessProtocol {
  name(): string {
    return "dubbo";
  }

  serviceKey(): string {
    return INTERFACE;
  }

  methodKey(): string {
    return METHOD;
  }

  createCodec(settings: CodecSettings): Codec {
    return new DubboCodec(settings.readsAllKeyValues);
  }
}

export class DubboCodec extends Codec {
  private reader: Hessian2Reader = new Hessian2Reader();
  private key: ByteBuffer = new ByteBuffer();
  private spans: AttachmentSpans = new AttachmentSpans();

  /** `readsAllKeyValues`: false when the plugin reads nothing but the service and the method (arguments and attachments are then skipped). */
  constructor(private readonly readsAllKeyValues: bool = true) {
    super();
  }

  frameSize(bytes: Bytes): i32 {
    if (bytes.length >= 2 && bytes.u16be(0) != MAGIC) return MALFORMED;
    if (bytes.length < HEADER_SIZE) return NEED_MORE_DATA;
    const body = bytes.u32be(12);
    if (body > <u32>(i32.MAX_VALUE - HEADER_SIZE)) return MALFORMED;
    return HEADER_SIZE + <i32>body;
  }

  decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null {
    const flags = frame.u8(2);
    metadata.requestId = frame.u64be(ID_OFFSET);
    const isRequest = (flags & FLAG_REQUEST) != 0;
    if ((flags & FLAG_EVENT) != 0) {
      metadata.messageType = MessageType.Heartbeat;
      return null;
    }
    if (isRequest != (direction == Direction.Request)) {
      return isRequest ? "a request from the server side" : "a response from the client side";
    }
    if (isRequest) {
      metadata.messageType = (flags & FLAG_TWO_WAY) != 0 ? MessageType.Request : MessageType.Oneway;
    } else {
      metadata.messageType = MessageType.Response;
      metadata.responseStatus = frame.u8(3) == STATUS_OK ? ResponseStatus.Ok : ResponseStatus.Error;
    }
    if ((flags & SERIALIZATION_MASK) != HESSIAN2) {
      metadata.bodyDecoded = false;
      return null;
    }
    this.reader.reset(frame.ptr + HEADER_SIZE, frame.length - HEADER_SIZE);
    return isRequest ? this.decodeRequest(metadata) : this.decodeResponse(frame.u8(3), metadata);
  }

  mutate(frame: Bytes, metadata: Metadata, mutation: Mutation, out: ByteBuffer): bool {
    if (!metadata.bodyDecoded) return false;
    this.reader.reset(frame.ptr + HEADER_SIZE, frame.length - HEADER_SIZE);
    this.spans.clear();
    const type = metadata.messageType;
    let found = false;
    if (type == MessageType.Request || type == MessageType.Oneway) found = this.findRequestAttachments(mutation);
    // Heartbeats carry no attachments, and a response whose status is not OK has an error message for a body.
    else if (type == MessageType.Response && frame.u8(3) == STATUS_OK) found = this.findResponseAttachments(mutation);
    if (!found) return false;
    this.writeMutated(frame, mutation, out);
    return true;
  }

  encodeError(request: Metadata, error: ErrorType, message: string, out: ByteBuffer): void {
    writeHeader(out, HESSIAN2, errorStatus(error), request.requestId);
    const lengthAt = out.length - 4;
    const bodyAt = out.length;
    writeString(out, message);
    out.setU32be(lengthAt, <u32>(out.length - bodyAt));
  }

  /** A heartbeat request with the rejected request's id: every provider answers it with the same id. */
  encodeCarrier(request: Metadata, out: ByteBuffer): bool {
    return this.encodeHeartbeat(request.requestId, false, out);
  }

  /** The id is 8 bytes of the header: any id fits, and the body is copied as it is. */
  withRequestId(frame: Bytes, metadata: Metadata, id: u64, out: ByteBuffer): bool {
    if (frame.length < HEADER_SIZE || this.frameSize(frame) != frame.length) return false;
    const start = out.length;
    out.append(frame.ptr, frame.length);
    store<u64>(out.ptr + <usize>(start + ID_OFFSET), bswap<u64>(id));
    return true;
  }

  /**
   * Java's heartbeat (HeartbeatHandler.received answers a two-way heartbeat request with an event response of the
   * same id): hessian2, the event flag, and a null body; a request is two-way, an answer has status OK.
   */
  encodeHeartbeat(id: u64, reply: bool, out: ByteBuffer): bool {
    if (reply) writeHeader(out, FLAG_EVENT | HESSIAN2, STATUS_OK, id);
    else writeHeader(out, FLAG_REQUEST | FLAG_TWO_WAY | FLAG_EVENT | HESSIAN2, 0, id);
    out.setU32be(out.length - 4, 1);
    out.appendU8(TAG_NULL);
    return true;
  }

  httpStatus(frame: Bytes, metadata: Metadata): i32 {
    return frame.length < HEADER_SIZE ? 502 : statusToHttp(frame.u8(3));
  }

  private decodeRequest(md: Metadata): string | null {
    const r = this.reader;
    r.readString(); // dubbo version
    if (r.readString()) md.putBytes(INTERFACE_KEY, r.stringPtr, r.stringLength);
    if (r.readString() && r.stringLength > 0) md.putBytes(VERSION_KEY, r.stringPtr, r.stringLength);
    if (r.readString()) md.putBytes(METHOD_KEY, r.stringPtr, r.stringLength);
    if (!this.readsAllKeyValues) return r.error; // the arguments and attachments would only be skipped
    if (!this.skipArguments()) return r.error !== null ? r.error : "bad parameter-type descriptor";
    if (r.remaining > 0) this.walkAttachments(md, null);
    return r.error;
  }

  private decodeResponse(status: u32, md: Metadata): string | null {
    if (status != STATUS_OK) return null; // the body is the error message
    const r = this.reader;
    const flag = this.readResponseFlag();
    if (flag < 0) return r.failed ? r.error : "unknown response flag";
    if (flag == RESPONSE_WITH_EXCEPTION || flag == RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS) {
      md.responseStatus = ResponseStatus.Error;
    }
    if (flag < FIRST_FLAG_WITH_ATTACHMENTS || !this.readsAllKeyValues) return null; // nothing the filter needs follows
    this.skipResult(flag);
    this.walkAttachments(md, null);
    return r.error;
  }

  /** Reads a response's result flag: 0 to 5, or -1 (the reader failed, or the int is no flag). */
  private readResponseFlag(): i32 {
    const r = this.reader;
    const flag = r.readInt();
    return r.failed || flag < RESPONSE_WITH_EXCEPTION || flag > RESPONSE_NULL_VALUE_WITH_ATTACHMENTS ? -1 : flag;
  }

  /** Skips the value or exception that a result flag announces (nothing for a null value). */
  private skipResult(flag: i32): bool {
    return flag == RESPONSE_NULL_VALUE || flag == RESPONSE_NULL_VALUE_WITH_ATTACHMENTS || this.reader.skipValue();
  }

  /** Walks a request body to its attachments map, which `spans` records (a body may end before one). */
  private findRequestAttachments(mutation: Mutation): bool {
    const r = this.reader;
    const spans = this.spans;
    if (!this.skipToAttachments()) return false;
    spans.mapStart = r.offset;
    if (r.remaining > 0 && !this.walkAttachments(null, mutation)) return false;
    spans.mapEnd = r.offset;
    return true;
  }

  /**
   * Walks an OK response body to its attachments map, which `spans` records. A flag without attachments is to become
   * the same flag with them, and the new map goes right after the value (where Java's DecodeableRpcResult and the
   * Node consumers read it).
   */
  private findResponseAttachments(mutation: Mutation): bool {
    const r = this.reader;
    const spans = this.spans;
    const flag = this.readResponseFlag();
    if (flag < 0) return false;
    const hasAttachments = flag >= FIRST_FLAG_WITH_ATTACHMENTS;
    if (!hasAttachments) {
      spans.newFlag = flag + FIRST_FLAG_WITH_ATTACHMENTS;
      spans.flagEnd = r.offset;
    }
    if (!this.skipResult(flag)) return false;
    spans.mapStart = r.offset;
    if (hasAttachments && !this.walkAttachments(null, mutation)) return false;
    spans.mapEnd = r.offset;
    return true;
  }

  /**
   * Appends `frame` with the attachments map that `spans` records rewritten: the body around it byte for byte (after
   * the new response flag, if any), the replaced string entries dropped, the mutation's entries appended, the header's
   * body length patched.
   */
  private writeMutated(frame: Bytes, mutation: Mutation, out: ByteBuffer): void {
    const spans = this.spans;
    const body = frame.ptr + HEADER_SIZE;
    out.append(frame.ptr, 12);
    const lengthAt = out.length;
    out.appendU32be(0);
    const bodyAt = out.length;
    if (spans.newFlag >= 0) writeCompactInt(out, spans.newFlag);
    out.append(body + <usize>spans.flagEnd, spans.mapStart - spans.flagEnd);
    // Keep the map's own tag and type: a later type reference may count on that type's place in the type table.
    if (spans.entriesStart < 0) out.appendU8(TAG_MAP_UNTYPED);
    else out.append(body + <usize>spans.mapStart, spans.entriesStart - spans.mapStart);
    for (let i = 0; i < spans.starts.length; i++) {
      if (!spans.replaced[i]) out.append(body + <usize>spans.starts[i], spans.ends[i] - spans.starts[i]);
    }
    for (let i = 0; i < mutation.size; i++) {
      writeString(out, mutation.keys[i]);
      writeString(out, mutation.values[i]);
    }
    out.appendU8(TAG_END);
    out.append(body + <usize>spans.mapEnd, frame.length - HEADER_SIZE - spans.mapEnd);
    out.setU32be(lengthAt, <u32>(out.length - bodyAt));
  }

  /** From the start of a request body, reads up to the attachments map. */
  private skipToAttachments(): bool {
    const r = this.reader;
    for (let i = 0; i < 4; i++) r.readString(); // version, path, service version, method
    return this.skipArguments();
  }

  /** Reads the parameter-type descriptor, then skips that many arguments. */
  private skipArguments(): bool {
    const r = this.reader;
    if (!r.readString()) return false;
    const count = countArguments(r.stringPtr, r.stringLength);
    if (count < 0) return false;
    for (let i = 0; i < count; i++) if (!r.skipValue()) return false;
    return true;
  }

  /**
   * Walks the attachments map: string pairs go into `md` (unless the key is already there), and entry spans are
   * recorded, marked when `mutation` sets the same key.
   */
  private walkAttachments(md: Metadata | null, mutation: Mutation | null): bool {
    const r = this.reader;
    const tag = r.peek();
    if (tag == <i32>TAG_MAP_UNTYPED) {
      r.expect(TAG_MAP_UNTYPED, "");
    } else if (tag == <i32>TAG_MAP_TYPED) {
      r.expect(TAG_MAP_TYPED, "");
      if (!r.skipType()) return false; // the map's type: a name, or a reference to one
    } else {
      return r.expect(TAG_MAP_UNTYPED, "attachments are not a map");
    }
    if (mutation !== null) this.spans.entriesStart = r.offset;
    while (r.peek() != <i32>TAG_END) {
      const entryStart = r.offset;
      let keyPtr: usize = 0;
      let keyLength = 0;
      if (r.nextIsString()) {
        if (!r.readString()) return false;
        keyPtr = r.stringPtr;
        keyLength = r.stringLength;
        // A chunked key was joined in the reader's scratch, which the value may reuse: keep a copy.
        if (r.stringJoined) {
          const key = this.key;
          key.clear();
          key.append(keyPtr, keyLength);
          keyPtr = key.ptr;
        }
      } else if (!r.skipValue()) return false;
      const stringValue = keyLength > 0 && r.nextIsString();
      if (md !== null && stringValue) {
        if (!r.readString()) return false;
        if (md.find(keyPtr, keyLength) < 0) md.putRawKey(keyPtr, keyLength, r.stringPtr, r.stringLength);
      } else if (!r.skipValue()) return false;
      if (mutation !== null) {
        this.spans.starts.push(entryStart);
        this.spans.ends.push(r.offset);
        // Only a string value is dropped when replaced: another value may hold a class definition or a type that
        // later entries refer to. Kept, it is overridden anyway, since the new entry comes after it.
        this.spans.replaced.push(stringValue && mutation.has(keyPtr, keyLength));
      }
    }
    return r.expect(TAG_END, "attachments map not terminated");
  }
}

/** Arguments a JVM parameter descriptor announces ("Ljava/lang/String;I[J" is 3), or -1 when it is not one. */
export function countArguments(ptr: usize, length: i32): i32 {
  let count = 0;
  let i = 0;
  let arrayOf = false; // a '[' waits for its element type
  while (i < length) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c == 0x5b /* [ */) {
      arrayOf = true;
      i++;
      continue;
    }
    arrayOf = false;
    if (c == 0x4c /* L */) {
      while (i < length && load<u8>(ptr + <usize>i) != 0x3b /* ; */) i++;
      if (i == length) return -1;
    } else if (!isPrimitiveDescriptor(c)) {
      return -1;
    }
    count++;
    i++;
  }
  return arrayOf ? -1 : count;
}

function isPrimitiveDescriptor(c: u32): bool {
  // V Z B C D F I J S
  return c == 0x56 || c == 0x5a || c == 0x42 || c == 0x43 || c == 0x44 || c == 0x46 || c == 0x49 || c == 0x4a || c == 0x53;
}

/** The 16-byte header, with a body length of 0 for the caller to patch. */
function writeHeader(out: ByteBuffer, flags: u32, status: u32, requestId: u64): void {
  out.appendU16be(MAGIC);
  out.appendU8(flags);
  out.appendU8(status);
  out.appendU32be(<u32>(requestId >> 32));
  out.appendU32be(<u32>requestId);
  out.appendU32be(0);
}

/**
 * The status byte of an error reply (org.apache.dubbo.remoting.exchange.Response). A request the proxy could not place
 * is a SERVER_ERROR, as when a provider cannot dispatch one (HeaderExchangeHandler.caught); SERVICE_ERROR is what a
 * provider answers when the invoked service fails (HeaderExchangeHandler.handleRequest), the nearest to a refusal.
 */
function errorStatus(error: ErrorType): u32 {
  switch (error) {
    case ErrorType.RouteNotFound:
    case ErrorType.ClusterNotFound:
      return 60; // SERVICE_NOT_FOUND
    case ErrorType.BadResponse:
      return 50; // BAD_RESPONSE
    case ErrorType.Timeout:
      return 31; // SERVER_TIMEOUT
    case ErrorType.OverLimit:
      return 100; // SERVER_THREADPOOL_EXHAUSTED_ERROR
    case ErrorType.PermissionDenied:
      return 70; // SERVICE_ERROR
    default:
      return 80; // SERVER_ERROR: NoHealthyUpstream, Unspecified
  }
}

/**
 * Bridge mode's HTTP status for a response status byte. OK is 200 even when the body is a business exception: the
 * consumer must see it, and a retry would call the service again. The rest follow what the status says happened.
 */
function statusToHttp(status: u32): i32 {
  switch (status) {
    case STATUS_OK:
      return 200;
    case 30: // CLIENT_TIMEOUT
    case 31: // SERVER_TIMEOUT
      return 504;
    case 40: // BAD_REQUEST
    case 90: // CLIENT_ERROR
      return 400;
    case 50: // BAD_RESPONSE
      return 502;
    case 60: // SERVICE_NOT_FOUND
      return 404;
    case 100: // SERVER_THREADPOOL_EXHAUSTED_ERROR
      return 503;
    default:
      return 500; // SERVICE_ERROR 70, SERVER_ERROR 80, and statuses this table does not know
  }
}

// The Thrift codec. The transport (framed, unframed, THeader) and the protocol (binary, compact) are detected from
// the first bytes of a connection and held for it, so each connection has its own codec. Framed and THeader frames
// say their size; an unframed message is found by walking its struct in place.
//
// Metadata: `method`, and `service` when the name is `service:method` (multiplexed protocol); with THeader, every
// info header. Request id: the sequence id. A reply whose first field is not field 0 (a declared exception) and an
// EXCEPTION message are errors.
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader, PAST_THE_END } from "../../assembly/lib/byte_reader";
import { Codec, Direction, ErrorType, MALFORMED, MessageType, NEED_MORE_DATA, ResponseStatus } from "../../assembly/core/codec";
import { JsonKind, JsonValue } from "../../assembly/lib/json";
import { FieldErrors } from "../../assembly/lib/json_fields";
import { CodecFactory, CodecSettings, Protocol } from "../../assembly/core/protocol";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { BinaryProtocol } from "./binary_protocol";
import { CompactProtocol } from "./compact_protocol";
import { ApplicationExceptionType, MessageBegin, MessageKind, TProtocol } from "./protocol";
import { beginHeaderFrame, endFrame, HEADER_MAGIC, HEADER_SEQID_OFFSET, HeaderFrame, readHeaderFrame, writeMutatedHeaderFrame } from "./theader";

export enum Transport {
  Unknown = 0,
  Framed = 1,
  Unframed = 2,
  Header = 3,
}

const BINARY = new BinaryProtocol();
const COMPACT = new CompactProtocol();
const COMPACT_ID: u32 = 0x82;
const BINARY_FIRST: u32 = 0x80;
const BINARY_SECOND: u32 = 0x01;
const COLON: u8 = 0x3a;
/** The method a rejected call's carrier calls: no server has it. */
const CARRIER_METHOD = "__meta_protocol_rejected__";
// The keys of a message's name, and their UTF-8 made once.
const SERVICE = "service";
const METHOD = "method";
const SERVICE_KEY = String.UTF8.encode(SERVICE);
const METHOD_KEY = String.UTF8.encode(METHOD);

/** What a plugin's `codec` options force on every connection (Unknown / null: detect it). */
@final
class ThriftOptions {
  transport: Transport = Transport.Unknown;
  protocol: TProtocol | null = null;
}

/** The protocol: its name and keys, and per plugin a factory of per-connection codecs with the plugin's options. */
export class ThriftProtocol extends Protocol {
  name(): string {
    return "thrift";
  }

  serviceKey(): string {
    return SERVICE;
  }

  methodKey(): string {
    return METHOD;
  }

  /** Options: `transport` (auto, framed, unframed, header) and `protocol` (auto, binary, compact). */
  configure(options: JsonValue, settings: CodecSettings, errors: FieldErrors): CodecFactory | null {
    const forced = new ThriftOptions();
    for (let i = 0; i < options.keys.length; i++) {
      const key = options.keys[i];
      const value = options.items[i];
      const text = value.kind == JsonKind.String ? value.string : "";
      if (key == "transport") {
        if (text == "framed") forced.transport = Transport.Framed;
        else if (text == "unframed") forced.transport = Transport.Unframed;
        else if (text == "header") forced.transport = Transport.Header;
        else if (text != "auto") return refuse("'transport' must be auto, framed, unframed or header", errors);
      } else if (key == "protocol") {
        if (text == "binary") forced.protocol = BINARY;
        else if (text == "compact") forced.protocol = COMPACT;
        else if (text != "auto") return refuse("'protocol' must be auto, binary or compact", errors);
      } else {
        return refuse("unknown option '" + key + "' (known: transport, protocol)", errors);
      }
    }
    return new ThriftCodecFactory(forced, settings.readsAllKeyValues);
  }
}

function refuse(message: string, errors: FieldErrors): CodecFactory | null {
  errors.fail("field 'codec': " + message);
  return null;
}

/** Each connection holds the transport and protocol detected from its first bytes: one codec per connection. */
@final
class ThriftCodecFactory extends CodecFactory {
  constructor(private readonly forced: ThriftOptions, private readonly readsAllKeyValues: bool) {
    super();
  }

  create(): Codec {
    return new ThriftCodec(this.readsAllKeyValues, this.forced);
  }
}

export class ThriftCodec extends Codec {
  transport: Transport = Transport.Unknown;
  private protocolOf: TProtocol = BINARY;
  private reader: ByteReader = new ByteReader();
  private begin: MessageBegin = new MessageBegin();
  private header: HeaderFrame = new HeaderFrame();

  /** `readsAllKeyValues`: false when the plugin reads nothing but the service and the method (THeader info headers are then skipped). */
  constructor(private readonly readsAllKeyValues: bool = true, private readonly forced: ThriftOptions = new ThriftOptions()) {
    super();
  }

  frameSize(bytes: Bytes): i32 {
    if (this.transport == Transport.Unknown && !this.detect(bytes)) {
      return bytes.length >= 8 ? MALFORMED : NEED_MORE_DATA;
    }
    if (this.transport == Transport.Unframed) return this.unframedSize(bytes);
    if (bytes.length < 4) return NEED_MORE_DATA;
    const size = bytes.u32be(0);
    if (size == 0 || size > <u32>(i32.MAX_VALUE - 4)) return MALFORMED;
    return 4 + <i32>size;
  }

  decode(frame: Bytes, direction: Direction, md: Metadata): string | null {
    // The info headers become key/values only when the configuration reads any.
    const protocol = this.openMessage(frame, this.readsAllKeyValues ? md : null);
    const r = this.reader;
    if (protocol === null) {
      if (r.failed) return r.error;
      // A compressed payload cannot be read in place: route on the info headers alone.
      md.requestId = this.header.seqid;
      md.messageType = direction == Direction.Request ? MessageType.Request : MessageType.Response;
      md.bodyDecoded = false;
      return null;
    }
    const begin = this.begin;
    if (!protocol.readMessageBegin(r, begin)) return r.error;
    md.requestId = begin.seqid;
    this.putName(begin, md);
    switch (begin.kind) {
      case MessageKind.Call:
      case MessageKind.Oneway:
        if (direction != Direction.Request) return "a call from the server side";
        md.messageType = begin.kind == MessageKind.Call ? MessageType.Request : MessageType.Oneway;
        return null;
      case MessageKind.Reply:
        if (direction != Direction.Response) return "a reply from the client side";
        md.messageType = MessageType.Response;
        md.responseStatus = protocol.firstFieldId(r) <= 0 ? ResponseStatus.Ok : ResponseStatus.Error;
        return r.error;
      case MessageKind.Exception:
        if (direction != Direction.Response) return "an exception from the client side";
        md.messageType = MessageType.Response;
        md.responseStatus = ResponseStatus.Error;
        return null;
      default:
        return "unknown message type";
    }
  }

  mutate(frame: Bytes, md: Metadata, mutation: Mutation, out: ByteBuffer): bool {
    // Only THeader has a place for key/values. The header layout is read again: the frame may have been decoded
    // long before (a request paused for a rate limit check), with other frames decoded since.
    if (this.transport != Transport.Header) return false;
    const header = this.header;
    if (!readHeaderFrame(this.reader.reset(frame.ptr, frame.length), header, null) || header.transformed) return false;
    writeMutatedHeaderFrame(frame.ptr, frame.length, header, mutation, out);
    return true;
  }

  encodeError(request: Metadata, error: ErrorType, message: string, out: ByteBuffer): void {
    const seqid = <u32>request.requestId;
    const start = this.beginFrame(out, seqid);
    this.messageProtocol().writeMessageBegin(out, request.get("method"), MessageKind.Exception, seqid);
    this.messageProtocol().writeApplicationException(out, message, exceptionTypeOf(error));
    this.endFrame(out, start);
  }

  /**
   * The seqid is an i32 after the method name: rewritten in place in binary, re-encoded in compact (a varint, whose
   * length may change), and with THeader both in the frame's header and in its message. The frame length is set
   * anew. A compressed THeader payload cannot be rewritten.
   */
  withRequestId(frame: Bytes, md: Metadata, id: u64, out: ByteBuffer): bool {
    if (id > <u64>u32.MAX_VALUE || this.frameSize(frame) != frame.length) return false;
    const protocol = this.openMessage(frame, null);
    const begin = this.begin;
    if (protocol === null || !protocol.readMessageBegin(this.reader, begin)) return false;
    const seqid = <u32>id;
    const start = out.length;
    out.append(frame.ptr, <i32>(begin.seqidStart - frame.ptr));
    protocol.writeSeqid(out, seqid);
    out.append(begin.seqidEnd, frame.length - <i32>(begin.seqidEnd - frame.ptr));
    if (this.transport == Transport.Header) out.setU32be(start + HEADER_SEQID_OFFSET, seqid);
    this.endFrame(out, start);
    return true;
  }

  /**
   * A REPLY is 200, a declared exception included (the client must see it, a retry would call the method again).
   * An EXCEPTION is a TApplicationException: its type says whether the request was at fault (4xx, a retry would get
   * the same answer) or the server (500). A compressed THeader payload cannot be read: it goes to the client as a 200.
   */
  httpStatus(frame: Bytes, md: Metadata): i32 {
    const protocol = this.openMessage(frame, null);
    const r = this.reader;
    if (protocol === null) return r.failed ? 502 : 200;
    const begin = this.begin;
    if (!protocol.readMessageBegin(r, begin)) return 502;
    if (begin.kind != MessageKind.Exception) return 200;
    return exceptionToHttp(protocol.readApplicationExceptionType(r));
  }

  /** A call of a method no server has, with the same seqid (and service): servers answer UNKNOWN_METHOD. */
  encodeCarrier(request: Metadata, out: ByteBuffer): bool {
    // Before the connection's first frame told its transport, any carrier could be misread by the server.
    if (this.transport == Transport.Unknown) return false;
    const seqid = <u32>request.requestId;
    const service = request.get("service");
    const name = service.length > 0 ? service + ":" + CARRIER_METHOD : CARRIER_METHOD;
    const start = this.beginFrame(out, seqid);
    this.messageProtocol().writeMessageBegin(out, name, MessageKind.Call, seqid);
    out.appendU8(0); // an empty argument struct: STOP (the same byte in both protocols)
    this.endFrame(out, start);
    return true;
  }

  /**
   * Points `this.reader` at the message in `frame` and returns the protocol it is written in; with THeader, puts the
   * info headers into `headers` when given. Returns null when the frame is malformed (the reader has failed) or its
   * payload is compressed (it has not).
   */
  private openMessage(frame: Bytes, headers: Metadata | null): TProtocol | null {
    const r = this.reader.reset(frame.ptr, frame.length);
    if (this.transport == Transport.Header) {
      const header = this.header;
      if (!readHeaderFrame(r, header, headers) || header.transformed) return null;
      r.reset(frame.ptr + <usize>header.payloadStart, frame.length - header.payloadStart);
      return header.protocolId == COMPACT.headerId() ? COMPACT : BINARY;
    }
    if (this.transport == Transport.Framed) r.reset(frame.ptr + 4, frame.length - 4);
    return this.protocolOf;
  }

  /** The protocol messages of this connection are written in (THeader frames name theirs). */
  private messageProtocol(): TProtocol {
    if (this.transport != Transport.Header) return this.protocolOf;
    return this.header.protocolId == COMPACT.headerId() ? COMPACT : BINARY;
  }

  /** Starts a frame in this connection's transport; returns where, for `endFrame`. */
  private beginFrame(out: ByteBuffer, seqid: u32): i32 {
    const start = out.length;
    if (this.transport == Transport.Header) return beginHeaderFrame(out, seqid, this.messageProtocol().headerId());
    if (this.transport == Transport.Framed) out.appendU32be(0);
    return start;
  }

  private endFrame(out: ByteBuffer, start: i32): void {
    if (this.transport != Transport.Unframed) endFrame(out, start);
  }

  /** Picks transport and protocol from a connection's first bytes (or the options); false while they cannot tell. */
  private detect(bytes: Bytes): bool {
    const forced = this.forced;
    const forcedTransport = forced.transport;
    if (forcedTransport != Transport.Unknown) {
      const forcedProtocol = forced.protocol;
      const at = forcedTransport == Transport.Framed ? 4 : 0;
      if (forcedProtocol === null && forcedTransport != Transport.Header && bytes.length <= at) return false;
      const detected = forcedTransport != Transport.Header && bytes.u8(at) == COMPACT_ID ? COMPACT : BINARY;
      return this.hold(forcedTransport, forcedProtocol !== null ? forcedProtocol : detected);
    }
    if (bytes.length < 2) return false;
    if (bytes.u8(0) == BINARY_FIRST && bytes.u8(1) == BINARY_SECOND) return this.hold(Transport.Unframed, BINARY);
    if (bytes.u8(0) == COMPACT_ID) return this.hold(Transport.Unframed, COMPACT);
    if (bytes.length < 8) return false;
    if (bytes.u16be(4) == HEADER_MAGIC) return this.hold(Transport.Header, BINARY);
    if (bytes.u8(4) == BINARY_FIRST && bytes.u8(5) == BINARY_SECOND) return this.hold(Transport.Framed, BINARY);
    if (bytes.u8(4) == COMPACT_ID) return this.hold(Transport.Framed, COMPACT);
    return false;
  }

  private hold(transport: Transport, protocol: TProtocol): bool {
    this.transport = transport;
    this.protocolOf = protocol;
    return true;
  }

  /** Size of an unframed message: its header and struct walked in place. */
  private unframedSize(bytes: Bytes): i32 {
    const r = this.reader.reset(bytes.ptr, bytes.length);
    if (this.protocolOf.readMessageBegin(r, this.begin) && this.protocolOf.skipStruct(r, 0)) return r.offset;
    // Running out of bytes only means the message is not all here yet.
    return r.error == PAST_THE_END ? NEED_MORE_DATA : MALFORMED;
  }

  private putName(begin: MessageBegin, md: Metadata): void {
    const name = begin.namePtr;
    for (let i = 0; i < begin.nameLength; i++) {
      if (load<u8>(name + <usize>i) == COLON) {
        md.putBytes(SERVICE_KEY, name, i);
        md.putBytes(METHOD_KEY, name + <usize>(i + 1), begin.nameLength - i - 1);
        return;
      }
    }
    md.putBytes(METHOD_KEY, name, begin.nameLength);
  }
}

/**
 * The TApplicationException type of an error reply. Apache Thrift has no type for a timeout, a refusal or a load
 * shed (LOADSHEDDING and TIMEOUT exist in fbthrift only): INTERNAL_ERROR, as Envoy's thrift_proxy router answers for
 * an unknown cluster, no healthy upstream and a connection failure. An answer that could not be read is a
 * PROTOCOL_ERROR, what a processor answers to a message it cannot read.
 */
function exceptionTypeOf(error: ErrorType): i32 {
  return error == ErrorType.BadResponse ? ApplicationExceptionType.ProtocolError : ApplicationExceptionType.InternalError;
}

/** Bridge mode's HTTP status for a TApplicationException type. */
function exceptionToHttp(type: i32): i32 {
  switch (type) {
    case ApplicationExceptionType.UnknownMethod:
      return 404;
    case ApplicationExceptionType.InvalidMessageType:
    case ApplicationExceptionType.WrongMethodName:
    case ApplicationExceptionType.ProtocolError:
    case ApplicationExceptionType.InvalidTransform:
    case ApplicationExceptionType.InvalidProtocol:
    case ApplicationExceptionType.UnsupportedClientType:
      return 400;
    default:
      return 500; // UNKNOWN (an undeclared exception in the handler), INTERNAL_ERROR, and types this table does not know
  }
}

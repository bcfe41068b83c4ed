// The bridge's server side: the filter sits before tcp_proxy on a listener in front of the real RPC server, and is
// the HTTP/2 server Envoy's router connects to. Each request stream becomes the frame in its body with the stream
// id as request id (streams from many client connections share this one, so their own ids could collide) and the
// headers Envoy added set on it; each server answer becomes the stream's response, with a status that lets Envoy's
// retries and outlier detection see server errors (the codec's `httpStatus`). A stream Envoy reset (a timeout, a
// retry it gave up) makes the server's late answer go nowhere.
//
// HTTP/2 frames owed to Envoy (the settings that open the windows, acknowledgements, the answer to a one-way call)
// can only ride on bytes from the server. When some wait, the server side sends the server a carrier (the codec's
// request every server answers cheaply: a heartbeat, a call of a method no server has), with an even request id no
// stream has, and the carrier's answer is dropped where the waiting frames go out. A heartbeat from the server
// travels to Envoy as a PING, whose acknowledgement becomes the heartbeat's answer.
import { ByteBuffer, Bytes } from "../../lib/bytes";
import { HeaderList } from "../../lib/hpack/header_list";
import { Role } from "../../lib/http2/connection";
import { ErrorCode } from "../../lib/http2/error_code";
import { Http2Handler } from "../../lib/http2/handler";
import { Codec, Direction, MessageType, ResponseStatus } from "../codec";
import { Metadata } from "../metadata";
import {
  MUTATION_UNSUPPORTED, REQUEST, REQUEST_DECODING_ERROR, REQUEST_ONEWAY, REQUEST_TIME_MS,
  REQUEST_TWOWAY, RESPONSE, RESPONSE_ERROR, RESPONSE_SUCCESS, RESPONSE_UNMATCHED,
} from "../metrics";
import { Plugin } from "../plugin";
import { BridgeCall } from "./bridge_call";
import { BridgeConnection, readFrame } from "./bridge_connection";
import { BridgeHeaderNames, collectMutation, writeResponseHeaders } from "./bridge_headers";
import { BRIDGE_CARRIER, BRIDGE_HEARTBEAT, BRIDGE_LATE_RESPONSE, BRIDGE_STREAM_RESET } from "./metrics";

const NS_PER_MS: u64 = 1_000_000;
/** Stream ids are odd and below 2^31: carriers take even ids in that range, which fit every protocol's id. */
const LAST_CARRIER_ID: u64 = 0x7ffffffe;
const ONEWAY_STATUS: i32 = 200;

// Scratch of the VM's server sides (one callback at a time).
const headers = new HeaderList();
const scratch = new ByteBuffer();
const rewritten = new ByteBuffer();
const answer = new Metadata();
const mutatedRequest = new Metadata();
const frameView = new Bytes();

@final
export class BridgeServerSide extends BridgeConnection {
  /** Made when the HTTP/2 connection is (it points back here). */
  private handler: ServerEvents | null = null;
  /** The carrier in flight (0: none): at most one at a time, since each flushes everything that waits. */
  private carrierId: u64 = 0;
  private lastCarrierId: u64 = 0;
  /** What a carrier is made from: the first call's message (a multiplexed Thrift server needs its service name). */
  private readonly carrierTemplate: Metadata = new Metadata();
  private hasCarrierTemplate: bool = false;
  /**
   * A refused stream's RST_STREAM waits to go: Envoy would otherwise wait for its route timeout. Then a carrier goes
   * even without a template (a blank message: right for every server but a multiplexed Thrift one, which answers it
   * with an error all the same).
   */
  private refusalWaits: bool = false;

  constructor(id: u64, plugin: Plugin, names: BridgeHeaderNames) {
    super(id, plugin, names, Direction.Response);
  }

  protected get role(): Role {
    return Role.Server;
  }

  protected get events(): Http2Handler {
    let handler = this.handler;
    if (handler === null) this.handler = handler = new ServerEvents(this);
    return handler;
  }

  onRequestHeaders(streamId: u32, list: HeaderList, endStream: bool): void {
    const calls = this.calls;
    if (endStream || calls.full) {
      // A request without a body carries no call; past max_pending_requests Envoy may retry elsewhere.
      this.http2!.submitReset(streamId, endStream ? ErrorCode.PROTOCOL_ERROR : ErrorCode.REFUSED_STREAM);
      this.refusalWaits = true;
      return;
    }
    const call = calls.acquire(this.nowNs);
    call.headers.copyFrom(list);
    calls.track(call, streamId);
  }

  onRequestData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    const call = this.calls.find(streamId);
    if (call === null) return;
    if (call.body.add(ptr, length, endStream, this.plugin.settings.maxFrameSize, this.plugin.heldBytes)) {
      this.forward(call, call.body.ptr, call.body.length);
    } else if (call.body.tooLarge) {
      this.refuse(call, ErrorCode.REFUSED_STREAM);
    }
  }

  onRequestEnd(streamId: u32): void {
    const call = this.calls.find(streamId);
    if (call !== null) this.forward(call, call.body.ptr, call.body.length);
  }

  onStreamReset(streamId: u32): void {
    const call = this.calls.find(streamId);
    if (call === null) return;
    this.plugin.stats.inc(BRIDGE_STREAM_RESET);
    this.finish(call);
  }

  /** A PING's acknowledgement: the answer to the server's heartbeat with that id. */
  onPingAck(opaque: u64): void {
    this.codec!.encodeHeartbeat(opaque, true, this.protocolOutput);
  }

  /** The body of `call` is whole: the frame goes to the server with the stream id as its request id. */
  private forward(call: BridgeCall, body: usize, length: i32): void {
    const stats = this.plugin.stats;
    const codec = this.codec!;
    const md = call.request;
    const frame = frameView.set(body, length);
    // frameSize first: a codec may learn the connection's framing from it (Thrift's transport), and the body must be
    // exactly one frame.
    if (codec.frameSize(frame) != length || !readFrame(codec, frame, Direction.Request, md) || md.messageType == MessageType.Heartbeat) {
      stats.inc(REQUEST_DECODING_ERROR);
      this.refuse(call, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    call.method = stats.methodOf(md);
    stats.inc(REQUEST, call.method);
    call.oneway = md.messageType == MessageType.Oneway;
    stats.inc(call.oneway ? REQUEST_ONEWAY : REQUEST_TWOWAY);
    if (!this.hasCarrierTemplate) {
      this.carrierTemplate.copyFrom(md);
      this.hasCarrierTemplate = true;
    }
    collectMutation(call.headers, md, this.names, call.mutation);
    const out = this.protocolOutput;
    const before = out.length;
    const mutate = call.mutation.size > 0;
    if (!codec.withRequestId(frame, md, call.streamId, mutate ? cleared(rewritten) : out)) {
      out.length = before;
      stats.inc(REQUEST_DECODING_ERROR);
      this.refuse(call, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    if (mutate) this.writeMutated(codec, call, out);
    if (call.oneway) {
      // No answer will come: the stream ends now (its response goes out with the next carrier or answer).
      writeResponseHeaders(headers, ONEWAY_STATUS, this.names, scratch);
      this.http2!.submitResponse(call.streamId, headers, true);
      this.finish(call);
      return;
    }
    call.body.clear(this.plugin.heldBytes);
    this.calls.activate(call);
  }

  /** Appends the frame in `rewritten` with `call`'s mutation set (untouched when the protocol has no room). */
  private writeMutated(codec: Codec, call: BridgeCall, out: ByteBuffer): void {
    const md = mutatedRequest;
    const frame = frameView.set(rewritten.ptr, rewritten.length);
    if (readFrame(codec, frame, Direction.Request, md) && codec.mutate(frame, md, call.mutation, out)) return;
    this.plugin.stats.inc(MUTATION_UNSUPPORTED);
    out.append(rewritten.ptr, rewritten.length);
  }

  /** A frame from the server: an answer, a carrier's answer, or the server's heartbeat. */
  protected onProtocolFrame(frame: Bytes): bool {
    const stats = this.plugin.stats;
    const md = answer;
    md.reset();
    if (!this.decode(frame, Direction.Response, md)) return false;
    if (this.carrierId != 0 && md.requestId == this.carrierId) {
      this.carrierId = 0;
      return true;
    }
    const http2 = this.http2!;
    if (md.messageType == MessageType.Heartbeat) {
      stats.inc(BRIDGE_HEARTBEAT);
      http2.submitPing(md.requestId);
      return true;
    }
    const call = md.requestId <= <u64>u32.MAX_VALUE ? this.calls.find(<u32>md.requestId) : null;
    if (call === null) {
      stats.inc(md.requestId & 1 ? BRIDGE_LATE_RESPONSE : RESPONSE_UNMATCHED);
      return true;
    }
    writeResponseHeaders(headers, this.codec!.httpStatus(frame, md), this.names, scratch);
    if (!http2.submitResponse(call.streamId, headers, false) || !http2.submitData(call.streamId, frame.ptr, frame.length, true)) {
      stats.inc(BRIDGE_LATE_RESPONSE);
    } else {
      stats.inc(RESPONSE);
      stats.inc(md.responseStatus == ResponseStatus.Ok ? RESPONSE_SUCCESS : RESPONSE_ERROR, call.method);
    }
    stats.record(REQUEST_TIME_MS, (this.nowNs - call.startNs) / NS_PER_MS, call.method);
    this.finish(call);
    return true;
  }

  /** HTTP/2 frames wait for bytes from the server: a carrier makes the server send some. */
  protected afterHttp2Event(): void {
    if (this.carrierId != 0 || !this.http2OutputWaits || !(this.hasCarrierTemplate || this.refusalWaits)) return;
    const id = this.lastCarrierId >= LAST_CARRIER_ID ? 2 : this.lastCarrierId + 2;
    const template = this.carrierTemplate;
    template.requestId = id;
    if (!this.codec!.encodeCarrier(template, this.protocolOutput)) {
      // A refused stream whose reset cannot go: closing is the bounded answer (Envoy then resets the streams).
      if (this.refusalWaits && !this.hasCarrierTemplate) this.closeWith("its first call is not the protocol, and no carrier can carry the stream's reset");
      return;
    }
    this.lastCarrierId = id;
    this.carrierId = id;
    this.refusalWaits = false;
    this.plugin.stats.inc(BRIDGE_CARRIER);
  }

  private refuse(call: BridgeCall, code: ErrorCode): void {
    this.http2!.submitReset(call.streamId, code);
    this.refusalWaits = true;
    this.finish(call);
  }

  private finish(call: BridgeCall): void {
    this.calls.close(call);
  }
}

function cleared(buffer: ByteBuffer): ByteBuffer {
  buffer.clear();
  return buffer;
}

/** The HTTP/2 connection's events, for the server side. */
@final
class ServerEvents extends Http2Handler {
  constructor(private readonly side: BridgeServerSide) {
    super();
  }

  onHeaders(streamId: u32, list: HeaderList, endStream: bool): void {
    this.side.onRequestHeaders(streamId, list, endStream);
  }

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    this.side.onRequestData(streamId, ptr, length, endStream);
  }

  onTrailers(streamId: u32, trailers: HeaderList): void {
    this.side.onRequestEnd(streamId);
  }

  onReset(streamId: u32, errorCode: u32, byPeer: bool): void {
    this.side.onStreamReset(streamId);
  }

  onPing(opaque: u64, ack: bool): void {
    if (ack) this.side.onPingAck(opaque);
  }
}

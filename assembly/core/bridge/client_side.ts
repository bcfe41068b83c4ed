// The bridge's client side: the filter sits before Envoy's HTTP connection manager on the listener the RPC clients
// connect to, and is the HTTP/2 client the connection manager serves. Each request frame becomes one stream
// (bridge_headers.ts says how); what the connection manager writes back becomes protocol frames again: the server
// side's answer with the client's request id restored and the headers Envoy added set on it, or, for a reply Envoy
// made itself (no route, rate limited, timeout, no healthy upstream, denied) or a stream it reset, the codec's
// error reply. A heartbeat travels as a PING, whose acknowledgement becomes the heartbeat's answer.
//
// HTTP/2 frames the client side owes the connection manager (acknowledgements, window updates) can only ride on
// the next bytes from the client: the windows it advertises are as large as HTTP/2 allows, so that no response
// waits for a window update, and the connection manager sends no PING unless `connection_keepalive` is set.
import { ByteBuffer, Bytes } from "../../lib/bytes";
import { HeaderList } from "../../lib/hpack/header_list";
import { Role } from "../../lib/http2/connection";
import { ErrorCode } from "../../lib/http2/error_code";
import { Http2Handler } from "../../lib/http2/handler";
import { Direction, ErrorType, MessageType, ResponseStatus } from "../codec";
import { Metadata } from "../metadata";
import {
  LOCAL_RESPONSE_ERROR, MUTATION_UNSUPPORTED, RATE_LIMITED, REQUEST, REQUEST_EVENT, REQUEST_ONEWAY,
  REQUEST_TIME_MS, REQUEST_TWOWAY, RESPONSE, RESPONSE_ERROR, RESPONSE_SUCCESS,
} from "../metrics";
import { Plugin } from "../plugin";
import { BridgeCall } from "./bridge_call";
import { BridgeConnection, readFrame } from "./bridge_connection";
import { BridgeHeaderNames, collectMutation, isBridgeResponse, statusOf, writeRequestHeaders } from "./bridge_headers";
import { errorMessage, errorTypeOf, resetMessage } from "./local_reply";
import { BRIDGE_HEADER_SKIPPED, BRIDGE_HEARTBEAT, BRIDGE_LOCAL_REPLY, BRIDGE_STREAM_RESET } from "./metrics";

const NS_PER_MS: u64 = 1_000_000;
/** Memory kept for held replies once they went out. */
const HELD_REPLIES_KEPT: i32 = 1024;

// Scratch of the VM's client sides (one callback at a time).
const headers = new HeaderList();
const scratch = new ByteBuffer();
const rewritten = new ByteBuffer();
const response = new Metadata();
const mutatedResponse = new Metadata();
const frameView = new Bytes();
const rewrittenView = new Bytes();

@final
export class BridgeClientSide extends BridgeConnection {
  /** Made when the HTTP/2 connection is (it points back here). */
  private handler: ClientEvents | null = null;
  /** Streams above this were not processed: Envoy's GOAWAY said so. */
  private goAwayLastStreamId: u32 = u32.MAX_VALUE;
  /** Error replies to calls that could not be sent, waiting for bytes from Envoy to ride on. */
  private readonly heldReplies: ByteBuffer = new ByteBuffer();
  private heldReplyCount: i32 = 0;

  constructor(id: u64, plugin: Plugin, names: BridgeHeaderNames) {
    super(id, plugin, names, Direction.Request);
  }

  protected get role(): Role {
    return Role.Client;
  }

  protected get events(): Http2Handler {
    let handler = this.handler;
    if (handler === null) this.handler = handler = new ClientEvents(this);
    return handler;
  }

  /** A frame from the client: a request on a new stream, or a heartbeat as a PING. */
  protected onProtocolFrame(frame: Bytes): bool {
    const stats = this.plugin.stats;
    const calls = this.calls;
    const http2 = this.http2!;
    const call = calls.acquire(this.nowNs);
    const md = call.request;
    if (!this.decode(frame, Direction.Request, md)) {
      calls.close(call);
      return false;
    }
    if (md.messageType == MessageType.Heartbeat) {
      calls.close(call);
      stats.inc(REQUEST_EVENT);
      stats.inc(BRIDGE_HEARTBEAT);
      http2.submitPing(md.requestId);
      return true;
    }
    call.method = stats.methodOf(md);
    stats.inc(REQUEST, call.method);
    call.oneway = md.messageType == MessageType.Oneway;
    stats.inc(call.oneway ? REQUEST_ONEWAY : REQUEST_TWOWAY);
    const skipped = writeRequestHeaders(headers, md, this.names, scratch);
    if (skipped > 0) stats.add(BRIDGE_HEADER_SKIPPED, skipped);
    const streamId = calls.full ? 0 : http2.submitRequest(headers, false);
    if (streamId == 0) return this.refuse(call, http2.closing ? ErrorType.NoHealthyUpstream : ErrorType.OverLimit, http2.closing ? "envoy is closing this connection: call again on a new one" : "too many calls in flight on this connection");
    if (!http2.submitData(streamId, frame.ptr, frame.length, true)) {
      http2.submitReset(streamId, ErrorCode.CANCEL);
      return this.refuse(call, ErrorType.OverLimit, "too many request bytes wait for Envoy's flow-control windows");
    }
    calls.track(call, streamId);
    if (!call.oneway) calls.activate(call);
    return true;
  }

  /**
   * Answers a call that cannot be sent with `error`'s reply. It can only go to the client on the next bytes from
   * Envoy, which the calls in flight (or Envoy's close) will bring; replies held past max_pending_requests close the
   * connection instead.
   */
  private refuse(call: BridgeCall, error: ErrorType, message: string): bool {
    if (!call.oneway) {
      if (this.heldReplyCount >= this.plugin.settings.maxPendingRequests) {
        this.calls.close(call);
        this.closeReason = "more than max_pending_requests calls wait for a reply they cannot be sent";
        return false;
      }
      this.writeError(call, error, message, this.heldReplies);
      this.heldReplyCount++;
    }
    this.calls.close(call);
    return true;
  }

  /** The replies to calls that could not be sent go out with Envoy's bytes. */
  protected afterHttp2Event(): void {
    const held = this.heldReplies;
    if (held.length == 0) return;
    this.protocolOutput.append(held.ptr, held.length);
    held.clear();
    held.release(HELD_REPLIES_KEPT);
    this.heldReplyCount = 0;
  }

  onResponseHeaders(streamId: u32, list: HeaderList, endStream: bool): void {
    const call = this.calls.find(streamId);
    if (call === null) return;
    const status = statusOf(list);
    if (status >= 100 && status < 200) return; // informational: the response follows
    call.status = status;
    call.fromServer = isBridgeResponse(list);
    if (call.fromServer) {
      response.reset();
      collectMutation(list, response, this.names, call.mutation);
    }
    if (endStream) this.complete(call, 0, 0);
  }

  onResponseData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    const call = this.calls.find(streamId);
    if (call === null) return;
    if (call.body.add(ptr, length, endStream, this.plugin.settings.maxFrameSize, this.plugin.heldBytes)) {
      this.complete(call, call.body.ptr, call.body.length);
    } else if (call.body.tooLarge) {
      this.http2!.submitReset(streamId, ErrorCode.CANCEL);
      this.answerWithError(call, ErrorType.BadResponse, "the response is larger than max_frame_size");
    }
  }

  onResponseEnd(streamId: u32): void {
    const call = this.calls.find(streamId);
    if (call !== null) this.complete(call, call.body.ptr, call.body.length);
  }

  onStreamReset(streamId: u32, errorCode: u32): void {
    const call = this.calls.find(streamId);
    if (call === null) return;
    this.plugin.stats.inc(BRIDGE_STREAM_RESET);
    const notProcessed = streamId > this.goAwayLastStreamId;
    this.answerWithError(call, notProcessed ? ErrorType.NoHealthyUpstream : ErrorType.Unspecified, notProcessed ? "envoy is closing the connection and did not process the call" : resetMessage(errorCode));
  }

  onGoAway(lastStreamId: u32): void {
    this.goAwayLastStreamId = lastStreamId;
  }

  /** A PING's acknowledgement: the answer to the client's heartbeat with that id. */
  onPingAck(opaque: u64): void {
    this.codec!.encodeHeartbeat(opaque, true, this.protocolOutput);
  }

  /** The whole response of `call` came: `body` is the server's frame, or Envoy's reply text. */
  private complete(call: BridgeCall, body: usize, length: i32): void {
    const stats = this.plugin.stats;
    if (call.oneway) {
      this.calls.close(call);
      return;
    }
    if (!call.fromServer) {
      const error = errorTypeOf(call.status);
      stats.inc(BRIDGE_LOCAL_REPLY, call.method);
      this.answerWithError(call, error, errorMessage(call.status, body, length, scratch));
      return;
    }
    const codec = this.codec!;
    let frame = frameView.set(body, length);
    let md = response;
    if (!readFrame(codec, frame, Direction.Response, md)) {
      this.answerWithError(call, ErrorType.BadResponse, "the server's response is not the protocol");
      return;
    }
    if (call.mutation.size > 0) {
      rewritten.clear();
      // The rewritten frame is read again to know where its parts are now (in a view of its own: `frame` stays the
      // server's, should that fail).
      if (codec.mutate(frame, md, call.mutation, rewritten) && readFrame(codec, rewrittenView.set(rewritten.ptr, rewritten.length), Direction.Response, mutatedResponse)) {
        frame = rewrittenView;
        md = mutatedResponse;
      } else {
        stats.inc(MUTATION_UNSUPPORTED);
      }
    }
    const out = this.protocolOutput;
    const before = out.length;
    if (!codec.withRequestId(frame, md, call.request.requestId, out)) {
      out.length = before;
      this.answerWithError(call, ErrorType.BadResponse, "the server's response id cannot be set");
      return;
    }
    stats.inc(RESPONSE);
    stats.inc(md.responseStatus == ResponseStatus.Ok ? RESPONSE_SUCCESS : RESPONSE_ERROR, call.method);
    this.finish(call);
  }

  private answerWithError(call: BridgeCall, error: ErrorType, message: string): void {
    if (!call.oneway) this.writeError(call, error, message, this.protocolOutput);
    this.finish(call);
  }

  /** Appends the codec's error reply to `call` to `out`, and counts it. */
  private writeError(call: BridgeCall, error: ErrorType, message: string, out: ByteBuffer): void {
    this.codec!.encodeError(call.request, error, message, out);
    const stats = this.plugin.stats;
    stats.inc(LOCAL_RESPONSE_ERROR, call.method);
    stats.inc(RESPONSE_ERROR, call.method);
    if (error == ErrorType.OverLimit) stats.inc(RATE_LIMITED, call.method);
  }

  private finish(call: BridgeCall): void {
    const stats = this.plugin.stats;
    if (!call.oneway) stats.record(REQUEST_TIME_MS, (this.nowNs - call.startNs) / NS_PER_MS, call.method);
    this.calls.close(call);
  }
}

/** The HTTP/2 connection's events, for the client side. */
@final
class ClientEvents extends Http2Handler {
  constructor(private readonly side: BridgeClientSide) {
    super();
  }

  onHeaders(streamId: u32, list: HeaderList, endStream: bool): void {
    this.side.onResponseHeaders(streamId, list, endStream);
  }

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    this.side.onResponseData(streamId, ptr, length, endStream);
  }

  onTrailers(streamId: u32, trailers: HeaderList): void {
    this.side.onResponseEnd(streamId);
  }

  onReset(streamId: u32, errorCode: u32, byPeer: bool): void {
    this.side.onStreamReset(streamId, errorCode);
  }

  onGoAway(lastStreamId: u32, errorCode: u32, debugPtr: usize, debugLength: i32): void {
    this.side.onGoAway(lastStreamId);
  }

  onPing(opaque: u64, ack: bool): void {
    if (ack) this.side.onPingAck(opaque);
  }
}

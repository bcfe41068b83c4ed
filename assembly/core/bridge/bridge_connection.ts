// What both sides of a bridge share: one downstream connection that speaks the protocol on one face and HTTP/2 on
// the other, its calls in flight by stream, and the bytes that replace Envoy's buffer after each data event. A
// network filter can only rewrite bytes that flow, so each data event's answer is the whole buffer's replacement:
// the HTTP/2 connection's pending output on its face, the protocol frames made on the other.
import { ByteBuffer, Bytes } from "../../lib/bytes";
import { Http2Config } from "../../lib/http2/config";
import { Http2Connection, Role } from "../../lib/http2/connection";
import { Http2Handler } from "../../lib/http2/handler";
import { Codec, Direction } from "../codec";
import { FrameAction, FrameStream, StreamResult } from "../frame_stream";
import { NetworkConnection } from "../network_connection";
import { LogLevel } from "../log";
import { Metadata } from "../metadata";
import { CX_DESTROY_LOCAL_WITH_ACTIVE_RQ, CX_DESTROY_REMOTE_WITH_ACTIVE_RQ, CX_INCOMPLETE_FRAME_AT_CLOSE, REQUEST_DECODING_ERROR, RESPONSE_DECODING_ERROR } from "../metrics";
import { Plugin } from "../plugin";
import { BridgeCalls } from "./bridge_call";
import { BridgeHeaderNames } from "./bridge_headers";
import { CX_BRIDGE_HTTP2_ERROR } from "./metrics";

/** The largest HTTP/2 window: the bridge's peer is Envoy on the same host, and flow control is Envoy's own job. */
const MAX_WINDOW: i32 = 0x7fffffff;

/** Protocol frames made during one data event (a VM runs one callback at a time: the output is used before the next). */
const protocolOut = new ByteBuffer();
/** What Envoy's buffer is replaced with after a data event. */
const replacement = new Bytes();

/**
 * Reads the whole `frame` into `md`, afresh; false when it is not the protocol. For frames that concern one call
 * (a body, a rewritten frame): the caller decides what that means for the call.
 */
export function readFrame(codec: Codec, frame: Bytes, direction: Direction, md: Metadata): bool {
  md.reset();
  md.frameSize = frame.length;
  return codec.decode(frame, direction, md) === null;
}

export abstract class BridgeConnection extends NetworkConnection {
  /** The protocol frames of the protocol's face, whole or partial. */
  protected readonly frames: FrameStream;
  protected readonly calls: BridgeCalls;
  protected readonly names: BridgeHeaderNames;
  protected http2: Http2Connection | null = null;
  protected nowNs: u64 = 0;
  /** Whether the last data event handed the HTTP/2 output to Envoy (it then leaves the pending output). */
  private http2OutputHanded: bool = false;

  constructor(public readonly id: u64, plugin: Plugin, names: BridgeHeaderNames, private readonly protocolFace: Direction) {
    super(plugin);
    this.frames = new FrameStream(protocolFace, plugin.heldBytes);
    this.calls = new BridgeCalls(plugin.settings.maxPendingRequests, plugin.heldBytes, plugin.stats);
    this.names = names;
  }

  get connectionId(): u64 {
    return this.id;
  }

  /** Which HTTP/2 end this side is. */
  protected abstract get role(): Role;
  /** Receives the HTTP/2 connection's events. */
  protected abstract get events(): Http2Handler;
  /** Protocol frames of the protocol's face, one at a time. */
  protected abstract onProtocolFrame(frame: Bytes): bool;
  /** After a data event from Envoy's HTTP/2 face: protocol frames to add so that waiting HTTP/2 output can go. */
  protected afterHttp2Event(): void {}

  /**
   * Bytes from the client (`Direction.Request`) or the server (`Direction.Response`). Returns what replaces Envoy's
   * buffer, or null when the connection must close (`closeReason` says why).
   */
  onData(direction: Direction, data: usize, size: i32, endStream: bool, nowNs: u64): Bytes | null {
    if (this.closed) return null;
    this.nowNs = nowNs;
    const http2 = this.start();
    protocolOut.clear();
    if (direction == this.protocolFace) {
      if (this.frames.feed(data, size, this.codec!, this.plugin.settings.maxFrameSize, this) == StreamResult.Close) {
        this.plugin.stats.inc(direction == Direction.Request ? REQUEST_DECODING_ERROR : RESPONSE_DECODING_ERROR);
        return this.fail();
      }
      this.frames.noteWait(nowNs);
    } else if (!http2.receive(data, size)) {
      this.plugin.stats.inc(CX_BRIDGE_HTTP2_ERROR);
      this.closeReason = "HTTP/2 connection error " + (<u32>http2.errorCode).toString() + ": " + http2.errorReason;
      return this.fail();
    }
    if (this.closed) return this.fail();
    // The data goes on in its direction: protocol frames made of HTTP/2 from Envoy, HTTP/2 made of protocol frames.
    this.http2OutputHanded = direction == this.protocolFace;
    if (!this.http2OutputHanded) {
      this.afterHttp2Event();
      if (this.closed) return this.fail();
      return replacement.set(protocolOut.ptr, protocolOut.length);
    }
    const output = http2.pendingOutput();
    replacement.set(output.ptr, output.length);
    return replacement;
  }

  /** The output of the last `onData` was handed to the host. */
  settle(): void {
    const http2 = this.http2;
    if (http2 !== null && this.http2OutputHanded) http2.consumeOutput(http2.pendingOutput().length);
    this.http2OutputHanded = false;
    this.frames.settle();
  }

  /** Where protocol frames for the protocol's face are written during a data event. */
  protected get protocolOutput(): ByteBuffer {
    return protocolOut;
  }

  /** Whether HTTP/2 output waits for a data event towards Envoy. */
  protected get http2OutputWaits(): bool {
    const http2 = this.http2;
    return http2 !== null && http2.pendingOutput().length > 0;
  }

  onFrame(frame: Bytes, stream: FrameStream): FrameAction {
    // The frame's replacement is not in the stream's output: the HTTP/2 output or protocolOut replaces the buffer.
    return this.onProtocolFrame(frame) ? FrameAction.Forward : FrameAction.Close;
  }

  private start(): Http2Connection {
    let http2 = this.http2;
    if (http2 !== null) return http2;
    this.codec = this.plugin.codecs.create();
    const config = new Http2Config();
    config.initialWindowSize = MAX_WINDOW;
    config.connectionWindowSize = MAX_WINDOW;
    config.maxConcurrentStreams = this.plugin.settings.maxPendingRequests;
    // Envoy's peer keeps a table too: repeated names and values cost an index, here and in Envoy's decoder.
    config.encoderTableSize = 4096;
    config.maxFrameSize = 16384;
    config.maxQueuedBytes = max(1 << 20, this.plugin.settings.maxFrameSize * 2);
    this.http2 = http2 = new Http2Connection(this.role, this.events, config);
    return http2;
  }

  private fail(): Bytes | null {
    if (!this.closed) this.closeWith(this.closeReason);
    return null;
  }

  /** The connection is done for: `reason` goes to the log, and the glue closes it. */
  protected closeWith(reason: string): void {
    this.closed = true;
    this.closeReason = reason;
    this.plugin.logger.log(LogLevel.Warn, "bridge connection " + this.id.toString() + " closed: " + reason);
  }

  /** When the oldest partial protocol frame began to wait (0: none waits). */
  get oldestPartialSinceNs(): u64 {
    return this.frames.waitingSinceNs;
  }

  /** Memory held for partial frames and bodies. */
  get heldCapacity(): i32 {
    return this.frames.heldCapacity + this.calls.heldCapacity;
  }

  onClose(local: bool): void {
    const stats = this.plugin.stats;
    if (this.calls.size > 0) stats.inc(local ? CX_DESTROY_LOCAL_WITH_ACTIVE_RQ : CX_DESTROY_REMOTE_WITH_ACTIVE_RQ);
    if (this.frames.pendingBytes > 0) stats.inc(CX_INCOMPLETE_FRAME_AT_CLOSE);
    this.dispose();
  }

  dispose(): void {
    this.calls.clear();
    this.frames.dispose();
    this.http2 = null;
  }
}

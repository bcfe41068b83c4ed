// One HTTP/2 connection (RFC 9113), either end, without I/O: the owner feeds it the bytes the peer sent (`receive`,
// any fragmentation), hears about messages through its Http2Handler, submits its own messages, and writes the
// pending output whenever it has a chance (`pendingOutput`, `consumeOutput`): acknowledgements, window updates and
// data that waited for the peer's windows collect there until then.
//
// Every error the peer makes maps to RFC 9113's code: a connection error writes GOAWAY and stops the connection, a
// stream error writes RST_STREAM and ends that stream. Sizes the peer controls are bounded by Http2Config.
import { ByteBuffer } from "../bytes";
import { DecodeResult, DEFAULT_TABLE_SIZE, HpackDecoder } from "../hpack/decoder";
import { HpackEncoder } from "../hpack/encoder";
import { HeaderList } from "../hpack/header_list";
import { Http2Config } from "./config";
import { ErrorCode } from "./error_code";
import { CLIENT_PREFACE, CLIENT_PREFACE_LENGTH, Flag, FRAME_HEADER_SIZE, FrameType, MAX_STREAM_ID, MAX_WINDOW, MIN_MAX_FRAME_SIZE } from "./frame";
import { FrameReader, FrameSink } from "./frame_reader";
import {
  writeData,
  writeFrameHeader,
  writeGoAway,
  writeHeaderBlock,
  writePing,
  writeRstStream,
  writeSetting,
  writeSettingsAck,
  writeWindowUpdate,
} from "./frame_writer";
import { Http2Handler } from "./handler";
import { Reason, reasonText } from "./reason";
import { equalsAscii, MessageFacts, MessageKind, validateMessage } from "./header_validation";
import { DEFAULT_WINDOW, SETTING_ENTRY_SIZE, SettingId, Settings } from "./settings";
import { Stream } from "./stream";
import { StreamTable } from "./stream_table";

export enum Role {
  Client,
  Server,
}

/** Reassembly and output memory kept between frames; larger buffers are dropped once empty. */
const KEEP_BUFFER: i32 = 1024;
const RST_STREAM_SIZE: i32 = FRAME_HEADER_SIZE + 4;
const PING_SIZE: i32 = FRAME_HEADER_SIZE + 8;

@final
export class Http2Connection extends FrameSink {
  /** The peer's settings, as its SETTINGS frames set them. */
  readonly peerSettings: Settings = new Settings();
  /** The connection error this side raised (NO_ERROR while it works), and why. */
  errorCode: ErrorCode = ErrorCode.NO_ERROR;
  errorReason: string = "";
  /** Data bytes waiting for the peer's windows, over all streams (at most config.maxQueuedBytes). */
  queuedBytes: i32 = 0;

  private reader: FrameReader;
  private output: ByteBuffer = new ByteBuffer();
  /** Header blocks being encoded, and received ones spread over CONTINUATION frames. */
  private encoded: ByteBuffer = new ByteBuffer();
  private block: ByteBuffer = new ByteBuffer();
  private decoder: HpackDecoder;
  private encoder: HpackEncoder;
  private received: HeaderList = new HeaderList();
  private facts: MessageFacts = new MessageFacts();
  private streams: StreamTable = new StreamTable();

  private failed: bool = false;
  private peerSettingsReceived: bool = false;
  private ownSettingsAcknowledged: bool = false;
  private goAwaySent: bool = false;
  private goAwayReceived: bool = false;
  /** The highest stream the peer opened (every lower one of its streams is open or closed, none idle). */
  private lastPeerStreamId: u32 = 0;
  /** With goAwaySent: streams the peer opens above this are ignored. */
  private goAwayLastStreamId: u32 = MAX_STREAM_ID;
  private nextStreamId: u32;
  private peerStreams: i32 = 0;
  private ownStreams: i32 = 0;
  /** Streams with something queued. */
  private readyStreams: i32 = 0;
  /** Where the next round of queued data starts (table slot), so that streams share the windows in turn. */
  private nextReadySlot: i32 = 0;

  private sendWindow: i64 = DEFAULT_WINDOW;
  private receiveWindow: i64;
  private receivedUnacknowledged: i32 = 0;
  /** What a new peer stream may send before a WINDOW_UPDATE, as the peer sees it (our setting once acknowledged). */
  private streamReceiveWindow: i64;
  /** Bytes of frames the peer made us owe, in the pending output. */
  private owedBytes: i32 = 0;

  // The frame being read.
  private frameType: u8 = 0;
  private frameFlags: u8 = 0;
  private frameStreamId: u32 = 0;
  private frameLength: i32 = 0;
  /** DATA: padding length (-1 until its byte is read) and data bytes left in the frame. */
  private dataPadding: i32 = 0;
  private dataLeft: i32 = 0;
  /** A header block spread over HEADERS and CONTINUATION frames. */
  private blockStreamId: u32 = 0;
  private blockEndStream: bool = false;
  private blockContinuations: i32 = 0;
  private expectingContinuation: bool = false;
  /** A stream error the HEADERS frame itself carries (applied once its block is decoded). */
  private blockStreamError: ErrorCode = ErrorCode.NO_ERROR;

  constructor(
    readonly role: Role,
    private handler: Http2Handler,
    private config: Http2Config = new Http2Config(),
  ) {
    super();
    this.reader = new FrameReader(role == Role.Server);
    this.decoder = new HpackDecoder(config.maxHeaderListSize);
    this.encoder = new HpackEncoder(config.encoderTableSize);
    this.encoder.huffman = config.huffman;
    this.nextStreamId = role == Role.Client ? 1 : 2;
    this.receiveWindow = max<i64>(config.connectionWindowSize, DEFAULT_WINDOW);
    this.streamReceiveWindow = max<i64>(config.initialWindowSize, DEFAULT_WINDOW);
    this.writePreface();
  }

  // ----------------------------------------------------------------------------------------------------------------
  // The owner's side

  /** Reads bytes the peer sent; false once the connection failed (then GOAWAY is in the pending output). */
  receive(ptr: usize, length: i32): bool {
    if (this.failed) return false;
    if (!this.reader.feed(this, ptr, length) && this.reader.badPreface) this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.BAD_PREFACE);
    return !this.failed;
  }

  /**
   * What to write to the peer now: frames owed and submitted, and queued data the windows allow (moved in here).
   * Write it all (or part, then consumeOutput what was written).
   */
  pendingOutput(): ByteBuffer {
    if (this.readyStreams > 0 && !this.failed) this.sendQueued();
    return this.output;
  }

  /** The first `count` bytes of the pending output were written. */
  consumeOutput(count: i32): void {
    this.output.discardFront(min(count, this.output.length));
    if (this.output.length == 0) this.output.release(KEEP_BUFFER);
    this.owedBytes = min(this.owedBytes, this.output.length);
  }

  /** The connection failed (this side raised a connection error). */
  get isFailed(): bool {
    return this.failed;
  }

  /** Whether this side can never open another stream: the peer sent GOAWAY, the connection failed, or ids ran out. */
  get closing(): bool {
    return this.failed || this.goAwayReceived || this.nextStreamId > MAX_STREAM_ID;
  }

  /** Streams open (or half-closed), both sides'. */
  get openStreams(): i32 {
    return this.streams.count;
  }

  /** Opens a stream with a request (client). Its id, or 0 when no stream can be opened now. */
  submitRequest(headers: HeaderList, endStream: bool): u32 {
    if (this.role != Role.Client || this.failed || this.goAwayReceived || this.nextStreamId > MAX_STREAM_ID) return 0;
    if (<u32>this.ownStreams >= this.peerSettings.maxConcurrentStreams) return 0;
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = this.streams.open(id, this.peerSettings.initialWindowSize, this.streamReceiveWindow);
    this.ownStreams++;
    const method = headers.find(":method");
    stream.headRequest = method >= 0 && equalsAscii(headers.valuePtr(method), headers.valueLength(method), "HEAD");
    this.writeHeaders(stream, headers, endStream);
    return id;
  }

  /** Sends the response headers of a stream the peer opened (server). */
  submitResponse(streamId: u32, headers: HeaderList, endStream: bool): bool {
    const stream = this.sendable(streamId);
    if (stream === null || this.role != Role.Server || stream.headersSent) return false;
    this.writeHeaders(stream, headers, endStream);
    return true;
  }

  /**
   * Sends body bytes (after the headers). What the windows do not allow now is queued and goes out through
   * pendingOutput as they open; false (nothing taken) when that would queue more than config.maxQueuedBytes.
   */
  submitData(streamId: u32, ptr: usize, length: i32, endStream: bool): bool {
    const stream = this.sendable(streamId);
    if (stream === null || !stream.headersSent || length < 0) return false;
    let direct = 0;
    if (!stream.ready) direct = <i32>max<i64>(0, min<i64>(length, min<i64>(stream.sendWindow, this.sendWindow)));
    if (<i64>this.queuedBytes + <i64>(length - direct) > <i64>this.config.maxQueuedBytes) return false;
    let at = 0;
    if (!stream.ready) {
      const maxFrame = this.peerSettings.maxFrameSize;
      while (at < direct) {
        const size = min(direct - at, maxFrame);
        writeData(this.output, streamId, ptr + <usize>at, size, endStream && at + size == length);
        at += size;
      }
      if (length == 0 && endStream) writeData(this.output, streamId, ptr, 0, true);
      stream.sendWindow -= direct;
      this.sendWindow -= direct;
    }
    const rest = length - at;
    if (rest > 0) {
      stream.queue.append(ptr + <usize>at, rest);
      this.queuedBytes += rest;
    }
    if (rest > 0 || stream.ready) {
      if (endStream) stream.endQueued = true;
      this.markReady(stream);
    } else if (endStream) {
      this.endLocally(stream);
    }
    return true;
  }

  /** Ends a stream with trailers (after its headers; after its data, queued or not). */
  submitTrailers(streamId: u32, trailers: HeaderList): bool {
    const stream = this.sendable(streamId);
    if (stream === null || !stream.headersSent) return false;
    if (stream.ready) {
      // Queued behind data: encoded now, sent later, so it must not depend on the blocks in between.
      this.encoder.encode(trailers, stream.queuedTrailers, true);
      stream.endQueued = true;
      return true;
    }
    this.writeHeaders(stream, trailers, true);
    return true;
  }

  /** Resets a stream (RST_STREAM with `errorCode`); false when it is not open. */
  submitReset(streamId: u32, errorCode: u32): bool {
    const stream = this.streams.get(streamId);
    if (stream === null || this.failed) return false;
    writeRstStream(this.output, streamId, errorCode);
    this.closeStream(stream);
    return true;
  }

  /** Sends GOAWAY: streams the peer opens from now on are ignored; those open go on. */
  submitGoAway(errorCode: u32, debug: string = ""): void {
    if (this.failed) return;
    writeGoAway(this.output, this.lastPeerStreamId, errorCode, debug);
    this.goAwaySent = true;
    this.goAwayLastStreamId = this.lastPeerStreamId;
  }

  submitPing(opaque: u64): void {
    if (!this.failed) writePing(this.output, opaque, false);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Sending

  private writePreface(): void {
    const out = this.output;
    const config = this.config;
    if (this.role == Role.Client) out.append(CLIENT_PREFACE, CLIENT_PREFACE_LENGTH);
    const start = out.length;
    writeFrameHeader(out, 0, FrameType.SETTINGS, 0, 0);
    if (config.headerTableSize != DEFAULT_TABLE_SIZE) writeSetting(out, SettingId.HEADER_TABLE_SIZE, config.headerTableSize);
    if (this.role == Role.Client) writeSetting(out, SettingId.ENABLE_PUSH, 0);
    writeSetting(out, SettingId.MAX_CONCURRENT_STREAMS, config.maxConcurrentStreams);
    if (config.initialWindowSize != DEFAULT_WINDOW) writeSetting(out, SettingId.INITIAL_WINDOW_SIZE, config.initialWindowSize);
    if (config.maxFrameSize != MIN_MAX_FRAME_SIZE) writeSetting(out, SettingId.MAX_FRAME_SIZE, config.maxFrameSize);
    writeSetting(out, SettingId.MAX_HEADER_LIST_SIZE, config.maxHeaderListSize);
    const length = out.length - start - FRAME_HEADER_SIZE;
    store<u8>(out.ptr + <usize>start, <u8>(length >> 16));
    store<u16>(out.ptr + <usize>start + 1, bswap<u16>(<u16>length));
    if (this.receiveWindow > DEFAULT_WINDOW) writeWindowUpdate(out, 0, <u32>(this.receiveWindow - DEFAULT_WINDOW));
  }

  /** The stream `streamId` when this side may still send on it. */
  private sendable(streamId: u32): Stream | null {
    if (this.failed) return null;
    const stream = this.streams.get(streamId);
    return stream === null || stream.localEnded || stream.endQueued ? null : stream;
  }

  private writeHeaders(stream: Stream, headers: HeaderList, endStream: bool): void {
    this.encoded.clear();
    this.encoder.encode(headers, this.encoded);
    writeHeaderBlock(this.output, stream.id, this.encoded, endStream, this.peerSettings.maxFrameSize);
    this.encoded.clear();
    this.encoded.release(KEEP_BUFFER);
    stream.headersSent = true;
    if (endStream) this.endLocally(stream);
  }

  private markReady(stream: Stream): void {
    if (stream.ready) return;
    stream.ready = true;
    this.readyStreams++;
  }

  /** Moves queued data the windows allow into the output, a frame per stream in turn. */
  private sendQueued(): void {
    let progress = true;
    while (progress && this.readyStreams > 0) {
      progress = false;
      const slots = this.streams.slots;
      for (let i = 0; i < slots; i++) {
        const slot = (this.nextReadySlot + i) & (slots - 1);
        const stream = this.streams.at(slot);
        if (stream === null || !stream.ready) continue;
        if (this.sendQueuedFrame(stream)) progress = true;
      }
      this.nextReadySlot = (this.nextReadySlot + 1) & (max(slots, 1) - 1);
    }
  }

  /** Sends the stream's next queued frame if the windows allow; whether it did. */
  private sendQueuedFrame(stream: Stream): bool {
    const queued = stream.queued;
    if (queued > 0) {
      const size = <i32>min<i64>(min<i64>(queued, this.peerSettings.maxFrameSize), min<i64>(stream.sendWindow, this.sendWindow));
      if (size <= 0) return false;
      const end = size == queued && stream.endQueued && stream.queuedTrailers.length == 0;
      writeData(this.output, stream.id, stream.queue.ptr + <usize>stream.queueSent, size, end);
      stream.queueSent += size;
      stream.sendWindow -= size;
      this.sendWindow -= size;
      this.queuedBytes -= size;
      if (stream.queueSent == stream.queue.length) {
        stream.queue.clear();
        stream.queue.release(KEEP_BUFFER);
        stream.queueSent = 0;
      }
    } else if (stream.queuedTrailers.length > 0) {
      writeHeaderBlock(this.output, stream.id, stream.queuedTrailers, true, this.peerSettings.maxFrameSize);
      stream.queuedTrailers.clear();
      stream.queuedTrailers.release(0);
    } else {
      writeData(this.output, stream.id, 0, 0, true);
    }
    if (stream.queued == 0 && stream.queuedTrailers.length == 0) {
      stream.ready = false;
      this.readyStreams--;
      if (stream.endQueued) this.endLocally(stream);
    }
    return true;
  }

  /** END_STREAM went out. */
  private endLocally(stream: Stream): void {
    stream.localEnded = true;
    stream.endQueued = false;
    if (stream.remoteEnded) this.closeStream(stream);
  }

  private closeStream(stream: Stream): void {
    if (stream.ready) {
      stream.ready = false;
      this.readyStreams--;
    }
    this.queuedBytes -= stream.queued;
    if (this.isPeerStream(stream.id)) this.peerStreams--;
    else this.ownStreams--;
    this.streams.close(stream);
  }

  /** Frames the peer made us owe: a peer that makes us owe more than the output flushes is flooding us. */
  private owe(bytes: i32): bool {
    this.owedBytes += bytes;
    if (this.owedBytes <= this.config.maxPendingControlBytes) return true;
    return this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, Reason.FLOOD_OF_FRAMES_TO_ANSWER);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Errors

  /** Fails the connection with GOAWAY; always false (what the frame handlers return to stop). */
  private connectionError(code: ErrorCode, reason: Reason): bool {
    if (this.failed) return false;
    this.failed = true;
    this.errorCode = code;
    const text = reasonText(reason);
    this.errorReason = text;
    writeGoAway(this.output, this.lastPeerStreamId, code, text);
    this.handler.onConnectionError(code, text);
    return false;
  }

  /** Ends the stream with RST_STREAM; the handler hears of it when `announced` (it saw the stream). */
  private streamError(stream: Stream, code: ErrorCode): bool {
    const id = stream.id;
    writeRstStream(this.output, id, code);
    this.closeStream(stream);
    this.handler.onReset(id, code, false);
    return this.owe(RST_STREAM_SIZE);
  }

  /** Refuses a stream the handler never saw. */
  private refuse(streamId: u32, code: ErrorCode): bool {
    writeRstStream(this.output, streamId, code);
    return this.owe(RST_STREAM_SIZE);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Receiving (FrameSink)

  onFrameHeader(type: u8, flags: u8, streamId: u32, length: i32): bool {
    if (this.failed) return false;
    if (length > this.config.maxFrameSize) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.FRAME_TOO_LARGE);
    if (this.expectingContinuation) {
      if (type != FrameType.CONTINUATION || streamId != this.blockStreamId) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.HEADER_BLOCK_INTERRUPTED);
    } else if (type == FrameType.CONTINUATION) {
      return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.CONTINUATION_WITHOUT_HEADERS);
    }
    if (!this.peerSettingsReceived && (type != FrameType.SETTINGS || (flags & Flag.ACK) != 0)) {
      return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.NO_SETTINGS_FIRST);
    }
    this.frameType = type;
    this.frameFlags = flags;
    this.frameStreamId = streamId;
    this.frameLength = length;
    if (type == FrameType.DATA) return this.startData();
    return true;
  }

  onPayloadPiece(ptr: usize, length: i32, last: bool): bool {
    if (this.frameType != FrameType.DATA) return true; // a frame of an unknown type: ignored (RFC 9113 Section 4.1)
    let at = ptr;
    let left = length;
    if (this.dataPadding < 0 && left > 0) {
      this.dataPadding = <i32>load<u8>(at);
      at++;
      left--;
      if (this.dataPadding >= this.frameLength) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.BAD_DATA_PADDING);
      this.dataLeft = this.frameLength - 1 - this.dataPadding;
    }
    const size = min(left, this.dataLeft);
    this.dataLeft -= size;
    const stream = this.streams.get(this.frameStreamId);
    if (stream !== null && !stream.remoteEnded) {
      const endStream = last && (this.frameFlags & Flag.END_STREAM) != 0;
      stream.receivedLength += size;
      const expected = stream.expectedLength;
      if (expected >= 0 && (stream.receivedLength > expected || (endStream && stream.receivedLength != expected))) {
        return this.streamError(stream, ErrorCode.PROTOCOL_ERROR) && this.dataConsumed(last, null);
      }
      if (endStream) stream.remoteEnded = true;
      if (size > 0 || endStream) this.handler.onData(stream.id, at, size, endStream);
      if (this.failed) return false;
    }
    return this.dataConsumed(last, this.streams.get(this.frameStreamId));
  }

  onPayload(ptr: usize, length: i32): bool {
    switch (this.frameType) {
      case FrameType.HEADERS:
        return this.onHeadersFrame(ptr, length);
      case FrameType.CONTINUATION:
        return this.onContinuation(ptr, length);
      case FrameType.PRIORITY:
        return this.onPriority(ptr, length);
      case FrameType.RST_STREAM:
        return this.onRstStream(ptr, length);
      case FrameType.SETTINGS:
        return this.onSettingsFrame(ptr, length);
      case FrameType.PUSH_PROMISE:
        return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.PUSH_IS_DISABLED);
      case FrameType.PING:
        return this.onPingFrame(ptr, length);
      case FrameType.GOAWAY:
        return this.onGoAwayFrame(ptr, length);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(ptr, length);
    }
    return true;
  }

  private isPeerStream(id: u32): bool {
    return (id & 1) == (this.role == Role.Server ? 1 : 0);
  }

  /** No frame opened the stream yet (RFC 9113 Section 5.1 "idle"). */
  private isIdle(id: u32): bool {
    return this.isPeerStream(id) ? id > this.lastPeerStreamId : id >= this.nextStreamId;
  }

  // DATA

  private startData(): bool {
    const id = this.frameStreamId;
    const length = this.frameLength;
    if (id == 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.DATA_ON_STREAM_0);
    if ((this.frameFlags & Flag.PADDED) != 0) {
      if (length == 0) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_DATA_PADDING);
      this.dataPadding = -1;
    } else {
      this.dataPadding = 0;
      this.dataLeft = length;
    }
    if (<i64>length > this.receiveWindow) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, Reason.WINDOW_EXCEEDED);
    this.receiveWindow -= length;
    const stream = this.streams.get(id);
    if (stream === null) {
      if (this.isIdle(id)) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.DATA_ON_IDLE_STREAM);
      return true; // a closed stream: only counted against the connection window
    }
    if (stream.remoteEnded) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    if (!stream.headersReceived) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (<i64>length > stream.receiveWindow) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    stream.receiveWindow -= length;
    return true;
  }

  /** At the end of a DATA frame, gives its bytes back to the windows (WINDOW_UPDATE past half of a window). */
  private dataConsumed(last: bool, stream: Stream | null): bool {
    if (!last) return true;
    const length = this.frameLength;
    this.receivedUnacknowledged += length;
    if (this.receivedUnacknowledged >= this.config.connectionWindowSize >> 1) {
      writeWindowUpdate(this.output, 0, <u32>this.receivedUnacknowledged);
      this.receiveWindow += this.receivedUnacknowledged;
      this.receivedUnacknowledged = 0;
    }
    if (stream === null) return !this.failed;
    if (stream.remoteEnded) {
      if (stream.localEnded) this.closeStream(stream);
    } else {
      stream.receivedUnacknowledged += length;
      if (stream.receivedUnacknowledged >= this.config.initialWindowSize >> 1) {
        writeWindowUpdate(this.output, stream.id, <u32>stream.receivedUnacknowledged);
        stream.receiveWindow += stream.receivedUnacknowledged;
        stream.receivedUnacknowledged = 0;
      }
    }
    return !this.failed;
  }

  // HEADERS and CONTINUATION

  private onHeadersFrame(ptr: usize, length: i32): bool {
    const id = this.frameStreamId;
    const flags = this.frameFlags;
    if (id == 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.HEADERS_ON_STREAM_0);
    let start = 0;
    let padding = 0;
    if ((flags & Flag.PADDED) != 0) {
      if (length < 1) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_HEADERS_PADDING);
      padding = <i32>load<u8>(ptr);
      start = 1;
    }
    this.blockStreamError = ErrorCode.NO_ERROR;
    if ((flags & Flag.PRIORITY) != 0) {
      if (length < start + 5) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.HEADERS_TOO_SHORT);
      if ((bswap<u32>(load<u32>(ptr + <usize>start)) & 0x7fffffff) == id) this.blockStreamError = ErrorCode.PROTOCOL_ERROR;
      start += 5;
    }
    if (padding > length - start) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.BAD_HEADERS_PADDING);
    this.blockStreamId = id;
    this.blockEndStream = (flags & Flag.END_STREAM) != 0;
    const fragment = ptr + <usize>start;
    const fragmentLength = length - start - padding;
    if ((flags & Flag.END_HEADERS) != 0) return this.onHeaderBlock(fragment, fragmentLength);
    this.expectingContinuation = true;
    this.blockContinuations = 0;
    this.block.clear();
    return this.appendToBlock(fragment, fragmentLength);
  }

  private onContinuation(ptr: usize, length: i32): bool {
    if (++this.blockContinuations > this.config.maxContinuations) return this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, Reason.TOO_MANY_CONTINUATION_FRAMES);
    if (!this.appendToBlock(ptr, length)) return false;
    if ((this.frameFlags & Flag.END_HEADERS) == 0) return true;
    this.expectingContinuation = false;
    const ok = this.onHeaderBlock(this.block.ptr, this.block.length);
    this.block.clear();
    this.block.release(KEEP_BUFFER);
    return ok;
  }

  private appendToBlock(ptr: usize, length: i32): bool {
    if (this.block.length + length > this.config.maxHeaderBlockSize) return this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, Reason.HEADER_BLOCK_TOO_LARGE);
    this.block.append(ptr, length);
    return true;
  }

  /** A whole header block: decoded always (the compression state depends on it), then applied to its stream. */
  private onHeaderBlock(ptr: usize, length: i32): bool {
    const result = this.decoder.decode(ptr, length, this.received);
    if (result == DecodeResult.CompressionError) return this.connectionError(ErrorCode.COMPRESSION_ERROR, Reason.HEADER_BLOCK_NOT_HPACK);
    const id = this.blockStreamId;
    const stream = this.streams.get(id);
    if (stream === null) return this.onNewStreamHeaders(id, result);
    if (stream.remoteEnded) return this.streamError(stream, ErrorCode.STREAM_CLOSED);
    if (this.blockStreamError != ErrorCode.NO_ERROR) return this.streamError(stream, this.blockStreamError);
    if (result == DecodeResult.ListTooLarge) return this.streamError(stream, ErrorCode.ENHANCE_YOUR_CALM);
    const endStream = this.blockEndStream;
    const facts = this.facts;
    if (stream.headersReceived) {
      // Trailers: they end the message, and the body must have had its announced length.
      if (!endStream || !validateMessage(this.received, MessageKind.Trailers, facts, this.config.rejectSurroundingWhitespace)) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      if (stream.expectedLength >= 0 && stream.expectedLength != stream.receivedLength) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      stream.remoteEnded = true;
      this.handler.onTrailers(id, this.received);
      return this.afterRemoteEnd(id);
    }
    // A response (only a client has streams without received headers).
    if (!validateMessage(this.received, MessageKind.Response, facts, this.config.rejectSurroundingWhitespace)) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    if (facts.status < 200) {
      if (endStream) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
      this.handler.onHeaders(id, this.received, false);
      return !this.failed;
    }
    stream.headersReceived = true;
    const bodiless = stream.headRequest || facts.status == 204 || facts.status == 304;
    stream.expectedLength = bodiless ? -1 : facts.contentLength;
    if (endStream && stream.expectedLength > 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.remoteEnded = endStream;
    this.handler.onHeaders(id, this.received, endStream);
    return endStream ? this.afterRemoteEnd(id) : !this.failed;
  }

  /** Headers on a stream not in the table: a new request (server), or a closed or idle stream. */
  private onNewStreamHeaders(id: u32, result: DecodeResult): bool {
    if (!this.isPeerStream(id) || !this.isIdle(id)) {
      if (this.isIdle(id)) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.HEADERS_ON_IDLE_STREAM);
      return true; // a stream closed here, which the peer had not yet seen closed: ignored
    }
    if (this.role != Role.Server) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.SERVER_OPENED_STREAM);
    this.lastPeerStreamId = id;
    if (this.goAwaySent && id > this.goAwayLastStreamId) return true;
    if (this.blockStreamError != ErrorCode.NO_ERROR) return this.refuse(id, this.blockStreamError);
    if (result == DecodeResult.ListTooLarge) return this.refuse(id, ErrorCode.ENHANCE_YOUR_CALM);
    if (this.peerStreams >= this.config.maxConcurrentStreams) return this.refuse(id, ErrorCode.REFUSED_STREAM);
    const facts = this.facts;
    const endStream = this.blockEndStream;
    if (!validateMessage(this.received, MessageKind.Request, facts, this.config.rejectSurroundingWhitespace) || (endStream && facts.contentLength > 0)) return this.refuse(id, ErrorCode.PROTOCOL_ERROR);
    const stream = this.streams.open(id, this.peerSettings.initialWindowSize, this.streamReceiveWindow);
    this.peerStreams++;
    stream.headersReceived = true;
    stream.remoteEnded = endStream;
    stream.expectedLength = facts.contentLength;
    this.handler.onHeaders(id, this.received, endStream);
    return endStream ? this.afterRemoteEnd(id) : !this.failed;
  }

  /** The peer ended its side of stream `id`: closed if ours is ended too (the handler may have ended it meanwhile). */
  private afterRemoteEnd(id: u32): bool {
    const stream = this.streams.get(id);
    if (stream !== null && stream.localEnded) this.closeStream(stream);
    return !this.failed;
  }

  // Control frames

  private onPriority(ptr: usize, length: i32): bool {
    const id = this.frameStreamId;
    if (id == 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.PRIORITY_ON_STREAM_0);
    const stream = this.streams.get(id);
    if (length != 5) return stream !== null ? this.streamError(stream, ErrorCode.FRAME_SIZE_ERROR) : true;
    if ((bswap<u32>(load<u32>(ptr)) & 0x7fffffff) == id && stream !== null) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    return true; // priorities are not acted upon (RFC 9113 deprecates them)
  }

  private onRstStream(ptr: usize, length: i32): bool {
    const id = this.frameStreamId;
    if (length != 4) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_RST_STREAM_SIZE);
    if (id == 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.RST_STREAM_ON_STREAM_0);
    const stream = this.streams.get(id);
    if (stream === null) return this.isIdle(id) ? this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.RST_STREAM_ON_IDLE_STREAM) : true;
    this.closeStream(stream);
    this.handler.onReset(id, bswap<u32>(load<u32>(ptr)), true);
    return !this.failed;
  }

  private onSettingsFrame(ptr: usize, length: i32): bool {
    if (this.frameStreamId != 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.SETTINGS_ON_A_STREAM);
    if ((this.frameFlags & Flag.ACK) != 0) {
      if (length != 0) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_SETTINGS_ACK);
      if (this.ownSettingsAcknowledged) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.UNEXPECTED_SETTINGS_ACK);
      this.ownSettingsAcknowledged = true;
      this.decoder.setAllowedTableSize(this.config.headerTableSize);
      const delta = <i64>this.config.initialWindowSize - this.streamReceiveWindow;
      this.streamReceiveWindow = this.config.initialWindowSize;
      for (let slot = 0; slot < this.streams.slots; slot++) {
        const stream = this.streams.at(slot);
        if (stream !== null) stream.receiveWindow += delta;
      }
      this.handler.onSettings(true);
      return !this.failed;
    }
    if (length % SETTING_ENTRY_SIZE != 0) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_SETTINGS_SIZE);
    const settings = this.peerSettings;
    for (let at = 0; at < length; at += SETTING_ENTRY_SIZE) {
      const id = <u32>bswap<u16>(load<u16>(ptr + <usize>at));
      const value = bswap<u32>(load<u32>(ptr + <usize>at, 2));
      const previousWindow = settings.initialWindowSize;
      const error = settings.apply(id, value);
      if (error != ErrorCode.NO_ERROR) return this.connectionError(error, Reason.BAD_SETTINGS_VALUE);
      if (id == SettingId.ENABLE_PUSH && value == 1 && this.role == Role.Client) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.SERVER_ENABLED_PUSH);
      if (id == SettingId.HEADER_TABLE_SIZE) this.encoder.setPeerTableSize(<i32>min<u32>(value, 0x7fffffff));
      if (id == SettingId.INITIAL_WINDOW_SIZE && !this.shiftSendWindows(<i64>settings.initialWindowSize - previousWindow)) return false;
    }
    this.peerSettingsReceived = true;
    writeSettingsAck(this.output);
    if (!this.owe(FRAME_HEADER_SIZE)) return false;
    this.handler.onSettings(false);
    return !this.failed;
  }

  /** A new SETTINGS_INITIAL_WINDOW_SIZE moves every stream's send window by the difference (RFC 9113 Section 6.9.2). */
  private shiftSendWindows(delta: i64): bool {
    for (let slot = 0; slot < this.streams.slots; slot++) {
      const stream = this.streams.at(slot);
      if (stream === null) continue;
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, Reason.WINDOW_OVERFLOW);
    }
    return true;
  }

  private onPingFrame(ptr: usize, length: i32): bool {
    if (this.frameStreamId != 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.PING_ON_A_STREAM);
    if (length != 8) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_PING_SIZE);
    const opaque = bswap<u64>(load<u64>(ptr));
    const ack = (this.frameFlags & Flag.ACK) != 0;
    if (!ack) {
      writePing(this.output, opaque, true);
      if (!this.owe(PING_SIZE)) return false;
    }
    this.handler.onPing(opaque, ack);
    return !this.failed;
  }

  private onGoAwayFrame(ptr: usize, length: i32): bool {
    if (this.frameStreamId != 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.GOAWAY_ON_A_STREAM);
    if (length < 8) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.GOAWAY_TOO_SHORT);
    const lastStreamId = bswap<u32>(load<u32>(ptr)) & 0x7fffffff;
    const code = bswap<u32>(load<u32>(ptr, 4));
    this.goAwayReceived = true;
    this.handler.onGoAway(lastStreamId, code, ptr + 8, length - 8);
    // Our streams above the last one the peer processed will never be: they end as refused.
    let slot = 0;
    while (slot < this.streams.slots && !this.failed) {
      const stream = this.streams.at(slot);
      if (stream === null || this.isPeerStream(stream.id) || stream.id <= lastStreamId) {
        slot++;
        continue;
      }
      const id = stream.id;
      this.closeStream(stream); // another stream may move into this slot: it is looked at next
      this.handler.onReset(id, ErrorCode.REFUSED_STREAM, true);
    }
    return !this.failed;
  }

  private onWindowUpdate(ptr: usize, length: i32): bool {
    const id = this.frameStreamId;
    if (length != 4) return this.connectionError(ErrorCode.FRAME_SIZE_ERROR, Reason.BAD_WINDOW_UPDATE_SIZE);
    const increment = <i64>(bswap<u32>(load<u32>(ptr)) & 0x7fffffff);
    if (id == 0) {
      if (increment == 0) return this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.WINDOW_UPDATE_OF_0);
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, Reason.WINDOW_OVERFLOW);
      return true;
    }
    const stream = this.streams.get(id);
    if (stream === null) return this.isIdle(id) ? this.connectionError(ErrorCode.PROTOCOL_ERROR, Reason.WINDOW_UPDATE_ON_IDLE_STREAM) : true;
    if (increment == 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR);
    return true;
  }
}

// Envoy's Network::ConnectionImpl over a Node socket, for both sides of a proxied connection:
// - a read buffer with watermarks at per_connection_buffer_limit_bytes: above it reading is disabled, and re-enabled
//   once filters drain it to half the limit;
// - readDisable() is reference counted; re-enabling with undrained bytes re-presents them to the filters;
// - half-close (enabled by tcp_proxy): the peer's FIN reaches the filters as end_stream, our FIN is sent by a write
//   with end_stream, and the connection closes once both directions are done;
// - close(FlushWrite) writes out what is buffered first, close(NoFlush) does not; either raises LocalClose, and a
//   peer close or reset raises RemoteClose, each exactly once.
import net from "node:net";
import {
  CloseType,
  ConnectionEvent,
  FilterStatus,
  type ByteBuffer,
  type ConnectionInfo,
  type Counter,
  type Endpoint,
  type NetworkFilter,
} from "../api.ts";
import { FilterManager, type FilterManagerConnection, type ReadFilter } from "./filter_manager.ts";
import { ConnectionFilterState } from "./filter_state.ts";
import { WatermarkBuffer } from "./watermark_buffer.ts";

export interface ConnectionCallbacks {
  onEvent(event: ConnectionEvent): void;
  /** Too many bytes wait to be sent to the peer: the other side of the proxy should stop reading. */
  onAboveWriteBufferHighWatermark?(): void;
  onBelowWriteBufferLowWatermark?(): void;
}

/** Counters a connection feeds with the bytes it reads and writes (Envoy's Connection::ConnectionStats). */
export interface ByteCounters {
  readonly received: Counter;
  readonly sent: Counter;
}

// Envoy numbers downstream and upstream connections from one global counter, starting at 0.
let nextId = 0;
export function allocateConnectionId(): number {
  return nextId++;
}

type State = "open" | "closing" | "closed";

export class Connection implements FilterManagerConnection {
  readonly filterState = new ConnectionFilterState();
  readonly readBuffer: WatermarkBuffer;
  private readonly filterManager = new FilterManager(this);
  private readonly callbacks: ConnectionCallbacks[] = [];
  private state: State = "open";
  private halfCloseEnabled = false;
  private readDisableCount = 0;
  private reading = false;
  private endStreamRead = false;
  private endStreamRaised = false;
  private writeEndStream = false;
  private aboveWriteHighWatermark = false;
  private bufferedDispatchScheduled = false;
  private counters?: ByteCounters;
  private failure?: string;

  private constructor(
    private readonly socket: net.Socket,
    readonly info: ConnectionInfo,
    private readonly bufferLimitBytes: number,
    private connecting: boolean,
  ) {
    this.readBuffer = new WatermarkBuffer(
      bufferLimitBytes,
      () => this.readDisable(true),
      () => this.readDisable(false),
    );
    socket.setNoDelay(true);
    socket.on("end", () => this.onPeerEndOfStream());
    socket.on("finish", () => this.onOwnEndOfStreamFlushed());
    socket.on("error", (error) => {
      this.failure = error.message; // "close" follows and raises RemoteClose
    });
    socket.on("close", () => this.closeSocket(ConnectionEvent.RemoteClose));
  }

  /** A downstream connection accepted by a listener (created with allowHalfOpen). Reads start at initializeReadFilters. */
  static accept(socket: net.Socket, info: ConnectionInfo, bufferLimitBytes: number): Connection {
    return new Connection(socket, info, bufferLimitBytes, false);
  }

  /** An upstream connection; raises Connected, or RemoteClose if the connection attempt fails. */
  static connect(endpoint: Endpoint, bufferLimitBytes: number): Connection {
    const socket = net.connect({ host: endpoint.address, port: endpoint.port, allowHalfOpen: true });
    const info: ConnectionInfo = {
      id: allocateConnectionId(),
      sourceAddress: "",
      sourcePort: 0,
      destinationAddress: endpoint.address,
      destinationPort: endpoint.port,
      listenerName: "",
      listenerDirection: 0,
      filterChainName: "",
    };
    const connection = new Connection(socket, info, bufferLimitBytes, true);
    socket.once("connect", () => connection.onConnected());
    connection.startReading();
    return connection;
  }

  get readEndStream(): boolean {
    return this.endStreamRead;
  }

  /** Why the socket failed (connect refused, reset...), if it did. */
  get failureReason(): string | undefined {
    return this.failure;
  }

  isOpen(): boolean {
    return this.state === "open";
  }

  isClosed(): boolean {
    return this.state === "closed";
  }

  addConnectionCallbacks(callbacks: ConnectionCallbacks): void {
    this.callbacks.push(callbacks);
  }

  addReadFilter(filter: ReadFilter): void {
    this.filterManager.addReadFilter(filter);
  }

  /** A read and write filter, also told of connection events (a proxy-wasm filter subscribes to them in Envoy). */
  addFilter(filter: NetworkFilter): void {
    this.filterManager.addReadFilter(filter);
    this.filterManager.addWriteFilter(filter);
    this.addConnectionCallbacks(filter);
  }

  enableHalfClose(): void {
    this.halfCloseEnabled = true;
  }

  setByteCounters(counters: ByteCounters): void {
    this.counters = counters;
  }

  /** Downstream set-up: the read filters' onNewConnection chain, then the Connected event, then reading. */
  initializeReadFilters(): void {
    this.filterManager.initializeReadFilters();
    if (!this.isOpen()) return;
    this.raiseEvent(ConnectionEvent.Connected);
    this.startReading();
  }

  readDisable(disable: boolean): void {
    if (!this.isOpen()) return;
    if (disable) {
      if (++this.readDisableCount === 1) this.applyReadState();
      return;
    }
    if (this.readDisableCount === 0) throw new Error(`[C${this.info.id}] readDisable(false) without readDisable(true)`);
    if (--this.readDisableCount === 0) this.applyReadState();
    // Bytes already read would otherwise wait for more bytes from the peer before reaching the filters.
    if (this.readBuffer.length > 0 && this.filterChainWantsData()) this.scheduleBufferedDispatch();
  }

  /** Writes through the write filters; on Continue what is left in `data` goes to the socket (then FIN if endStream). */
  write(data: ByteBuffer, endStream: boolean): void {
    if (this.writeEndStream) return;
    if (this.filterManager.onWrite(data, endStream) === FilterStatus.StopIteration) return;
    this.writeEndStream = endStream;
    if (data.length > 0) this.writeToSocket(data.takeAll());
    if (endStream) this.socket.end();
  }

  close(type: CloseType): void {
    if (this.state === "closed") return;
    if (type === CloseType.NoFlush || this.connecting || this.socket.writableLength === 0) {
      this.closeSocket(ConnectionEvent.LocalClose);
    } else if (this.state === "open") {
      this.state = "closing";
      this.socket.end(); // "finish" closes the socket once everything buffered is written
    }
  }

  private startReading(): void {
    this.reading = true;
    this.socket.on("data", (chunk: Buffer) => this.onSocketData(chunk));
    this.applyReadState();
  }

  private applyReadState(): void {
    if (!this.reading) return;
    if (this.readDisableCount > 0) this.socket.pause();
    else this.socket.resume();
  }

  /** Envoy still dispatches to the filters when the only reason reading is disabled is a full read buffer. */
  private filterChainWantsData(): boolean {
    return this.readDisableCount === 0 || (this.readDisableCount === 1 && this.readBuffer.aboveHighWatermark);
  }

  private scheduleBufferedDispatch(): void {
    if (this.bufferedDispatchScheduled) return;
    this.bufferedDispatchScheduled = true;
    setImmediate(() => {
      this.bufferedDispatchScheduled = false;
      if (this.readBuffer.length > 0) this.onRead();
    });
  }

  private onSocketData(chunk: Buffer): void {
    if (!this.isOpen()) return;
    this.counters?.received.add(chunk.length);
    this.readBuffer.append(chunk);
    this.onRead();
  }

  private onRead(): void {
    if (!this.isOpen() || !this.filterChainWantsData()) return;
    if (this.endStreamRead) {
      if (this.endStreamRaised) return; // filters see the end of stream once
      this.endStreamRaised = true;
    }
    this.filterManager.onRead();
  }

  private onPeerEndOfStream(): void {
    if (!this.isOpen()) return;
    if (!this.halfCloseEnabled) {
      this.closeSocket(ConnectionEvent.RemoteClose);
      return;
    }
    this.endStreamRead = true;
    this.onRead();
    if (this.writeEndStream && this.socket.writableFinished) this.closeSocket(ConnectionEvent.RemoteClose);
  }

  /** Our FIN went out after every byte written before it. */
  private onOwnEndOfStreamFlushed(): void {
    if (this.state === "closing" || this.endStreamRead) this.closeSocket(ConnectionEvent.LocalClose);
  }

  private onConnected(): void {
    this.connecting = false;
    if (this.isOpen()) this.raiseEvent(ConnectionEvent.Connected);
  }

  private writeToSocket(bytes: Uint8Array): void {
    this.counters?.sent.add(bytes.length);
    this.socket.write(bytes, () => this.checkWriteLowWatermark());
    const limit = this.bufferLimitBytes;
    if (limit > 0 && !this.aboveWriteHighWatermark && this.socket.writableLength > limit) {
      this.aboveWriteHighWatermark = true;
      for (const callbacks of [...this.callbacks]) callbacks.onAboveWriteBufferHighWatermark?.();
    }
  }

  private checkWriteLowWatermark(): void {
    if (!this.isOpen() || !this.aboveWriteHighWatermark) return;
    if (this.socket.writableLength > this.bufferLimitBytes / 2) return;
    this.aboveWriteHighWatermark = false;
    for (const callbacks of [...this.callbacks]) callbacks.onBelowWriteBufferLowWatermark?.();
  }

  private closeSocket(event: ConnectionEvent): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.socket.destroy();
    this.raiseEvent(event);
  }

  private raiseEvent(event: ConnectionEvent): void {
    for (const callbacks of [...this.callbacks]) callbacks.onEvent(event);
  }
}

// One HTTP/2 stream's state (RFC 9113 Section 5.1) as this side tracks it: which ends are closed, its flow-control
// windows, the data waiting for the peer's window, and what the received message promised (content-length).
import { ByteBuffer } from "../bytes";

@final
export class Stream {
  id: u32 = 0;
  /** We sent END_STREAM (half-closed local). */
  localEnded: bool = false;
  /** END_STREAM is to follow the queued data (or the queued trailers). */
  endQueued: bool = false;
  /** The peer sent END_STREAM (half-closed remote). */
  remoteEnded: bool = false;
  /** The peer's final (non-1xx) headers arrived: a further HEADERS is trailers. */
  headersReceived: bool = false;
  /** We sent our (final) headers. */
  headersSent: bool = false;
  /** A request we sent with :method HEAD: its response carries a content-length but no body. */
  headRequest: bool = false;
  /** What we may still send (the peer's window for this stream); negative after a smaller SETTINGS value. */
  sendWindow: i64 = 0;
  /** What the peer may still send. */
  receiveWindow: i64 = 0;
  /** Bytes received and handed over since the last WINDOW_UPDATE for this stream. */
  receivedUnacknowledged: i32 = 0;
  /** The received message's content-length, or -1; and its DATA bytes so far. */
  expectedLength: i64 = -1;
  receivedLength: i64 = 0;
  /** Data waiting for the windows: `queue` from `queueSent` on. */
  readonly queue: ByteBuffer = new ByteBuffer();
  queueSent: i32 = 0;
  /** Trailers to send once the queue is empty (encoded without the dynamic table: see HpackEncoder.encode). */
  readonly queuedTrailers: ByteBuffer = new ByteBuffer();
  /** Has something queued (counted in the connection's ready streams). */
  ready: bool = false;
  /** The next free stream in the table's pool. */
  nextFree: Stream | null = null;

  /** Starts stream `id` (the queues are empty: the table empties them when a stream closes). */
  reset(id: u32, sendWindow: i64, receiveWindow: i64): void {
    this.id = id;
    this.localEnded = false;
    this.endQueued = false;
    this.remoteEnded = false;
    this.headersReceived = false;
    this.headersSent = false;
    this.headRequest = false;
    this.sendWindow = sendWindow;
    this.receiveWindow = receiveWindow;
    this.receivedUnacknowledged = 0;
    this.expectedLength = -1;
    this.receivedLength = 0;
    this.queueSent = 0;
    this.ready = false;
    this.nextFree = null;
  }

  /** Queued data bytes not sent yet. */
  get queued(): i32 {
    return this.queue.length - this.queueSent;
  }

  /** Has anything to send once the windows allow. */
  get hasQueued(): bool {
    return this.queued > 0 || this.queuedTrailers.length > 0 || (this.endQueued && !this.localEnded);
  }
}

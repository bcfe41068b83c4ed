// A downstream connection as the proxy's filter manager and tcp_proxy present it to a network filter, without
// sockets: the ReadFilterCallbacks the filter gets, a read buffer presented whole on each read (and taken by the
// next filter on Continue), the write path, and close events. For tests and benchmarks of a filter:
//   const connection = new FakeConnection(factory.createFilter(), info);
//   connection.start(); connection.send(bytes); connection.event(ConnectionEvent.RemoteClose);
import {
  ByteBuffer,
  CloseType,
  type ConnectionEvent,
  type ConnectionInfo,
  type FilterStateLifeSpan,
  FilterStatus,
  type NetworkFilter,
  type ReadFilterCallbacks,
} from "../../api.ts";

export class FakeConnection implements ReadFilterCallbacks {
  readonly closes: CloseType[] = [];
  continueReadingCalls = 0;
  readonly state = new Map<string, { value: string; lifeSpan: FilterStateLifeSpan }>();
  readonly filterState = {
    set: (key: string, value: string, lifeSpan: FilterStateLifeSpan) => void this.state.set(key, { value, lifeSpan }),
    get: (key: string) => this.state.get(key)?.value,
  };
  /** The connection's read buffer, presented whole to each onData. */
  readonly readBuffer = new ByteBuffer();
  /** What the filter let through to the next filter (tcp_proxy), read by read. */
  readonly forwarded: Uint8Array[] = [];

  constructor(
    readonly filter: NetworkFilter,
    readonly connection: ConnectionInfo,
    /** Where "Connection <id> close <type>" and "Connection <id> continueReading" are recorded, in call order. */
    readonly timeline: string[] = [],
  ) {
    filter.initializeReadFilterCallbacks(this);
  }

  continueReading(): void {
    this.continueReadingCalls++;
    this.timeline.push(`Connection ${this.connection.id} continueReading`);
  }

  close(type: CloseType): void {
    this.closes.push(type);
    this.timeline.push(`Connection ${this.connection.id} close ${CloseType[type]}`);
  }

  readDisable(): void {}

  start(): FilterStatus {
    return this.filter.onNewConnection();
  }

  /**
   * Appends `data` to the read buffer and presents the whole buffer, like Envoy's read path; on Continue the next
   * filter (tcp_proxy) takes all of it, on StopIteration it stays for the next read.
   */
  send(data: string | Uint8Array, endStream = false): FilterStatus {
    this.readBuffer.append(typeof data === "string" ? new TextEncoder().encode(data) : data);
    const status = this.filter.onData(this.readBuffer, endStream);
    if (status === FilterStatus.Continue) this.forwarded.push(this.readBuffer.takeAll());
    return status;
  }

  forwardedText(): string[] {
    return this.forwarded.map((bytes) => new TextDecoder().decode(bytes));
  }

  /** Upstream bytes on their way to the client. */
  receive(data: string | Uint8Array, endStream = false): { status: FilterStatus; buffer: ByteBuffer } {
    const buffer = new ByteBuffer(typeof data === "string" ? new TextEncoder().encode(data) : data);
    return { status: this.filter.onWrite(buffer, endStream), buffer };
  }

  event(event: ConnectionEvent): void {
    this.filter.onEvent(event);
  }
}

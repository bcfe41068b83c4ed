// Envoy's Network::FilterManagerImpl: the order in which a connection's filters see it.
// - Read filters are initialised lazily: a filter's onNewConnection runs the first time iteration reaches it, and
//   StopIteration from it stops iteration there.
// - Every read restarts iteration at the first filter with the connection's WHOLE undrained read buffer; a filter's
//   continueReading() resumes at the filter after it, with the same whole buffer.
// - Write filters run in the reverse order of the chain. There is no continue on the write path: on StopIteration the
//   bytes stay in the caller's buffer and are only presented again with the next write.
// Iteration stops as soon as the connection is no longer open (a filter may close it from any callback).
import {
  FilterStatus,
  type ByteBuffer,
  type CloseType,
  type ConnectionInfo,
  type FilterState,
  type NetworkFilter,
  type ReadFilterCallbacks,
} from "../api.ts";

export type ReadFilter = Pick<NetworkFilter, "initializeReadFilterCallbacks" | "onNewConnection" | "onData">;
export type WriteFilter = Pick<NetworkFilter, "onWrite">;

/** What the filter manager needs from its connection. */
export interface FilterManagerConnection {
  readonly info: ConnectionInfo;
  readonly filterState: FilterState;
  /** The undrained bytes read from the peer. */
  readonly readBuffer: ByteBuffer;
  /** The peer has half-closed: no byte will follow what is in the read buffer. */
  readonly readEndStream: boolean;
  /** False once closed, and while closing with FlushWrite. */
  isOpen(): boolean;
  close(type: CloseType): void;
  readDisable(disable: boolean): void;
}

interface ActiveReadFilter {
  readonly filter: ReadFilter;
  initialized: boolean;
}

export class FilterManager {
  private readonly readFilters: ActiveReadFilter[] = [];
  /** In the order onWrite runs them: the reverse of the order they were added. */
  private readonly writeFilters: WriteFilter[] = [];

  constructor(private readonly connection: FilterManagerConnection) {}

  addReadFilter(filter: ReadFilter): void {
    const active: ActiveReadFilter = { filter, initialized: false };
    this.readFilters.push(active);
    filter.initializeReadFilterCallbacks(this.callbacksFor(active));
  }

  addWriteFilter(filter: WriteFilter): void {
    this.writeFilters.unshift(filter);
  }

  /** Runs at connection set-up: onNewConnection of each filter, in order, until one stops iteration. */
  initializeReadFilters(): void {
    this.continueReading(0);
  }

  /** New bytes (or the peer's half-close) arrived: present the whole read buffer from the first filter on. */
  onRead(): void {
    this.continueReading(0);
  }

  /** Runs the write filters over `data`; on Continue the caller writes what is left in `data` to the socket. */
  onWrite(data: ByteBuffer, endStream: boolean): FilterStatus {
    if (!this.connection.isOpen()) return FilterStatus.StopIteration;
    for (const filter of this.writeFilters) {
      const status = filter.onWrite(data, endStream);
      if (status === FilterStatus.StopIteration || !this.connection.isOpen()) return FilterStatus.StopIteration;
    }
    return FilterStatus.Continue;
  }

  private continueReading(from: number): void {
    if (!this.connection.isOpen()) return;
    for (const entry of this.readFilters.slice(from)) {
      if (!entry.initialized) {
        entry.initialized = true;
        const status = entry.filter.onNewConnection();
        if (status === FilterStatus.StopIteration || !this.connection.isOpen()) return;
      }
      const { readBuffer, readEndStream } = this.connection;
      if (readBuffer.length > 0 || readEndStream) {
        const status = entry.filter.onData(readBuffer, readEndStream);
        if (status === FilterStatus.StopIteration || !this.connection.isOpen()) return;
      }
    }
  }

  private callbacksFor(active: ActiveReadFilter): ReadFilterCallbacks {
    const connection = this.connection;
    return {
      connection: connection.info,
      filterState: connection.filterState,
      continueReading: () => this.continueReading(this.readFilters.indexOf(active) + 1),
      close: (type) => connection.close(type),
      readDisable: (disable) => connection.readDisable(disable),
    };
  }
}

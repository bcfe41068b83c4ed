// Requests in flight on one connection, keyed by request id, so that a response finds its request's start time
// and metadata (responses may come back in any order on multiplexed protocols). Entries are pooled.
import { ErrorType } from "./codec";
import { Metadata } from "./metadata";
import { Route } from "./route";

@final
export class InFlightRequest {
  metadata: Metadata = new Metadata();
  startNs: u64 = 0;
  /** The route the request took (for its response's mutation), or null. */
  route: Route | null = null;
  /** Rejected: a carrier went upstream in its place, and its answer must become this error. */
  rejected: bool = false;
  error: ErrorType = ErrorType.Unspecified;
  message: string = "";
}

@final
export class RequestTable {
  /** Made with the first request: an idle connection holds neither. */
  private byId: Map<u64, InFlightRequest> | null = null;
  private pool: Array<InFlightRequest> | null = null;

  constructor(private readonly capacity: i32) {}

  get size(): i32 {
    const byId = this.byId;
    return byId === null ? 0 : byId.size;
  }

  /** Tracks `request`. Returns null (and tracks nothing) when the table is full or the id is already in flight. */
  start(request: Metadata, nowNs: u64): InFlightRequest | null {
    let byId = this.byId;
    if (byId === null) {
      this.byId = byId = new Map();
      this.pool = [];
    }
    if (byId.size >= this.capacity || byId.has(request.requestId)) return null;
    const pool = this.pool!;
    const entry = pool.length > 0 ? pool.pop() : new InFlightRequest();
    entry.metadata.copyFrom(request);
    entry.startNs = nowNs;
    entry.route = null;
    entry.rejected = false;
    byId.set(request.requestId, entry);
    return entry;
  }

  /** Whether the request `id` was rejected and its carrier's answer is awaited. */
  awaitsCarrierAnswer(id: u64): bool {
    const byId = this.byId;
    return byId !== null && byId.has(id) && byId.get(id).rejected;
  }

  /** Removes and returns the request with `id`, or null. Hand it back with `release` when done. */
  take(id: u64): InFlightRequest | null {
    const byId = this.byId;
    if (byId === null || !byId.has(id)) return null;
    const entry = byId.get(id);
    byId.delete(id);
    return entry;
  }

  release(entry: InFlightRequest): void {
    const pool = this.pool;
    if (pool !== null) pool.push(entry);
  }

  /** Removes every request (the connection is closing) and returns how many there were. */
  clear(): i32 {
    const n = this.size;
    this.byId = null;
    this.pool = null;
    return n;
  }
}

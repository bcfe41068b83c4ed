// Requests in flight on one connection, keyed by request id, so that a response finds its request's start time
// and metadata (responses may come back in any order on multiplexed protocols). Entries are pooled.
import { ErrorType } from "./codec";
import { IdMap } from "../lib/id_map";
import { Metadata } from "./metadata";
import { MethodMetrics } from "./stats/method_stats";
import { Route } from "../chain/router/route";

@final
export class InFlightRequest {
  metadata: Metadata = new Metadata();
  startNs: u64 = 0;
  /** The route the request took (for its response's mutation), or null. */
  route: Route | null = null;
  /** Its per-method metrics (set when it is counted active: `Stats.requestStarted`), or null. */
  method: MethodMetrics | null = null;
  /** Rejected: a carrier went upstream in its place, and its answer must become this error. */
  rejected: bool = false;
  error: ErrorType = ErrorType.Unspecified;
  message: string = "";
  /** In the table (between `start` and `take`). */
  inFlight: bool = false;
}

/** Stands for the pool and the list of entries until the first request (never written to). */
const EMPTY: Array<InFlightRequest> = [];

@final
export class RequestTable {
  /** Made with the first request: an idle connection holds none of them. */
  private byId: IdMap<InFlightRequest> | null = null;
  private pool: Array<InFlightRequest> = EMPTY;
  /** Every entry made, in flight or pooled (so that `clear` walks them without building a list). */
  private made: Array<InFlightRequest> = EMPTY;

  constructor(private readonly capacity: i32) {}

  get size(): i32 {
    const byId = this.byId;
    return byId === null ? 0 : byId.size;
  }

  /**
   * Tracks `request`, with its key/values when `withKeyValues` (for the access log, or an error reply to write
   * later). Returns null (and tracks nothing) when the table is full or the id is already in flight.
   */
  start(request: Metadata, nowNs: u64, withKeyValues: bool): InFlightRequest | null {
    let byId = this.byId;
    if (byId === null) {
      this.byId = byId = new IdMap<InFlightRequest>();
      this.pool = [];
      this.made = [];
    }
    if (byId.size >= this.capacity || byId.get(request.requestId) !== null) return null;
    const entry = this.pool.length > 0 ? this.pool.pop() : this.make();
    if (withKeyValues) entry.metadata.copyFrom(request);
    else entry.metadata.copyMessageFieldsFrom(request);
    entry.startNs = nowNs;
    entry.route = null;
    entry.method = null;
    entry.rejected = false;
    entry.inFlight = true;
    byId.set(request.requestId, entry);
    return entry;
  }

  /** Whether the request `id` was rejected and its carrier's answer is awaited. */
  awaitsCarrierAnswer(id: u64): bool {
    const byId = this.byId;
    if (byId === null) return false;
    const entry = byId.get(id);
    return entry !== null && entry.rejected;
  }

  /** Removes and returns the request with `id`, or null. Hand it back with `release` when done. */
  take(id: u64): InFlightRequest | null {
    const byId = this.byId;
    if (byId === null) return null;
    const entry = byId.take(id);
    if (entry !== null) entry.inFlight = false;
    return entry;
  }

  release(entry: InFlightRequest): void {
    if (this.byId !== null) this.pool.push(entry); // not after `clear`: EMPTY stays empty
  }

  /**
   * Removes every request (the connection is closing) and returns how many there were; each one's per-method
   * request_active gauge is lowered here (the caller lowers the plugin-wide one by the count).
   */
  clear(): i32 {
    const n = this.size;
    const made = this.made;
    for (let i = 0, count = made.length; i < count; i++) {
      const entry = unchecked(made[i]);
      const method = entry.method;
      if (entry.inFlight && method !== null) {
        method.touch();
        method.requestActive.add(-1);
      }
    }
    this.byId = null;
    this.pool = EMPTY;
    this.made = EMPTY;
    return n;
  }

  private make(): InFlightRequest {
    const entry = new InFlightRequest();
    this.made.push(entry);
    return entry;
  }
}

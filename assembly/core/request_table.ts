// A connection's requests: the ones in flight, keyed by request id so that a response finds its request in any order
// (multiplexed protocols answer out of order), and a pool of finished ones for reuse: a request allocates nothing
// once its connection has seen as many at a time.
import { IdMap } from "../lib/id_map";
import { REQUEST_ACTIVE } from "./metrics";
import { Request } from "./request";
import { Stats } from "./stats/stats";

/** Stands for the pool until the first request (never written to). */
const EMPTY: Array<Request> = [];

@final
export class RequestTable {
  /** Made with the first request: an idle connection holds none of this. */
  private byId: IdMap<Request> | null = null;
  private pool: Array<Request> = EMPTY;

  constructor(private readonly capacity: i32) {}

  get size(): i32 {
    const byId = this.byId;
    return byId === null ? 0 : byId.size;
  }

  /** A request object to decode the next request into: hand it back with `release` unless `track` kept it. */
  acquire(): Request {
    if (this.byId === null) {
      this.byId = new IdMap<Request>();
      this.pool = [];
    }
    return this.pool.length > 0 ? this.pool.pop() : new Request();
  }

  /**
   * Puts `request` in flight, to be found by its id; false (and nothing tracked) when the table is full or the id
   * is already in flight.
   */
  track(request: Request): bool {
    const byId = this.byId!;
    const id = request.metadata.requestId;
    if (byId.size >= this.capacity || byId.get(id) !== null) return false;
    request.inFlight = true;
    byId.set(id, request);
    return true;
  }

  /** The request in flight with `id`, left in flight, or null. */
  find(id: u64): Request | null {
    const byId = this.byId;
    return byId === null ? null : byId.get(id);
  }

  /** Removes and returns the request in flight with `id`, or null. Hand it back with `release` when done. */
  take(id: u64): Request | null {
    const byId = this.byId;
    if (byId === null) return null;
    const request = byId.take(id);
    if (request !== null) request.inFlight = false;
    return request;
  }

  release(request: Request): void {
    if (this.byId !== null) this.pool.push(request); // not after `clear`: EMPTY stays empty
  }

  /**
   * Removes every request (the connection is closing) and returns how many were in flight; each one is taken off
   * the request_active gauges.
   */
  clear(stats: Stats): i32 {
    const byId = this.byId;
    if (byId === null) return 0;
    const abandoned = byId.size;
    for (let slot = 0, n = byId.slots; slot < n; slot++) {
      const request = byId.valueAt(slot);
      if (request !== null) stats.add(REQUEST_ACTIVE, -1, request.method);
    }
    this.byId = null;
    this.pool = EMPTY;
    return abandoned;
  }
}

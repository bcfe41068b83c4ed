// One call in flight on a bridge connection, keyed by its HTTP/2 stream: what the side must remember of the
// request until its answer, and the answer's body as it comes. Pooled per connection.
import { HeaderList } from "../../lib/hpack/header_list";
import { IdMap } from "../../lib/id_map";
import { HeldBytes } from "../held_bytes";
import { Metadata } from "../metadata";
import { Mutation } from "../mutation";
import { REQUEST_ACTIVE } from "../metrics";
import { MetricGroup } from "../stats/metric_group";
import { Stats } from "../stats/stats";
import { MessageBody } from "./message_body";

@final
export class BridgeCall {
  streamId: u32 = 0;
  /** Whether the call is in its connection's table (under `streamId`). */
  tracked: bool = false;
  /** Whether the call counts in the request_active gauge (a two-way call sent on, awaiting its answer). */
  active: bool = false;
  /** The request as the client sent it (the client side answers with its id), or as Envoy sent it (server side). */
  readonly request: Metadata = new Metadata();
  /** The request's headers (server side: what Envoy added becomes a mutation once the body is read). */
  readonly headers: HeaderList = new HeaderList();
  method: MetricGroup | null = null;
  startNs: u64 = 0;
  oneway: bool = false;
  /** The response's status, once its headers came (client side). */
  status: i32 = 0;
  /** Whether the response is the server side's (the body is the server's frame) rather than Envoy's own. */
  fromServer: bool = false;
  /** Headers Envoy added to the call, to set on the frame. */
  readonly mutation: Mutation = new Mutation();
  readonly body: MessageBody = new MessageBody();

  reset(): void {
    this.streamId = 0;
    this.tracked = false;
    this.active = false;
    this.request.reset();
    this.headers.clear();
    this.method = null;
    this.oneway = false;
    this.status = 0;
    this.fromServer = false;
    this.mutation.clear();
  }
}

/** Stands for the pool until the first call (never written to). */
const EMPTY: Array<BridgeCall> = [];

/** The calls in flight of one connection, by stream id, at most `capacity`; an idle connection holds nothing. */
@final
export class BridgeCalls {
  private byStream: IdMap<BridgeCall> | null = null;
  private pool: Array<BridgeCall> = EMPTY;

  constructor(private readonly capacity: i32, private readonly account: HeldBytes, private readonly stats: Stats) {}

  get size(): i32 {
    const byStream = this.byStream;
    return byStream === null ? 0 : byStream.size;
  }

  get full(): bool {
    return this.size >= this.capacity;
  }

  /** A call to fill in, not in flight until `track` (the caller checked `full`); give it back with `close`. */
  acquire(nowNs: u64): BridgeCall {
    if (this.byStream === null) {
      this.byStream = new IdMap<BridgeCall>();
      this.pool = [];
    }
    const call = this.pool.length > 0 ? this.pool.pop() : new BridgeCall();
    call.reset();
    call.startNs = nowNs;
    return call;
  }

  /** Puts `call` in flight on `streamId`. */
  track(call: BridgeCall, streamId: u32): void {
    call.streamId = streamId;
    call.tracked = true;
    this.byStream!.set(streamId, call);
  }

  /** Counts `call` in request_active until it ends, however it ends. */
  activate(call: BridgeCall): void {
    call.active = true;
    this.stats.add(REQUEST_ACTIVE, 1, call.method);
  }

  find(streamId: u32): BridgeCall | null {
    const byStream = this.byStream;
    return byStream === null ? null : byStream.get(streamId);
  }

  /** Ends `call` (answered, its stream ended, or never sent): its object goes back to the pool. */
  close(call: BridgeCall): void {
    const byStream = this.byStream;
    if (byStream === null) return; // the connection is gone: the pool with it
    if (call.tracked) byStream.take(call.streamId);
    call.tracked = false;
    this.deactivate(call);
    call.body.clear(this.account);
    this.pool.push(call);
  }

  /** Memory held for bodies spread over frames. */
  get heldCapacity(): i32 {
    const byStream = this.byStream;
    if (byStream === null) return 0;
    let held = 0;
    for (let slot = 0, n = byStream.slots; slot < n; slot++) {
      const call = byStream.valueAt(slot);
      if (call !== null) held += call.body.heldCapacity;
    }
    return held;
  }

  /** Ends every call (the connection is gone); returns how many were in flight. */
  clear(): i32 {
    const byStream = this.byStream;
    if (byStream === null) return 0;
    const abandoned = byStream.size;
    for (let slot = 0, n = byStream.slots; slot < n; slot++) {
      const call = byStream.valueAt(slot);
      if (call !== null) {
        call.body.clear(this.account);
        this.deactivate(call);
      }
    }
    this.byStream = null;
    this.pool = EMPTY;
    return abandoned;
  }

  private deactivate(call: BridgeCall): void {
    if (!call.active) return;
    call.active = false;
    this.stats.add(REQUEST_ACTIVE, -1, call.method);
  }
}

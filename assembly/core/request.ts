// One request, from its decoding to its response (or to the end of the filter chain when none is awaited): what the
// codec read, what the filters decided, and what its response and the access log need. Requests are pooled per
// connection (request_table.ts) and passed explicitly to every filter; nothing about a request lives anywhere else.
import { ErrorType } from "./codec";
import { ConnectionInfo } from "./connection_info";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { MetricGroup } from "./stats/metric_group";
import { MetricDef } from "./stats/metric";
import { Stats } from "./stats/stats";

/** What a filter keeps about one request (its own subclass); made once per pooled request, reset before reuse. */
export abstract class RequestState {
  abstract reset(): void;
}

export enum FilterStatus {
  /** Let the request go on to the next filter, then upstream. */
  Continue = 0,
  /** Stop the request here: the framework answers it with the error set by `Request.reject`. */
  Reject = 1,
  /**
   * The filter started an asynchronous call: the connection's later bytes wait, in order, until its answer comes
   * back to the filter's `onResume`.
   */
  Pause = 2,
}

@final
export class Request {
  connection!: ConnectionInfo;
  /** The decoded request: message type, id, key/values (filters may add key/values). */
  readonly metadata: Metadata = new Metadata();
  /** When it arrived (for a paused request: when it first arrived), and the time of the event now processing it. */
  startNs: u64 = 0;
  nowNs: u64 = 0;
  /** Its per-method metrics, or null (no method, or the bound is reached). */
  method: MetricGroup | null = null;
  /** Key/values filters want set on the request, applied in order. */
  readonly mutations: Array<Mutation> = [];
  /** The name of the route it took ("" when none). */
  routeName: string = "";
  /** Answered by the filter: the error the client gets, and why. */
  rejected: bool = false;
  error: ErrorType = ErrorType.Unspecified;
  message: string = "";
  /** The position in the chain of the filter that paused it, or -1. */
  pausedFilter: i32 = -1;
  /** Waiting in the connection's request table for its response. */
  inFlight: bool = false;

  private stats!: Stats;
  /** By filter position (made by each filter on first use). */
  private states: Array<RequestState | null> = [];
  /** A paused request's own copy of its mutations: filters reuse their mutation objects for later requests. */
  private saved: Mutation | null = null;

  /** Starts a new request on `connection`, at `nowNs`. */
  begin(connection: ConnectionInfo, stats: Stats, nowNs: u64): void {
    this.connection = connection;
    this.stats = stats;
    this.metadata.reset();
    this.startNs = nowNs;
    this.nowNs = nowNs;
    this.method = null;
    this.mutations.length = 0;
    this.routeName = "";
    this.rejected = false;
    this.error = ErrorType.Unspecified;
    this.message = "";
    this.pausedFilter = -1;
    this.inFlight = false;
    const states = this.states;
    for (let i = 0, n = states.length; i < n; i++) {
      const state = unchecked(states[i]);
      if (state !== null) state.reset();
    }
  }

  /** Counts one of `metric` for this request (for its method too, when the metric is per method). */
  @inline count(metric: MetricDef): void {
    this.stats.inc(metric, this.method);
  }

  /** Rejects the request: the client gets `error`'s reply with `message` (for a filter to return). */
  reject(error: ErrorType, message: string): FilterStatus {
    this.error = error;
    this.message = message;
    return FilterStatus.Reject;
  }

  addMutation(mutation: Mutation): void {
    this.mutations.push(mutation);
  }

  /** The state the filter at `position` keeps for this request, or null before it set one. */
  stateOf(position: i32): RequestState | null {
    return position < this.states.length ? unchecked(this.states[position]) : null;
  }

  setState(position: i32, state: RequestState): void {
    while (this.states.length <= position) this.states.push(null);
    this.states[position] = state;
  }

  /**
   * Keeps the request's mutations as they are now, for a request that waits (paused): the values filters handed in
   * may be overwritten by the next request, of this or any connection.
   */
  saveMutations(): void {
    const mutations = this.mutations;
    if (mutations.length == 0) return;
    let saved = this.saved;
    if (saved === null) this.saved = saved = new Mutation();
    saved.clear();
    for (let i = 0; i < mutations.length; i++) saved.setAllCopied(mutations[i]);
    mutations.length = 0;
    mutations.push(saved);
  }
}

// The filter chain every decoded message goes through (MetaProtocol's onMessageDecoded / onMessageEncoded).
// Filters decide per request; the framework carries the decision out on the wire.
import { ErrorType } from "./codec";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { InFlightRequest } from "./request_table";
import { Route } from "../chain/router/route";

export enum FilterStatus {
  /** Let the request go on to the next filter, then upstream. */
  Continue = 0,
  /** Stop the request here: the framework answers it with the error set by `RequestContext.reject`. */
  Reject = 1,
  /**
   * The filter started an asynchronous check: the connection's later bytes are held, in order, until the answer
   * comes back through `FilterChain.resume`, which calls the filter's `onResume`.
   */
  Pause = 2,
}

/** Facts about the connection a message arrived on. */
export interface ConnectionInfo {
  /** Envoy's connection id (the one its own access logs show). */
  readonly id: u64;
  /** The cluster this connection goes to, once a filter chose it ("" until then). */
  readonly cluster: string;
  /** Chooses the connection's cluster (tcp_proxy connects to it); only the first choice counts. */
  chooseCluster(name: string): void;
}

/** One request on its way through the chain: what filters read, and what they decide. Reused per connection. */
@final
export class RequestContext {
  connection!: ConnectionInfo;
  request!: Metadata;
  nowNs: u64 = 0;
  /** Key/values filters want set on the request (each filter adds its own, applied in order). */
  mutations: Array<Mutation> = [];
  /** The route the router picked, or null. */
  route: Route | null = null;
  /** When a filter rejects: the error the client must see. */
  error: ErrorType = ErrorType.Unspecified;
  message: string = "";
  /** When a filter paused the request: its index in the chain (for `FilterChain.resume`), else -1. */
  pausedAt: i32 = -1;

  begin(connection: ConnectionInfo, request: Metadata, nowNs: u64): RequestContext {
    this.connection = connection;
    this.request = request;
    this.nowNs = nowNs;
    this.mutations.length = 0;
    this.route = null;
    this.error = ErrorType.Unspecified;
    this.message = "";
    this.pausedAt = -1;
    return this;
  }

  reject(error: ErrorType, message: string): FilterStatus {
    this.error = error;
    this.message = message;
    return FilterStatus.Reject;
  }
}

export abstract class Filter {
  /** Every decoded request, one-way call and heartbeat, in arrival order. */
  onRequest(context: RequestContext): FilterStatus {
    return FilterStatus.Continue;
  }

  /**
   * The answer to the check this filter paused the request for (`answer` is the filter's own code). The filters
   * before this one do not run again: what they added to the request (metadata, mutations) was kept for it.
   */
  onResume(context: RequestContext, answer: i32): FilterStatus {
    return FilterStatus.Continue;
  }

  /** Every decoded response; `request` is its in-flight request, or null when none matches. */
  onResponse(connection: ConnectionInfo, response: Metadata, request: InFlightRequest | null, nowNs: u64): void {}
}

@final
export class FilterChain {
  private filters: Array<Filter> = [];

  add(filter: Filter): FilterChain {
    this.filters.push(filter);
    return this;
  }

  /**
   * Runs the filters in order until one rejects or pauses. On Pause, `pausedAt` says which filter paused: the
   * connection keeps it and hands it back to `resume`.
   */
  onRequest(context: RequestContext): FilterStatus {
    return this.runFrom(0, context);
  }

  /** Delivers the answer to the filter at `pausedAt`, then runs the filters after it. */
  resume(pausedAt: i32, context: RequestContext, answer: i32): FilterStatus {
    if (pausedAt < 0 || pausedAt >= this.filters.length) return FilterStatus.Continue;
    const status = unchecked(this.filters[pausedAt]).onResume(context, answer);
    return status == FilterStatus.Continue ? this.runFrom(pausedAt + 1, context) : this.stoppedAt(pausedAt, status, context);
  }

  private runFrom(first: i32, context: RequestContext): FilterStatus {
    for (let i = first, n = this.filters.length; i < n; i++) {
      const status = unchecked(this.filters[i]).onRequest(context);
      if (status != FilterStatus.Continue) return this.stoppedAt(i, status, context);
    }
    return FilterStatus.Continue;
  }

  private stoppedAt(index: i32, status: FilterStatus, context: RequestContext): FilterStatus {
    context.pausedAt = status == FilterStatus.Pause ? index : -1;
    return status;
  }

  /** Runs the filters in reverse order, as Envoy runs encoder filters. */
  onResponse(connection: ConnectionInfo, response: Metadata, request: InFlightRequest | null, nowNs: u64): void {
    for (let i = this.filters.length - 1; i >= 0; i--) {
      unchecked(this.filters[i]).onResponse(connection, response, request, nowNs);
    }
  }
}

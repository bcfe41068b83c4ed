// The filter chain every decoded message goes through (MetaProtocol's onMessageDecoded / onMessageEncoded).
// Filters decide per request; the framework carries the decision out on the wire.
import { ErrorType } from "./codec";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { InFlightRequest } from "./request_table";
import { Route } from "./route";

export enum FilterStatus {
  /** Let the request go on to the next filter, then upstream. */
  Continue = 0,
  /** Stop the request here: the framework answers it with the error in `Rejection`. */
  Reject = 1,
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

  begin(connection: ConnectionInfo, request: Metadata, nowNs: u64): RequestContext {
    this.connection = connection;
    this.request = request;
    this.nowNs = nowNs;
    this.mutations.length = 0;
    this.route = null;
    this.error = ErrorType.Unspecified;
    this.message = "";
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

  /** Runs the filters in order until one rejects. */
  onRequest(context: RequestContext): FilterStatus {
    for (let i = 0, n = this.filters.length; i < n; i++) {
      if (unchecked(this.filters[i]).onRequest(context) != FilterStatus.Continue) {
        return FilterStatus.Reject;
      }
    }
    return FilterStatus.Continue;
  }

  /** Runs the filters in reverse order, as Envoy runs encoder filters. */
  onResponse(connection: ConnectionInfo, response: Metadata, request: InFlightRequest | null, nowNs: u64): void {
    for (let i = this.filters.length - 1; i >= 0; i--) {
      unchecked(this.filters[i]).onResponse(connection, response, request, nowNs);
    }
  }
}

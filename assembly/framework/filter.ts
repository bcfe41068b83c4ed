// The filter chain every decoded message goes through (MetaProtocol's onMessageDecoded / onMessageEncoded).
// Filters decide per request; the framework carries the decision out on the wire.
import { ErrorType } from "./codec";
import { Metadata } from "./metadata";
import { InFlightRequest } from "./request_table";

export enum FilterStatus {
  /** Let the request go on to the next filter, then upstream. */
  Continue = 0,
  /** Stop the request here: the framework answers it with the error in `Rejection`. */
  Reject = 1,
}

/** What a rejecting filter fills in: the error the client must see. */
@final
export class Rejection {
  error: ErrorType = ErrorType.Unspecified;
  message: string = "";

  set(error: ErrorType, message: string): FilterStatus {
    this.error = error;
    this.message = message;
    return FilterStatus.Reject;
  }
}

/** Facts about the connection a message arrived on. */
export interface ConnectionInfo {
  readonly id: u32;
}

export abstract class Filter {
  /** Every decoded request, one-way call and heartbeat, in arrival order. */
  onRequest(connection: ConnectionInfo, request: Metadata, rejection: Rejection, nowNs: u64): FilterStatus {
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
  onRequest(connection: ConnectionInfo, request: Metadata, rejection: Rejection, nowNs: u64): FilterStatus {
    for (let i = 0, n = this.filters.length; i < n; i++) {
      if (unchecked(this.filters[i]).onRequest(connection, request, rejection, nowNs) != FilterStatus.Continue) {
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

// The filters every decoded message goes through (MetaProtocol's onMessageDecoded / onMessageEncoded), and the
// factories that make them from a plugin's configuration. Filters decide per request; the core carries the decision
// out on the wire. A filter is one folder under assembly/chain/, registered in assembly/chain/filters.ts.
import { JsonValue } from "../lib/json";
import { FieldErrors } from "../lib/json_fields";
import { AsyncAnswer } from "./async_answer";
import { FactoryContext } from "./factory_context";
import { KeyUsage } from "./key_usage";
import { FilterStatus, Request } from "./request";
import { Response } from "./response";

export abstract class Filter {
  /** The filter's position in its plugin's chain (the key of its per-request state). */
  position: i32 = -1;

  /** Declares the request and response key/values the filter reads (by default none). */
  declareKeys(usage: KeyUsage): void {}

  /**
   * Whether the filter may choose a connection's cluster from its first request (`ConnectionInfo.chooseCluster`): a
   * new connection is then held until that request went through the chain.
   */
  choosesCluster(): bool {
    return false;
  }

  /** Every decoded request, one-way call and heartbeat, in arrival order. */
  onRequest(request: Request): FilterStatus {
    return FilterStatus.Continue;
  }

  /**
   * The answer to the call this filter paused `request` for. The filters before this one do not run again: what they
   * added to the request (key/values, mutations) was kept.
   */
  onResume(request: Request, answer: AsyncAnswer): FilterStatus {
    return FilterStatus.Continue;
  }

  /** Every decoded response, heartbeats included, in reverse chain order (as Envoy runs encoder filters). */
  onResponse(response: Response): void {}
}

/** Makes a plugin's filter from the top-level fields of its configuration that the filter owns. */
export abstract class FilterFactory {
  /** The top-level configuration fields this filter reads (and no other filter does). */
  abstract fields(): Array<string>;

  /**
   * Reads the filter's fields of `config` (problems go to `errors`, naming the field) and makes the plugin's filter,
   * or returns null when the configuration does not ask for it.
   */
  abstract create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null;
}

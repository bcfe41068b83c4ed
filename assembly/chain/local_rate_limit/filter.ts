// Local rate limit: token buckets shared by all worker VMs of the plugin; a request over the limit is answered
// with an over-limit error.
import { ErrorType, MessageType } from "../../core/codec";
import { Filter } from "../../core/filter";
import { KeyUsage } from "../../core/key_usage";
import { matchesAll } from "../../core/matcher";
import { FilterStatus, Request } from "../../core/request";
import { SharedStore } from "../../core/shared_store";
import { LocalRateLimitConfig } from "./config";
import { RATELIMIT_OK } from "./metrics";
import { SharedTokenBucket } from "./token_bucket";

export class LocalRateLimit extends Filter {
  constructor(
    readonly config: LocalRateLimitConfig,
    private readonly store: SharedStore,
  ) {
    super();
  }

  declareKeys(usage: KeyUsage): void {
    const conditions = this.config.conditions;
    for (let i = 0; i < conditions.length; i++) usage.readsMatched(conditions[i].matchers);
  }

  onRequest(request: Request): FilterStatus {
    if (request.metadata.messageType == MessageType.Heartbeat) return FilterStatus.Continue;
    const bucket = this.bucketFor(request);
    if (bucket === null) return FilterStatus.Continue;
    if (bucket.tryTake(this.store, request.nowNs)) {
      request.count(RATELIMIT_OK);
      return FilterStatus.Continue;
    }
    return request.reject(ErrorType.OverLimit, "over the local rate limit");
  }

  private bucketFor(request: Request): SharedTokenBucket | null {
    const conditions = this.config.conditions;
    for (let i = 0; i < conditions.length; i++) {
      if (matchesAll(conditions[i].matchers, request.metadata)) return conditions[i].bucket;
    }
    return this.config.bucket;
  }
}

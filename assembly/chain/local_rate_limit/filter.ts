// Local rate limit: token buckets shared by all worker VMs of the plugin; a request over the limit is answered
// with an over-limit error. Counted as rate_limited / ratelimit_ok.
import { ErrorType, MessageType } from "../../core/codec";
import { Filter, FilterStatus, RequestContext } from "../../core/filter";
import { LocalRateLimitConfig } from "./config";
import { matchesAll } from "../router/route";
import { SharedStore } from "../../core/shared_store";
import { SharedTokenBucket } from "./token_bucket";
import { Stats } from "../../core/stats/stats";

export class LocalRateLimit extends Filter {
  constructor(
    private readonly config: LocalRateLimitConfig,
    private readonly store: SharedStore,
    private readonly stats: Stats,
  ) {
    super();
  }

  onRequest(context: RequestContext): FilterStatus {
    if (context.request.messageType == MessageType.Heartbeat) return FilterStatus.Continue;
    const bucket = this.bucketFor(context);
    if (bucket === null) return FilterStatus.Continue;
    if (bucket.tryTake(this.store, context.nowNs)) {
      this.stats.ratelimitOk.inc();
      return FilterStatus.Continue;
    }
    this.stats.rateLimitedRequest();
    return context.reject(ErrorType.OverLimit, "over the local rate limit");
  }

  private bucketFor(context: RequestContext): SharedTokenBucket | null {
    const conditions = this.config.conditions;
    for (let i = 0; i < conditions.length; i++) {
      if (matchesAll(conditions[i].matchers, context.request)) return conditions[i].bucket;
    }
    return this.config.bucket;
  }
}

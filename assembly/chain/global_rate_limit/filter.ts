// Global rate limit: asks Envoy's rate limit service (ShouldRateLimit) about each matching request and pauses the
// request, and the connection's later bytes, until the answer or the timeout. Over the limit: an over-limit error
// reply. When the service fails, `failure_mode_deny` decides. Counted as global_ratelimit_{ok,over_limit,error,
// failure_mode_allowed}, and rate_limited for every rejection.
import { ByteBuffer } from "../../lib/bytes";
import { ErrorType, MessageType } from "../../core/codec";
import { Filter, FilterStatus, RequestContext } from "../../core/filter";
import { GlobalRateLimitConfig } from "./config";
import { encodeRateLimitRequest, RateLimitAnswer, RateLimitService } from "./rls";
import { matchesAll } from "../router/route";
import { Stats } from "../../core/stats/stats";

export class GlobalRateLimit extends Filter {
  private request: ByteBuffer = new ByteBuffer();

  constructor(
    private readonly config: GlobalRateLimitConfig,
    private readonly service: RateLimitService,
    private readonly stats: Stats,
  ) {
    super();
  }

  onRequest(context: RequestContext): FilterStatus {
    const request = context.request;
    if (request.messageType == MessageType.Heartbeat || !matchesAll(this.config.matchers, request)) {
      return FilterStatus.Continue;
    }
    if (!encodeRateLimitRequest(this.config, request, this.request)) return FilterStatus.Continue;
    if (this.service.check(this.config.cluster, this.request, this.config.timeoutMs)) return FilterStatus.Pause;
    return this.onResume(context, RateLimitAnswer.Error);
  }

  onResume(context: RequestContext, answer: i32): FilterStatus {
    const stats = this.stats;
    if (answer == RateLimitAnswer.Ok) {
      stats.globalRatelimitOk.inc();
      return FilterStatus.Continue;
    }
    if (answer == RateLimitAnswer.OverLimit) {
      stats.globalRatelimitOverLimit.inc();
      stats.rateLimitedRequest();
      return context.reject(ErrorType.OverLimit, "over the global rate limit");
    }
    stats.globalRatelimitError.inc();
    if (!this.config.failureModeDeny) {
      stats.globalRatelimitFailureModeAllowed.inc();
      return FilterStatus.Continue;
    }
    stats.rateLimitedRequest();
    return context.reject(ErrorType.OverLimit, "rate limit service unavailable (failure_mode_deny)");
  }
}

// Global rate limit: asks Envoy's rate limit service (ShouldRateLimit) about each matching request and pauses the
// request, and the connection's later bytes, until the answer or the timeout. Over the limit: an over-limit error
// reply. When the service fails, `failure_mode_deny` decides.
import { ByteBuffer } from "../../lib/bytes";
import { ByteReader } from "../../lib/byte_reader";
import { AsyncAnswer } from "../../core/async_answer";
import { ErrorType, MessageType } from "../../core/codec";
import { Filter } from "../../core/filter";
import { GrpcClient } from "../../core/grpc_client";
import { KeyUsage } from "../../core/key_usage";
import { matchesAll } from "../../core/matcher";
import { FilterStatus, Request } from "../../core/request";
import { GlobalRateLimitConfig } from "./config";
import { GLOBAL_RATELIMIT_ERROR, GLOBAL_RATELIMIT_FAILURE_MODE_ALLOWED, GLOBAL_RATELIMIT_OK, GLOBAL_RATELIMIT_OVER_LIMIT } from "./metrics";
import { decodeRateLimitResponse, encodeRateLimitRequest, METHOD_NAME, RateLimitAnswer, SERVICE_NAME } from "./rls";

export class GlobalRateLimit extends Filter {
  private message: ByteBuffer = new ByteBuffer();
  private reader: ByteReader = new ByteReader();

  constructor(
    readonly config: GlobalRateLimitConfig,
    private readonly grpc: GrpcClient,
  ) {
    super();
  }

  declareKeys(usage: KeyUsage): void {
    usage.readsMatched(this.config.matchers);
    for (let i = 0; i < this.config.entries.length; i++) usage.reads(this.config.entries[i].property);
  }

  onRequest(request: Request): FilterStatus {
    const md = request.metadata;
    if (md.messageType == MessageType.Heartbeat || !matchesAll(this.config.matchers, md)) return FilterStatus.Continue;
    if (!encodeRateLimitRequest(this.config, md, this.message)) return FilterStatus.Continue;
    const config = this.config;
    if (this.grpc.call(config.cluster, SERVICE_NAME, METHOD_NAME, this.message, config.timeoutMs)) return FilterStatus.Pause;
    return this.decide(request, RateLimitAnswer.Error);
  }

  onResume(request: Request, answer: AsyncAnswer): FilterStatus {
    return this.decide(request, answer.ok ? decodeRateLimitResponse(this.reader, answer.ptr, answer.length) : RateLimitAnswer.Error);
  }

  private decide(request: Request, answer: RateLimitAnswer): FilterStatus {
    if (answer == RateLimitAnswer.Ok) {
      request.count(GLOBAL_RATELIMIT_OK);
      return FilterStatus.Continue;
    }
    if (answer == RateLimitAnswer.OverLimit) {
      request.count(GLOBAL_RATELIMIT_OVER_LIMIT);
      return request.reject(ErrorType.OverLimit, "over the global rate limit");
    }
    request.count(GLOBAL_RATELIMIT_ERROR);
    if (!this.config.failureModeDeny) {
      request.count(GLOBAL_RATELIMIT_FAILURE_MODE_ALLOWED);
      return FilterStatus.Continue;
    }
    return request.reject(ErrorType.OverLimit, "rate limit service unavailable (failure_mode_deny)");
  }
}

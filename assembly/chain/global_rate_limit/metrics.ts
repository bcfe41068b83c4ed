// The global rate limit's metrics (see assembly/core/stats/metric.ts for the form of each line); requests it rejects
// count as the core's rate_limited.
import { counter, Scope } from "../../core/stats/metric";

export const GLOBAL_RATELIMIT_OK = counter("global_ratelimit_ok", Scope.Plugin); // Requests the rate limit service let through
export const GLOBAL_RATELIMIT_OVER_LIMIT = counter("global_ratelimit_over_limit", Scope.Plugin); // Requests the rate limit service found over the limit
export const GLOBAL_RATELIMIT_ERROR = counter("global_ratelimit_error", Scope.Plugin); // Checks that failed (the call could not start, failed, timed out, or its answer was not a RateLimitResponse)
export const GLOBAL_RATELIMIT_FAILURE_MODE_ALLOWED = counter("global_ratelimit_failure_mode_allowed", Scope.Plugin); // Requests let through after a failed check (failure_mode_deny off)

// The local rate limit's metrics (see assembly/core/stats/metric.ts for the form of each line); requests it
// rejects count as the core's rate_limited.
import { counter, Scope } from "../../core/stats/metric";

export const RATELIMIT_OK = counter("ratelimit_ok", Scope.Plugin); // Requests a local token bucket let through

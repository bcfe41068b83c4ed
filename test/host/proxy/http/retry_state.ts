// A request's retry budget and decisions, as Envoy's RetryStateImpl (source/common/router/retry_state_impl.cc
// wouldRetryFromHeaders, wouldRetryFromReset, shouldRetry) and JitteredExponentialBackOffStrategy
// (source/common/common/backoff_strategy.cc) make them:
// - from response headers: 5xx on any 5xx, gateway-error on 502/503/504, retriable-status-codes on the listed
//   codes; never a response carrying x-envoy-ratelimited;
// - from a reset (no response headers): connect-failure on a failed or timed-out connection, then reset, 5xx and
//   gateway-error on any reset, refused-stream on REFUSED_STREAM;
// - at most num_retries retries, each after a random delay in [0, interval) where interval starts at the back-off
//   base (25 ms by default) and doubles up to its max (10 × base by default).
// - host selection (LoadBalancerBase::chooseHost, Filter::hostSelectionRetryCount): without a retry_host_predicate,
//   Envoy's default, the load balancer picks afresh (round robin moves on to the next endpoint; random may pick the
//   same one again); with previous_hosts (OtherHostsRetryPredicate), a retry's pick that was tried before is picked
//   again, up to host_selection_retry_max_attempts more times, and the last pick stands when all were tried.
import type { Headers } from "./header_mutation.ts";
import { ResetReason } from "./local_reply.ts";
import type { RetryPolicy } from "./route_config.ts";

const GATEWAY_ERRORS = [502, 503, 504];
const CONNECT_FAILURES: readonly ResetReason[] = [ResetReason.RemoteConnectionFailure, ResetReason.ConnectionTimeout];

export type RetryVerdict = "retry" | "no-retry" | "limit-exceeded";

export class RetryState {
  private remaining: number;
  private nextIntervalMs: number;
  /** Hosts tried so far ("address:port"), for previous_hosts. */
  private readonly attempted = new Set<string>();

  constructor(private readonly policy: RetryPolicy | undefined) {
    this.remaining = policy?.numRetries ?? 0;
    this.nextIntervalMs = policy?.backOffBaseMs ?? 0;
  }

  fromHeaders(status: number, headers: Headers): RetryVerdict {
    const policy = this.policy;
    if (policy === undefined || headers["x-envoy-ratelimited"] !== undefined) return "no-retry";
    const on = policy.retryOn;
    const wanted =
      (on.has("5xx") && status >= 500 && status <= 599) ||
      (on.has("gateway-error") && GATEWAY_ERRORS.includes(status)) ||
      (on.has("retriable-status-codes") && policy.retriableStatusCodes.includes(status));
    return this.consume(wanted);
  }

  fromReset(reason: ResetReason): RetryVerdict {
    const on = this.policy?.retryOn;
    if (on === undefined) return "no-retry";
    const wanted =
      (on.has("connect-failure") && CONNECT_FAILURES.includes(reason)) ||
      on.has("reset") ||
      on.has("5xx") ||
      on.has("gateway-error") ||
      (on.has("refused-stream") && reason === ResetReason.RemoteRefusedStreamReset);
    return this.consume(wanted);
  }

  /** The host for the next try: `pick()` once, or again while previous_hosts rejects a retry's pick. */
  chooseHost<T>(pick: () => T, key: (host: T) => string): T {
    let host = pick();
    const policy = this.policy;
    if (policy?.previousHosts) {
      for (let i = 0; i < policy.hostSelectionMaxAttempts && this.attempted.has(key(host)); i++) host = pick();
    }
    this.attempted.add(key(host));
    return host;
  }

  /** The delay before the retry just granted. */
  backOffMs(): number {
    const interval = this.nextIntervalMs;
    this.nextIntervalMs = Math.min(interval * 2, this.policy?.backOffMaxMs ?? interval);
    return Math.floor(Math.random() * interval);
  }

  private consume(wanted: boolean): RetryVerdict {
    if (!wanted) return "no-retry";
    if (this.remaining === 0) return "limit-exceeded";
    this.remaining--;
    return "retry";
  }
}

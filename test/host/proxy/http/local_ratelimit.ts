// envoy.filters.http.local_ratelimit with its default token bucket
// (source/extensions/filters/http/local_ratelimit/local_ratelimit.cc Filter::decodeHeaders, FilterConfig::enabled,
// generateStats; source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc RateLimitTokenBucket;
// source/common/common/token_bucket_impl.cc AtomicTokenBucketImpl):
// - without filter_enabled the filter does nothing; without filter_enforced it only counts;
// - one bucket per filter config shared by every connection and worker, starting full (max_tokens) and refilled
//   continuously at tokens_per_fill per fill_interval (at least 50 ms);
// - a limited request gets the local reply `status` (default 429) with body "local_rate_limited", the
//   response_headers_to_add, and response flag RL. No x-envoy-ratelimited header: only the global ratelimit
//   filter and upstreams set that one.
// Stats: `<stat_prefix>.http_local_rate_limit.{enabled,enforced,rate_limited,ok}` at the root of the store.
import type { Counter, StatsStore } from "../../api.ts";
import type { ProtoMessage } from "../proto_json.ts";
import { applyHeaderMutations, readHeaderMutations, type HeaderMutation } from "./header_mutation.ts";
import type { DecoderFilter } from "./http_filter.ts";
import type { LocalReply } from "./local_reply.ts";

export interface LocalRateLimitConfig {
  readonly statPrefix: string;
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
  /** Fractions of requests, from 0 to 1; undefined: the runtime key is absent and so is the default (off). */
  readonly enabled?: number;
  readonly enforced?: number;
  readonly status: number;
  readonly responseHeadersToAdd: readonly HeaderMutation[];
}

const MIN_FILL_INTERVAL_MS = 50;
const DEFAULT_STATUS = 429;
/** type.v3.FractionalPercent.DenominatorType. */
const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

export function readLocalRateLimit(config: ProtoMessage): LocalRateLimitConfig {
  const statPrefix = config.string("stat_prefix");
  const bucket = config.message("token_bucket");
  const maxTokens = bucket.uint32("max_tokens");
  if (maxTokens === 0) bucket.fail("max_tokens", "must be greater than 0");
  const tokensPerFill = bucket.optionalUint32("tokens_per_fill") ?? 1;
  const fillIntervalMs = bucket.optionalDurationMs("fill_interval") ?? 0;
  if (fillIntervalMs < MIN_FILL_INTERVAL_MS) bucket.fail("fill_interval", "local rate limit token bucket fill timer must be >= 50ms");
  bucket.end();
  const enabled = readRuntimeFraction(config.optionalMessage("filter_enabled"));
  const enforced = readRuntimeFraction(config.optionalMessage("filter_enforced"));
  const status = readStatus(config.optionalMessage("status"));
  const responseHeadersToAdd = readHeaderMutations(config, "response_headers_to_add");
  config.end();
  return { statPrefix, maxTokens, tokensPerFill, fillIntervalMs, enabled, enforced, status, responseHeadersToAdd };
}

/** config.core.v3.RuntimeFractionalPercent: this host has no runtime, so the default_value applies. */
export function readRuntimeFraction(fraction: ProtoMessage | undefined): number | undefined {
  if (fraction === undefined) return undefined;
  fraction.optionalString("runtime_key"); // may be empty: the runtime then has no such key and default_value applies
  const percent = fraction.message("default_value");
  const numerator = percent.optionalUint32("numerator") ?? 0;
  const denominator = DENOMINATORS[percent.enumName("denominator", ["HUNDRED", "TEN_THOUSAND", "MILLION"], "HUNDRED")];
  percent.end();
  fraction.end();
  return Math.min(numerator, denominator) / denominator;
}

/** type.v3.HttpStatus: Envoy turns a code below 400 (or none) into 429. */
function readStatus(status: ProtoMessage | undefined): number {
  if (status === undefined) return DEFAULT_STATUS;
  const code = status.uint32("code", 599);
  status.end();
  return code < 400 ? DEFAULT_STATUS : code;
}

export interface LocalRateLimitStats {
  readonly enabled: Counter;
  readonly enforced: Counter;
  readonly rateLimited: Counter;
  readonly ok: Counter;
}

/** One filter config: its bucket and stats, shared by every stream that passes through it. */
export class LocalRateLimiter implements DecoderFilter {
  private tokens: number;
  private lastFillMs = performance.now();
  private readonly stats: LocalRateLimitStats;

  constructor(
    readonly config: LocalRateLimitConfig,
    store: StatsStore,
  ) {
    this.tokens = config.maxTokens;
    const counter = (name: string) => store.counter(`${config.statPrefix}.http_local_rate_limit.${name}`);
    this.stats = { enabled: counter("enabled"), enforced: counter("enforced"), rateLimited: counter("rate_limited"), ok: counter("ok") };
  }

  decodeHeaders(): LocalReply | undefined {
    const { config, stats } = this;
    if (!sampled(config.enabled)) return undefined;
    stats.enabled.add(1);
    if (this.consume()) {
      stats.ok.add(1);
      return undefined;
    }
    stats.rateLimited.add(1);
    if (!sampled(config.enforced)) return undefined;
    stats.enforced.add(1);
    const mutations = config.responseHeadersToAdd;
    return { status: config.status, body: "local_rate_limited", flag: "RL", modifyHeaders: (headers) => applyHeaderMutations(headers, mutations) };
  }

  private consume(): boolean {
    const now = performance.now();
    const ratePerMs = this.config.tokensPerFill / this.config.fillIntervalMs;
    this.tokens = Math.min(this.config.maxTokens, this.tokens + (now - this.lastFillMs) * ratePerMs);
    this.lastFillMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function sampled(fraction: number | undefined): boolean {
  return fraction !== undefined && Math.random() < fraction;
}

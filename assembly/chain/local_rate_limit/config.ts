// Reading `local_ratelimit` in MetaProtocol's shape:
//   {"token_bucket": {"max_tokens": 10, "tokens_per_fill": 10, "fill_interval": "1s"},
//    "conditions": [{"match": {"metadata": [...]}, "token_bucket": {...}}]}
// The first matching condition's bucket applies, else the plain `token_bucket`; without one, the request passes.
import { checkObject, FieldErrors, integerField, item, join, listField, requiredField, stringField } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { MetadataMatcher } from "../../core/matcher";
import { parseDuration } from "../../lib/duration";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { readMatch } from "../../core/matcher_config";
import { LocalRateLimit } from "./filter";
import { SharedTokenBucket, TokenBucketConfig } from "./token_bucket";

/** Envoy refuses local rate limit fill intervals under 50 ms. */
const MIN_FILL_INTERVAL_NS: u64 = 50_000_000;

@final
export class RateLimitCondition {
  constructor(public readonly matchers: Array<MetadataMatcher>, public readonly bucket: SharedTokenBucket) {}
}

@final
export class LocalRateLimitConfig {
  conditions: Array<RateLimitCondition> = [];
  /** Applies when no condition matches; null: such requests pass. */
  bucket: SharedTokenBucket | null = null;
}

export class LocalRateLimitFactory extends FilterFactory {
  fields(): Array<string> {
    return ["local_ratelimit"];
  }

  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const bucketKeys = "meta_protocol." + context.statPrefix + ".local_ratelimit.";
    const limit = readLocalRateLimit(config.get("local_ratelimit"), "local_ratelimit", bucketKeys, errors);
    return limit === null ? null : new LocalRateLimit(limit, context.host.sharedStore);
  }
}

/** `keyPrefix` names the buckets in shared data (one per condition, and one for the plain bucket). */
export function readLocalRateLimit(v: JsonValue | null, path: string, keyPrefix: string, errors: FieldErrors): LocalRateLimitConfig | null {
  if (v === null || !checkObject(v, path, ["token_bucket", "conditions"], errors)) return null;
  const config = new LocalRateLimitConfig();
  const bucket = v.get("token_bucket");
  if (bucket !== null) config.bucket = readBucket(bucket, join(path, "token_bucket"), keyPrefix + "default", errors);
  const conditions = listField(v, "conditions", path, errors);
  for (let i = 0; i < conditions.length && !errors.failed; i++) {
    const at = item(join(path, "conditions"), i);
    if (!checkObject(conditions[i], at, ["match", "token_bucket"], errors)) break;
    const matchers = readMatch(conditions[i].get("match"), join(at, "match"), errors);
    const conditionBucket = requiredField(conditions[i], "token_bucket", at, errors);
    if (conditionBucket === null) break;
    const b = readBucket(conditionBucket, join(at, "token_bucket"), keyPrefix + i.toString(), errors);
    if (b !== null) config.conditions.push(new RateLimitCondition(matchers, b));
  }
  return errors.failed ? null : config;
}

function readBucket(v: JsonValue, path: string, key: string, errors: FieldErrors): SharedTokenBucket | null {
  if (!checkObject(v, path, ["max_tokens", "tokens_per_fill", "fill_interval"], errors)) return null;
  requiredField(v, "max_tokens", path, errors);
  const maxTokens = <u32>integerField(v, "max_tokens", path, errors, 1, 4294967295, 1);
  const perFill = <u32>integerField(v, "tokens_per_fill", path, errors, 1, 4294967295, 1);
  const interval = parseDuration(stringField(v, "fill_interval", path, errors, true));
  if (!errors.failed && interval < MIN_FILL_INTERVAL_NS) {
    errors.fail("field '" + join(path, "fill_interval") + "' must be a duration of at least 0.05s, like \"1s\" or \"0.5s\"");
  }
  return errors.failed ? null : new SharedTokenBucket(key, new TokenBucketConfig(maxTokens, perFill, interval));
}

// A token bucket in shared data, so that every worker's VM draws from the same bucket (Envoy's local rate limit
// shares its buckets across workers too). Tokens are refilled lazily from the clock when a request comes, so no
// timer is needed; concurrent takers retry on a CAS mismatch.
import { SharedStore } from "../../core/shared_store";

/** Stored value: u32 tokens, then u64 time of the last refill (ns). */
const STATE_SIZE = 12;
/** CAS retries before a request is let through rather than looping on contention. */
const MAX_ATTEMPTS = 8;

@final
export class TokenBucketConfig {
  constructor(
    public readonly maxTokens: u32,
    public readonly tokensPerFill: u32,
    public readonly fillIntervalNs: u64,
  ) {}
}

@final
export class SharedTokenBucket {
  private readonly key: ArrayBuffer;
  private readonly state: ArrayBuffer = new ArrayBuffer(STATE_SIZE);

  constructor(key: string, public readonly config: TokenBucketConfig) {
    this.key = String.UTF8.encode(key);
  }

  /** Takes a token; false when the bucket is empty. */
  tryTake(shared: SharedStore, nowNs: u64): bool {
    const config = this.config;
    const state = changetype<usize>(this.state);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let tokens = config.maxTokens;
      let lastFill = nowNs;
      let cas: u32 = 0;
      if (shared.read(this.key) && shared.valueLength == STATE_SIZE) {
        tokens = load<u32>(shared.valuePtr);
        lastFill = load<u64>(shared.valuePtr + 4);
        cas = shared.cas;
        if (nowNs > lastFill) {
          const fills = (nowNs - lastFill) / config.fillIntervalNs;
          if (fills > 0) {
            const added = fills * <u64>config.tokensPerFill;
            tokens = added >= <u64>(config.maxTokens - tokens) ? config.maxTokens : tokens + <u32>added;
            lastFill += fills * config.fillIntervalNs;
          }
        }
      }
      if (tokens == 0) return false;
      store<u32>(state, tokens - 1);
      store<u64>(state + 4, lastFill);
      if (shared.write(this.key, state, STATE_SIZE, cas)) return true;
    }
    return true; // heavy contention: let the request through rather than spin
  }
}

import { Direction } from "../../assembly/core/codec";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { parseDuration } from "../../assembly/lib/duration";
import { SharedTokenBucket, TokenBucketConfig } from "../../assembly/chain/local_rate_limit/token_bucket";
import { awesomeFrame, configurationError, MemorySharedStore, sameBytes, TestPlugin, toArray } from "./support";

const SECOND: u64 = 1_000_000_000;

describe("token bucket in shared data", () => {
  it("starts full, empties, and refills by whole intervals up to its size", () => {
    const store = new MemorySharedStore();
    const bucket = new SharedTokenBucket("b", new TokenBucketConfig(3, 2, SECOND));
    const t0: u64 = 1000 * SECOND;
    expect(bucket.tryTake(store, t0)).toBe(true);
    expect(bucket.tryTake(store, t0)).toBe(true);
    expect(bucket.tryTake(store, t0)).toBe(true);
    expect(bucket.tryTake(store, t0 + SECOND - 1)).toBe(false);
    expect(bucket.tryTake(store, t0 + SECOND)).toBe(true); // +2
    expect(bucket.tryTake(store, t0 + SECOND)).toBe(true);
    expect(bucket.tryTake(store, t0 + SECOND)).toBe(false);
    expect(bucket.tryTake(store, t0 + 100 * SECOND)).toBe(true); // capped at 3
    expect(bucket.tryTake(store, t0 + 100 * SECOND)).toBe(true);
    expect(bucket.tryTake(store, t0 + 100 * SECOND)).toBe(true);
    expect(bucket.tryTake(store, t0 + 100 * SECOND)).toBe(false);
  });

  it("retries when another worker wrote in between, and takes exactly one token", () => {
    const store = new MemorySharedStore();
    const bucket = new SharedTokenBucket("b", new TokenBucketConfig(2, 1, SECOND));
    expect(bucket.tryTake(store, SECOND)).toBe(true);
    store.interfere = 3;
    expect(bucket.tryTake(store, SECOND)).toBe(true);
    expect(bucket.tryTake(store, SECOND)).toBe(false);
  });
});

describe("local_ratelimit configuration", () => {
  it("reads protobuf JSON durations", () => {
    expect(parseDuration("1s")).toBe(SECOND);
    expect(parseDuration("0.050s")).toBe(50_000_000);
    expect(parseDuration("1.5s")).toBe(1_500_000_000);
    expect(parseDuration("10")).toBe(0);
    expect(parseDuration("1ms")).toBe(0);
  });

  it("refuses a zero or too short fill interval and unknown fields, naming them", () => {
    expect(configurationError('{"local_ratelimit": {"token_bucket": {"max_tokens": 1, "fill_interval": "0s"}}}')).toBe(
      "field 'local_ratelimit.token_bucket.fill_interval' must be a duration of at least 0.05s, like \"1s\" or \"0.5s\"",
    );
    expect(configurationError('{"local_ratelimit": {"token_bucket": {"fill_interval": "1s"}}}')).toBe(
      "field 'local_ratelimit.token_bucket.max_tokens' is required",
    );
    expect(configurationError('{"local_ratelimit": {"conditions": [{"match": {}}]}}')).toBe(
      "field 'local_ratelimit.conditions[0].token_bucket' is required",
    );
    expect(configurationError('{"local_ratelimit": {"bucket": {}}}')).toBe(
      "unknown field 'local_ratelimit.bucket' (known: token_bucket, conditions)",
    );
  });
});

describe("local rate limit filter", () => {
  it("answers requests over the limit with an over-limit error, per condition or by the plain bucket", () => {
    const t = new TestPlugin(`{"stat_prefix": "test", "local_ratelimit": {
      "token_bucket": {"max_tokens": 2, "fill_interval": "60s"},
      "conditions": [{"match": {"metadata": [{"name": "cmd", "exact_match": "2"}]}, "token_bucket": {"max_tokens": 1, "fill_interval": "60s"}}]
    }}`);
    const c = new TcpConnection(1, t.plugin);
    const sent: Array<Uint8Array> = [];
    const commands: Array<i16> = [1, 2, 1, 2, 1];
    for (let i = 0; i < commands.length; i++) {
      const frame = awesomeFrame(<u32>(i + 1), commands[i], 0, 0);
      c.onData(Direction.Request, frame.dataStart, frame.length, false, SECOND);
      sent.push(toArray(c.downstream.outputPtr, c.downstream.outputLength));
    }
    t.plugin.stats.flush();
    expect(t.sink.value("ratelimit_ok")).toBe(3);
    expect(t.sink.value("rate_limited")).toBe(2);
    // The 4th (cmd 2, its bucket of 1 spent) and 5th (cmd 1, plain bucket of 2 spent) went as carriers.
    expect(sameBytes(sent[3], awesomeFrame(4, -1, 0, 0))).toBe(true);
    expect(sameBytes(sent[4], awesomeFrame(5, -1, 0, 0))).toBe(true);
  });
});

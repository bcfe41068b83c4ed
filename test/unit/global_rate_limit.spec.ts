import { ByteBuffer } from "../../assembly/lib/bytes";
import { Direction } from "../../assembly/core/codec";
import { parsePluginConfig } from "../../assembly/core/plugin_config";
import { Connection } from "../../assembly/core/tcp_connection";
import { StreamResult } from "../../assembly/core/frame_stream";
import { Metadata } from "../../assembly/core/metadata";
import {
  decodeRateLimitResponse,
  encodeRateLimitRequest,
  RateLimitAnswer,
  RateLimitService,
} from "../../assembly/chain/global_rate_limit/rls";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { awesomeFrame, concat, hexOf, sameBytes, TestPlugin, toArray } from "./support";

const NOW: u64 = 1_000_000_000;

/** Records each check instead of calling a server; `refuse` makes the call fail to start. */
class RecordingRateLimitService extends RateLimitService {
  requests: Array<string> = [];
  cluster: string = "";
  timeoutMs: u32 = 0;
  refuse: bool = false;

  check(cluster: string, request: ByteBuffer, timeoutMs: u32): bool {
    this.cluster = cluster;
    this.timeoutMs = timeoutMs;
    this.requests.push(hexOf(request.ptr, request.length));
    return !this.refuse;
  }
}

const CONFIG = `{"stat_prefix": "test", "ratelimit": {
  "domain": "d", "match": {"metadata": [{"name": "cmd", "exact_match": "2"}]},
  "descriptors": [{"property": "cmd", "descriptor_key": "m"}],
  "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "rls"}}}, "timeout": "0.5s"}}`;

function withDeny(deny: bool): string {
  return CONFIG.replace('"timeout": "0.5s"', '"timeout": "0.5s", "failure_mode_deny": ' + (deny ? "true" : "false"));
}

function setUp(config: string = CONFIG): TestPlugin {
  return new TestPlugin(config, new AwesomeRpcCodec(), new RecordingRateLimitService());
}

function service(t: TestPlugin): RecordingRateLimitService {
  return changetype<RecordingRateLimitService>(t.plugin.rateLimitService);
}

/** Feeds `bytes` as one read; returns the result, the output as bytes, and where the stream paused. */
function feed(c: Connection, bytes: Uint8Array): StreamResult {
  return c.onData(Direction.Request, bytes.dataStart, bytes.length, false, NOW);
}

function output(c: Connection): Uint8Array {
  return toArray(c.downstream.outputPtr, c.downstream.outputLength);
}

function resumeWith(c: Connection, answer: RateLimitAnswer, rest: Uint8Array): StreamResult {
  return c.resume(answer, rest.dataStart, rest.length, false, NOW + 5_000_000);
}

describe("ratelimit configuration", () => {
  it("reads MetaProtocol's shape with Envoy's RateLimitServiceConfig", () => {
    const config = parsePluginConfig(CONFIG, "p").config!;
    const global = config.globalRateLimit!;
    expect(String.UTF8.decode(global.domain)).toBe("d");
    expect(global.cluster).toBe("rls");
    expect(global.timeoutMs).toBe(500);
    expect(global.failureModeDeny).toBe(false);
    expect(global.entries.length).toBe(1);
    expect(global.matchers.length).toBe(1);
  });

  it("refuses what it cannot use, naming the field", () => {
    expect(parsePluginConfig('{"ratelimit": {"descriptors": [{"property": "a", "descriptor_key": "b"}], "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "r"}}}}}', "p").error)
      .toBe("field 'ratelimit.domain' is required");
    expect(parsePluginConfig('{"ratelimit": {"domain": "d", "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "r"}}}}}', "p").error)
      .toBe("field 'ratelimit.descriptors' must list at least one {property, descriptor_key}");
    expect(parsePluginConfig('{"ratelimit": {"domain": "d", "descriptors": [{"property": "a", "descriptor_key": "b"}]}}', "p").error)
      .toBe("field 'ratelimit.rate_limit_service' is required");
    expect(parsePluginConfig('{"ratelimit": {"domain": "d", "descriptors": [{"property": "a", "descriptor_key": "b"}], "rate_limit_service": {"grpc_service": {"google_grpc": {}}}}}', "p").error)
      .toBe("unknown field 'ratelimit.rate_limit_service.grpc_service.google_grpc' (known: envoy_grpc)");
    expect(parsePluginConfig(CONFIG.replace('"0.5s"', '"20ms"'), "p").error)
      .toBe("field 'ratelimit.timeout' must be a duration from 0.001s to 60s, like \"0.02s\"");
    expect(parsePluginConfig(CONFIG.replace('"domain"', '"domian"'), "p").error)
      .toBe("unknown field 'ratelimit.domian' (known: domain, match, descriptors, rate_limit_service, timeout, failure_mode_deny)");
  });
});

describe("rate limit service wire format", () => {
  it("writes RateLimitRequest{domain, descriptors[{entries[{key, value}]}]} from the request's metadata", () => {
    const config = parsePluginConfig(CONFIG, "p").config!.globalRateLimit!;
    const md = new Metadata();
    md.putString("cmd", "2");
    const out = new ByteBuffer();
    expect(encodeRateLimitRequest(config, md, out)).toBe(true);
    // domain: 0a 01 "d" | descriptors: 12 08 | entries: 0a 06 | key: 0a 01 "m" | value: 12 01 "2"
    expect(hexOf(out.ptr, out.length)).toBe("0a 01 64 12 08 0a 06 0a 01 6d 12 01 32");
  });

  it("does not check a request that lacks a descriptor property", () => {
    const config = parsePluginConfig(CONFIG, "p").config!.globalRateLimit!;
    expect(encodeRateLimitRequest(config, new Metadata(), new ByteBuffer())).toBe(false);
  });

  it("reads overall_code wherever it is, and refuses cut-short answers", () => {
    const overLimit: u8[] = [0x12, 0x02, 0x08, 0x01, 0x08, 0x02];
    expect(decodeRateLimitResponse(overLimit.dataStart, overLimit.length)).toBe(RateLimitAnswer.OverLimit);
    const ok: u8[] = [0x08, 0x01];
    expect(decodeRateLimitResponse(ok.dataStart, ok.length)).toBe(RateLimitAnswer.Ok);
    expect(decodeRateLimitResponse(0, 0)).toBe(RateLimitAnswer.Ok); // UNKNOWN passes, as in Envoy
    const cut: u8[] = [0x12, 0x05, 0x08];
    expect(decodeRateLimitResponse(cut.dataStart, cut.length)).toBe(RateLimitAnswer.Error);
    const badVarint: u8[] = [0x08, 0x80];
    expect(decodeRateLimitResponse(badVarint.dataStart, badVarint.length)).toBe(RateLimitAnswer.Error);
  });
});

describe("pausing a connection for the global rate limit", () => {
  it("leaves a checked request and everything after it waiting, in order, then forwards them on OK", () => {
    const t = setUp();
    const c = new Connection(1, t.plugin);
    const first = awesomeFrame(1, 1, 0, 4);
    const checked = awesomeFrame(2, 2, 0, 4);
    const after = awesomeFrame(3, 1, 0, 4);
    const read = concat([first, checked, after]);
    expect(feed(c, read)).toBe(StreamResult.Pause);
    expect(c.paused).toBe(true);
    expect(sameBytes(output(c), read)).toBe(true);
    expect(c.downstream.pausedAt).toBe(first.length);
    expect(service(t).requests.length).toBe(1);
    expect(service(t).cluster).toBe("rls");
    expect(service(t).timeoutMs).toBe(500);

    expect(resumeWith(c, RateLimitAnswer.Ok, concat([checked, after]))).toBe(StreamResult.PassThrough);
    expect(c.paused).toBe(false);
    t.plugin.stats.flush();
    expect(t.sink.value("global_ratelimit_ok")).toBe(1);
    expect(t.sink.value("request")).toBe(3);
    expect(t.sink.value("request_active")).toBe(3);
  });

  it("replaces a request over the limit with its carrier and answers it with an over-limit error", () => {
    const t = setUp();
    const c = new Connection(1, t.plugin);
    const checked = awesomeFrame(7, 2, 0, 4);
    const after = awesomeFrame(8, 1, 0, 0);
    expect(feed(c, concat([checked, after]))).toBe(StreamResult.Pause);
    expect(c.downstream.pausedAt).toBe(0);
    expect(resumeWith(c, RateLimitAnswer.OverLimit, concat([checked, after]))).toBe(StreamResult.Replace);
    const sent = output(c);
    // The carrier (command 0xffff, same id) then the next request untouched.
    expect(sent[0]).toBe(1);
    expect(sent[4]).toBe(7);
    expect(sent[9]).toBe(0xff);
    expect(sent[10]).toBe(0xff);
    expect(sameBytes(sent.subarray(sent.length - after.length), after)).toBe(true);
    // The server's answer to the carrier becomes the error reply.
    const answer = awesomeFrame(7, <i16>0xffff, 1, 0);
    expect(c.onData(Direction.Response, answer.dataStart, answer.length, false, NOW)).toBe(StreamResult.Replace);
    t.plugin.stats.flush();
    expect(t.sink.value("global_ratelimit_over_limit")).toBe(1);
    expect(t.sink.value("rate_limited")).toBe(1);
    expect(t.sink.value("local_response_error")).toBe(1);
  });

  it("pauses again at the next checked request while resuming, and keeps a partial tail in wasm memory", () => {
    const t = setUp();
    const c = new Connection(1, t.plugin);
    const a = awesomeFrame(1, 2, 0, 0);
    const b = awesomeFrame(2, 1, 0, 0);
    const d = awesomeFrame(3, 2, 0, 0);
    const e = awesomeFrame(4, 1, 0, 8);
    expect(feed(c, a)).toBe(StreamResult.Pause);
    // b, d and half of e arrived while paused (they wait in Envoy's buffer, behind a).
    const waiting = concat([a, b, d, e.subarray(0, 10)]);
    expect(resumeWith(c, RateLimitAnswer.Ok, waiting)).toBe(StreamResult.Pause);
    expect(c.downstream.pausedAt).toBe(a.length + b.length);
    expect(service(t).requests.length).toBe(2);
    expect(resumeWith(c, RateLimitAnswer.Ok, concat([d, e.subarray(0, 10)]))).toBe(StreamResult.Replace);
    expect(sameBytes(output(c), d)).toBe(true);
    expect(c.downstream.pendingBytes).toBe(10);
  });

  it("lets a request through on a service error unless failure_mode_deny, counting both", () => {
    const allow = setUp(withDeny(false));
    const c1 = new Connection(1, allow.plugin);
    const frame = awesomeFrame(1, 2, 0, 0);
    feed(c1, frame);
    expect(resumeWith(c1, RateLimitAnswer.Error, frame)).toBe(StreamResult.PassThrough);
    allow.plugin.stats.flush();
    expect(allow.sink.value("global_ratelimit_error")).toBe(1);
    expect(allow.sink.value("global_ratelimit_failure_mode_allowed")).toBe(1);

    const deny = setUp(withDeny(true));
    const c2 = new Connection(1, deny.plugin);
    feed(c2, frame);
    expect(resumeWith(c2, RateLimitAnswer.Error, frame)).toBe(StreamResult.Replace);
    deny.plugin.stats.flush();
    expect(deny.sink.value("global_ratelimit_error")).toBe(1);
    expect(deny.sink.value("rate_limited")).toBe(1);
  });

  it("decides at once when the call cannot start", () => {
    const t = setUp(withDeny(true));
    service(t).refuse = true;
    const c = new Connection(1, t.plugin);
    expect(feed(c, awesomeFrame(1, 2, 0, 0))).toBe(StreamResult.Replace);
    expect(c.paused).toBe(false);
  });

  it("counts a connection closed while a request is paused as closed with an active request", () => {
    const t = setUp();
    const c = new Connection(1, t.plugin);
    feed(c, awesomeFrame(1, 2, 0, 0));
    c.onClose(false);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_destroy_remote_with_active_rq")).toBe(1);
    expect(t.sink.value("request_active")).toBe(0);
    expect(c.paused).toBe(false);
  });

  it("keeps what earlier filters added to the paused request (a generated request id) while other connections run", () => {
    const config = CONFIG.replace('{"stat_prefix": "test",', '{"stat_prefix": "test", "request_id": {"generate": true}, "access_log": {"format": "%REQUEST_ID% %METADATA(x-request-id)%"},');
    const t = setUp(config);
    const paused = new Connection(1, t.plugin);
    const other = new Connection(2, t.plugin);
    const checked = awesomeFrame(1, 2, 0, 0);
    expect(feed(paused, checked)).toBe(StreamResult.Pause);
    const pausedLog = t.logger.lines.length;
    // Another connection's request gets the next id (the generator's buffers are reused).
    const free = awesomeFrame(5, 1, 0, 0);
    feed(other, free);
    resumeWith(paused, RateLimitAnswer.Ok, checked);
    const answers = [awesomeFrame(1, 2, 0, 0), awesomeFrame(5, 1, 0, 0)];
    paused.onData(Direction.Response, answers[0].dataStart, answers[0].length, false, NOW);
    other.onData(Direction.Response, answers[1].dataStart, answers[1].length, false, NOW);
    const lines = t.logger.lines.slice(pausedLog);
    expect(lines.length).toBe(2);
    const pausedId = lines[0].split(" ")[1];
    const otherId = lines[1].split(" ")[1];
    expect(lines[0].startsWith("1 ")).toBe(true);
    expect(pausedId.length).toBe(36);
    expect(pausedId == otherId).toBe(false);
    // Both requests carried their id as a mutation (awesomerpc has no room for it: counted, not lost).
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(2);
  });
});

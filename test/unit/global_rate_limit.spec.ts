import { ByteBuffer } from "../../assembly/lib/bytes";
import { ByteReader } from "../../assembly/lib/byte_reader";
import { AsyncAnswer } from "../../assembly/core/async_answer";
import { Direction } from "../../assembly/core/codec";
import { GrpcClient } from "../../assembly/core/grpc_client";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { StreamResult } from "../../assembly/core/frame_stream";
import { Metadata } from "../../assembly/core/metadata";
import { GlobalRateLimitConfig } from "../../assembly/chain/global_rate_limit/config";
import { GlobalRateLimit } from "../../assembly/chain/global_rate_limit/filter";
import { decodeRateLimitResponse, encodeRateLimitRequest, METHOD_NAME, RateLimitAnswer, SERVICE_NAME } from "../../assembly/chain/global_rate_limit/rls";
import { awesomeFrame, concat, configurationError, filterOf, hexOf, sameBytes, TestPlugin, TestProtocol, toArray } from "./support";

const NOW: u64 = 1_000_000_000;
/** gRPC's UNAVAILABLE: how Envoy reports a failed or timed-out call. */
const UNAVAILABLE: u32 = 14;

/** Records each call instead of calling a server; `refuse` makes the call fail to start. */
class RecordingGrpcClient extends GrpcClient {
  requests: Array<string> = [];
  cluster: string = "";
  timeoutMs: u32 = 0;
  refuse: bool = false;

  call(cluster: string, service: ArrayBuffer, method: ArrayBuffer, message: ByteBuffer, timeoutMs: u32): bool {
    expect(String.UTF8.decode(service)).toBe(String.UTF8.decode(SERVICE_NAME));
    expect(String.UTF8.decode(method)).toBe(String.UTF8.decode(METHOD_NAME));
    this.cluster = cluster;
    this.timeoutMs = timeoutMs;
    this.requests.push(hexOf(message.ptr, message.length));
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
  return new TestPlugin(config, new TestProtocol(), new RecordingGrpcClient());
}

function service(t: TestPlugin): RecordingGrpcClient {
  return changetype<RecordingGrpcClient>(t.grpc);
}

function configOf(config: string): GlobalRateLimitConfig {
  return filterOf<GlobalRateLimit>(setUp(config).plugin)!.config;
}

/** Feeds `bytes` as one read; returns the result, the output as bytes, and where the stream paused. */
function feed(c: TcpConnection, bytes: Uint8Array): StreamResult {
  return c.onData(Direction.Request, bytes.dataStart, bytes.length, false, NOW);
}

function output(c: TcpConnection): Uint8Array {
  return toArray(c.downstream.outputPtr, c.downstream.outputLength);
}

/** RateLimitResponse { overall_code: OK } and { overall_code: OVER_LIMIT }. */
const OK_RESPONSE: u8[] = [0x08, 0x01];
const OVER_LIMIT_RESPONSE: u8[] = [0x08, 0x02];

/** The service's answer as Envoy hands it over: a RateLimitResponse with that overall_code, or a failed call. */
function answerOf(answer: RateLimitAnswer): AsyncAnswer {
  if (answer == RateLimitAnswer.Error) return new AsyncAnswer().set(false, UNAVAILABLE, 0, 0);
  const response = answer == RateLimitAnswer.OverLimit ? OVER_LIMIT_RESPONSE : OK_RESPONSE;
  return new AsyncAnswer().set(true, 0, response.dataStart, response.length);
}

function resumeWith(c: TcpConnection, answer: RateLimitAnswer, rest: Uint8Array): StreamResult {
  return c.resume(answerOf(answer), rest.dataStart, rest.length, false, NOW + 5_000_000);
}

function decoded(bytes: u8[]): RateLimitAnswer {
  return decodeRateLimitResponse(new ByteReader(), bytes.dataStart, bytes.length);
}

describe("ratelimit configuration", () => {
  it("reads MetaProtocol's shape with Envoy's RateLimitServiceConfig", () => {
    const global = configOf(CONFIG);
    expect(String.UTF8.decode(global.domain)).toBe("d");
    expect(global.cluster).toBe("rls");
    expect(global.timeoutMs).toBe(500);
    expect(global.failureModeDeny).toBe(false);
    expect(global.entries.length).toBe(1);
    expect(global.matchers.length).toBe(1);
  });

  it("refuses what it cannot use, naming the field", () => {
    expect(configurationError('{"ratelimit": {"descriptors": [{"property": "a", "descriptor_key": "b"}], "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "r"}}}}}'))
      .toBe("field 'ratelimit.domain' is required");
    expect(configurationError('{"ratelimit": {"domain": "d", "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "r"}}}}}'))
      .toBe("field 'ratelimit.descriptors' must list at least one {property, descriptor_key}");
    expect(configurationError('{"ratelimit": {"domain": "d", "descriptors": [{"property": "a", "descriptor_key": "b"}]}}'))
      .toBe("field 'ratelimit.rate_limit_service' is required");
    expect(configurationError('{"ratelimit": {"domain": "d", "descriptors": [{"property": "a", "descriptor_key": "b"}], "rate_limit_service": {"grpc_service": {"google_grpc": {}}}}}'))
      .toBe("unknown field 'ratelimit.rate_limit_service.grpc_service.google_grpc' (known: envoy_grpc)");
    expect(configurationError(CONFIG.replace('"0.5s"', '"20ms"')))
      .toBe("field 'ratelimit.timeout' must be a duration from 0.001s to 60s, like \"0.02s\"");
    expect(configurationError(CONFIG.replace('"domain"', '"domian"')))
      .toBe("unknown field 'ratelimit.domian' (known: domain, match, descriptors, rate_limit_service, timeout, failure_mode_deny)");
  });
});

describe("rate limit service wire format", () => {
  it("writes RateLimitRequest{domain, descriptors[{entries[{key, value}]}]} from the request's metadata", () => {
    const config = configOf(CONFIG);
    const md = new Metadata();
    md.putString("cmd", "2");
    const out = new ByteBuffer();
    expect(encodeRateLimitRequest(config, md, out)).toBe(true);
    // domain: 0a 01 "d" | descriptors: 12 08 | entries: 0a 06 | key: 0a 01 "m" | value: 12 01 "2"
    expect(hexOf(out.ptr, out.length)).toBe("0a 01 64 12 08 0a 06 0a 01 6d 12 01 32");
  });

  it("does not check a request that lacks a descriptor property", () => {
    const config = configOf(CONFIG);
    expect(encodeRateLimitRequest(config, new Metadata(), new ByteBuffer())).toBe(false);
  });

  it("reads overall_code wherever it is, and refuses cut-short answers", () => {
    expect(decoded([0x12, 0x02, 0x08, 0x01, 0x08, 0x02])).toBe(RateLimitAnswer.OverLimit);
    expect(decoded([0x08, 0x01])).toBe(RateLimitAnswer.Ok);
    expect(decoded([])).toBe(RateLimitAnswer.Ok); // UNKNOWN passes, as in Envoy
    expect(decoded([0x12, 0x05, 0x08])).toBe(RateLimitAnswer.Error);
    expect(decoded([0x08, 0x80])).toBe(RateLimitAnswer.Error);
  });
});

describe("pausing a connection for the global rate limit", () => {
  it("leaves a checked request and everything after it waiting, in order, then forwards them on OK", () => {
    const t = setUp();
    const c = new TcpConnection(1, t.plugin);
    const first = awesomeFrame(1, 1, 0, 4);
    const checked = awesomeFrame(2, 2, 0, 4);
    const after = awesomeFrame(3, 1, 0, 4);
    const read = concat([first, checked, after]);
    expect(feed(c, read)).toBe(StreamResult.Pause);
    expect(c.paused).toBe(true);
    expect(sameBytes(output(c), read)).toBe(true);
    expect(c.downstream.pausedOffset).toBe(first.length);
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
    const c = new TcpConnection(1, t.plugin);
    const checked = awesomeFrame(7, 2, 0, 4);
    const after = awesomeFrame(8, 1, 0, 0);
    expect(feed(c, concat([checked, after]))).toBe(StreamResult.Pause);
    expect(c.downstream.pausedOffset).toBe(0);
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
    const c = new TcpConnection(1, t.plugin);
    const a = awesomeFrame(1, 2, 0, 0);
    const b = awesomeFrame(2, 1, 0, 0);
    const d = awesomeFrame(3, 2, 0, 0);
    const e = awesomeFrame(4, 1, 0, 8);
    expect(feed(c, a)).toBe(StreamResult.Pause);
    // b, d and half of e arrived while paused (they wait in Envoy's buffer, behind a).
    const waiting = concat([a, b, d, e.subarray(0, 10)]);
    expect(resumeWith(c, RateLimitAnswer.Ok, waiting)).toBe(StreamResult.Pause);
    expect(c.downstream.pausedOffset).toBe(a.length + b.length);
    expect(service(t).requests.length).toBe(2);
    expect(resumeWith(c, RateLimitAnswer.Ok, concat([d, e.subarray(0, 10)]))).toBe(StreamResult.Replace);
    expect(sameBytes(output(c), d)).toBe(true);
    expect(c.downstream.pendingBytes).toBe(10);
  });

  it("lets a request through on a service error unless failure_mode_deny, counting both", () => {
    const allow = setUp(withDeny(false));
    const c1 = new TcpConnection(1, allow.plugin);
    const frame = awesomeFrame(1, 2, 0, 0);
    feed(c1, frame);
    expect(resumeWith(c1, RateLimitAnswer.Error, frame)).toBe(StreamResult.PassThrough);
    allow.plugin.stats.flush();
    expect(allow.sink.value("global_ratelimit_error")).toBe(1);
    expect(allow.sink.value("global_ratelimit_failure_mode_allowed")).toBe(1);

    const deny = setUp(withDeny(true));
    const c2 = new TcpConnection(1, deny.plugin);
    feed(c2, frame);
    expect(resumeWith(c2, RateLimitAnswer.Error, frame)).toBe(StreamResult.Replace);
    deny.plugin.stats.flush();
    expect(deny.sink.value("global_ratelimit_error")).toBe(1);
    expect(deny.sink.value("rate_limited")).toBe(1);
  });

  it("decides at once when the call cannot start", () => {
    const t = setUp(withDeny(true));
    service(t).refuse = true;
    const c = new TcpConnection(1, t.plugin);
    expect(feed(c, awesomeFrame(1, 2, 0, 0))).toBe(StreamResult.Replace);
    expect(c.paused).toBe(false);
  });

  it("counts a connection closed while a request is paused as closed with an active request", () => {
    const t = setUp();
    const c = new TcpConnection(1, t.plugin);
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
    const paused = new TcpConnection(1, t.plugin);
    const other = new TcpConnection(2, t.plugin);
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

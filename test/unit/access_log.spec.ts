// The access log format: compiled once, written per request into a reused buffer.
import { AccessLogFormat, AccessLogRecord } from "../../assembly/chain/access_log/format";
import { ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MessageType, ResponseStatus } from "../../assembly/core/codec";
import { AccessLog } from "../../assembly/chain/access_log/filter";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { Metadata } from "../../assembly/core/metadata";
import { awesomeFrame, configurationError, filterOf, TestPlugin } from "./support";

const MS: u64 = 1_000_000;

function line(format: string, record: AccessLogRecord): string {
  const f = AccessLogFormat.compile(format);
  if (f.error.length > 0) throw new Error(f.error);
  const out = new ByteBuffer();
  f.write(record, out);
  return String.UTF8.decodeUnsafe(out.ptr, <usize>out.length);
}

function formatOf(configuration: string): AccessLogFormat {
  return filterOf<AccessLog>(new TestPlugin(configuration).plugin)!.format;
}

function errorOf(format: string): string {
  return AccessLogFormat.compile(format).error;
}

/** A Dubbo-like two-way request (id 7, 212 bytes) and its ok response (29 bytes) after 12.345 ms. */
function answered(): AccessLogRecord {
  const r = new AccessLogRecord();
  r.protocol = "dubbo";
  r.connectionId = 42;
  r.cluster = "outbound|20880|v2|demo";
  r.serviceKey = String.UTF8.encode("interface");
  r.methodKey = String.UTF8.encode("method");
  const request = new Metadata();
  request.requestId = 7;
  request.frameSize = 212;
  request.putString("interface", "com.example.DemoService");
  request.putString("method", "sayHello");
  request.putString("x-request-id", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
  request.putString("group", "");
  r.request = request;
  const response = new Metadata();
  response.messageType = MessageType.Response;
  response.frameSize = 29;
  response.putString("x-served-by", "v2");
  r.response = response;
  r.routeName = "v2-canary";
  r.startNs = 1_795_000_000_123 * MS + 456_789; // 2026-11-18T11:06:40.123Z
  r.durationNs = 12_345_678;
  return r;
}

describe("access log format", () => {
  it("writes every command of an answered request", () => {
    const r = answered();
    expect(line("%PROTOCOL% %CONNECTION_ID% %REQUEST_ID% %SERVICE% %METHOD% %MESSAGE_TYPE% %ROUTE% %CLUSTER%", r)).toBe(
      "dubbo 42 7 com.example.DemoService sayHello request v2-canary outbound|20880|v2|demo",
    );
    expect(line("%RESPONSE_STATUS% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS% %DURATION% %DURATION_US% %REQUEST_BYTES% %RESPONSE_BYTES%", r)).toBe(
      "ok 0 - 12 12345 212 29",
    );
    expect(line("[%START_TIME%] %METADATA(x-request-id)% %RESPONSE_METADATA(x-served-by)%", r)).toBe(
      "[2026-11-18T11:06:40.123Z] 4bf92f35-77b3-4da6-a3ce-929d0e0e4736 v2",
    );
  });

  it("writes '-' for what is absent or empty, and '%%' as a percent sign", () => {
    const r = answered();
    r.routeName = "";
    r.cluster = "";
    expect(line("%ROUTE% %CLUSTER% %METADATA(traceparent)% %METADATA(group)% %RESPONSE_METADATA(nope)% 100%%", r)).toBe(
      "- - - - - 100%",
    );
    r.response = null;
    r.request.messageType = MessageType.Oneway;
    expect(line("%MESSAGE_TYPE% %RESPONSE_STATUS% %RESPONSE_CODE% %DURATION% %DURATION_US% %RESPONSE_BYTES% %RESPONSE_METADATA(x)%", r)).toBe(
      "oneway - - - - - -",
    );
  });

  it("names the reason of the filter's own error replies", () => {
    const r = answered();
    r.response!.responseStatus = ResponseStatus.Error;
    r.rejected = true;
    r.error = ErrorType.OverLimit;
    expect(line("%RESPONSE_STATUS% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%", r)).toBe("error 1 over_limit");
    r.error = ErrorType.RouteNotFound;
    expect(line("%RESPONSE_CODE_DETAILS%", r)).toBe("route_not_found");
  });

  it("writes every key/value with %ALL_METADATA%, and keeps non-ASCII literal text", () => {
    const r = answered();
    expect(line("→ %ALL_METADATA% ←", r)).toBe(
      "→ interface=com.example.DemoService method=sayHello x-request-id=4bf92f35-77b3-4da6-a3ce-929d0e0e4736 group= ←",
    );
  });

  it("formats start times across years, leap days and the epoch", () => {
    const r = answered();
    r.startNs = 0;
    expect(line("%START_TIME%", r)).toBe("1970-01-01T00:00:00.000Z");
    r.startNs = 951_782_400_000 * MS + 7 * MS; // 2000-02-29
    expect(line("%START_TIME%", r)).toBe("2000-02-29T00:00:00.007Z");
    r.startNs = 4_102_444_799_999 * MS; // last ms of 2099
    expect(line("%START_TIME%", r)).toBe("2099-12-31T23:59:59.999Z");
  });

  it("refuses unknown and malformed commands, naming them", () => {
    expect(errorOf("%PROTOCOL% %BYTES_SENT%").startsWith("unknown command %BYTES_SENT% (known: PROTOCOL, ")).toBe(true);
    expect(errorOf("%METADATA()%").startsWith("unknown command %METADATA()% ")).toBe(true);
    expect(errorOf("%REQ(x)%").startsWith("unknown command %REQ(x)% ")).toBe(true);
    expect(errorOf("%PROTOCOL")).toBe("unterminated command at offset 0 ('%PROTOCOL')");
    expect(errorOf("plain text, no commands")).toBe("");
  });

  it("is read from the plugin configuration, where mistakes name the field", () => {
    expect(formatOf('{"access_log": true}').legacy).toBe(true);
    expect(formatOf('{"access_log": {}}').legacy).toBe(true);
    expect(formatOf('{"access_log": {"format": "%METHOD%"}}').parts.length).toBe(1);
    expect(configurationError('{"access_log": {"format": "%METHD%"}}').startsWith(
      "field 'access_log.format': unknown command %METHD% (known: ",
    )).toBe(true);
    expect(configurationError('{"access_log": {"fmt": "x"}}')).toBe("unknown field 'access_log.fmt' (known: format)");
    expect(configurationError('{"access_log": {"format": 3}}')).toBe("field 'access_log.format' must be a non-empty string");
    expect(configurationError('{"access_log": "yes"}')).toBe("field 'access_log' must be true, false or an object");
  });

  it("writes a configured line per request through a connection", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "access_log": {"format": "rpc %PROTOCOL% conn=%CONNECTION_ID% id=%REQUEST_ID% method=%METHOD% %RESPONSE_STATUS% %DURATION%ms %REQUEST_BYTES%/%RESPONSE_BYTES%"}}');
    const c = new TcpConnection(9, t.plugin);
    const request = awesomeFrame(5, 3, 0, 2);
    const response = awesomeFrame(5, 3, 1, 4);
    c.onData(Direction.Request, request.dataStart, request.length, false, 10 * MS);
    c.onData(Direction.Response, response.dataStart, response.length, false, 17 * MS);
    expect(t.logger.lines.length).toBe(1);
    expect(t.logger.lines[0]).toBe("rpc awesomerpc conn=9 id=5 method=3 error 7ms 15/17");
  });
});

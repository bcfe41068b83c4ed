// The carrier state machine: rejected requests go upstream as carriers, their answers become error replies, in any
// order with accepted requests; a connection closing with rejected requests pending leaves nothing behind.
import { Direction } from "../../assembly/core/codec";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { StreamResult } from "../../assembly/core/frame_stream";
import { awesomeFrame, concat, sameBytes, TestPlugin, toArray } from "./support";

const SECOND: u64 = 1_000_000_000;
const BY_METHOD = "by_method.protocol=.=awesomerpc;.;stat_prefix=.=test;.;method=.=";

/** cmd 1 and 3 have routes (no connection routing), cmd 5 has none; cmd 3 may be called once a minute. */
const CONFIG = `{"stat_prefix": "test", "connection_routing": false,
  "routes": [{"name": "known", "match": {"metadata": [{"name": "cmd", "string_match": {"safe_regex": {"regex": "[13]"}}}]},
              "route": {"cluster": "c"}}],
  "local_ratelimit": {"conditions": [{"match": {"metadata": [{"name": "cmd", "exact_match": "3"}]},
                                      "token_bucket": {"max_tokens": 1, "fill_interval": "60s"}}]}}`;

/** Feeds `bytes` and returns what goes on (Envoy's buffer after the filter). */
function through(c: TcpConnection, direction: Direction, bytes: Uint8Array): Uint8Array {
  const result = c.onData(direction, bytes.dataStart, bytes.length, false, SECOND);
  if (result == StreamResult.PassThrough) return bytes;
  const stream = direction == Direction.Request ? c.downstream : c.upstream;
  return result == StreamResult.Replace ? toArray(stream.outputPtr, stream.outputLength) : new Uint8Array(0);
}

function carrier(id: u32): Uint8Array {
  return awesomeFrame(id, -1, 0, 0); // command 0xffff: served by no server
}

/** What the client gets for a rejected request: response code 1 with its id (command 0). */
function errorReply(id: u32): Uint8Array {
  return awesomeFrame(id, 0, 1, 0);
}

function method(t: TestPlugin, command: string, name: string): i64 {
  return t.sink.value(BY_METHOD + command + ";.;" + name);
}

/** Sends ids 1..5: cmd 1 (routed), 5 (no route), 3 (routed, takes the token), 3 (over the limit), 1 (routed). */
function sendMixed(t: TestPlugin, c: TcpConnection): Uint8Array {
  return through(c, Direction.Request, concat([
    awesomeFrame(1, 1, 0, 2), awesomeFrame(2, 5, 0, 3), awesomeFrame(3, 3, 0, 1), awesomeFrame(4, 3, 0, 4), awesomeFrame(5, 1, 0, 0),
  ]));
}

describe("carriers", () => {
  it("answers several rejected requests among accepted ones, the answers arriving in any order", () => {
    const t = new TestPlugin(CONFIG);
    const c = new TcpConnection(1, t.plugin);
    const upstream = sendMixed(t, c);
    expect(sameBytes(upstream, concat([
      awesomeFrame(1, 1, 0, 2), carrier(2), awesomeFrame(3, 3, 0, 1), carrier(4), awesomeFrame(5, 1, 0, 0),
    ]))).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("request_active")).toBe(5);
    expect(method(t, "3", "request_active")).toBe(2);
    expect(method(t, "5", "request_active")).toBe(1);

    // The server answers in its own order; a carrier's answer carries some error code of the server's.
    const first = through(c, Direction.Response, concat([carrier(4), awesomeFrame(5, 1, 0, 1)]));
    expect(sameBytes(first, concat([errorReply(4), awesomeFrame(5, 1, 0, 1)]))).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("request_active")).toBe(3);
    expect(method(t, "3", "request_active")).toBe(1);
    const rest = through(c, Direction.Response, concat([awesomeFrame(3, 3, 0, 0), awesomeFrame(2, -1, 2, 7), awesomeFrame(1, 1, 0, 2)]));
    expect(sameBytes(rest, concat([awesomeFrame(3, 3, 0, 0), errorReply(2), awesomeFrame(1, 1, 0, 2)]))).toBe(true);

    t.plugin.stats.flush();
    expect(t.sink.value("request")).toBe(5);
    expect(t.sink.value("response")).toBe(5);
    expect(t.sink.value("response_success")).toBe(3);
    expect(t.sink.value("response_error")).toBe(2);
    expect(t.sink.value("local_response_error")).toBe(2);
    expect(t.sink.value("route_not_found")).toBe(1);
    expect(t.sink.value("rate_limited")).toBe(1);
    expect(t.sink.value("response_unmatched")).toBe(0);
    expect(t.sink.value("request_active")).toBe(0);
    expect(method(t, "1", "request")).toBe(2);
    expect(method(t, "1", "response_success")).toBe(2);
    expect(method(t, "3", "request")).toBe(2);
    expect(method(t, "3", "rate_limited")).toBe(1);
    expect(method(t, "3", "local_response_error")).toBe(1);
    expect(method(t, "3", "response_error")).toBe(1);
    expect(method(t, "3", "response_success")).toBe(1);
    expect(method(t, "5", "route_not_found")).toBe(1);
    expect(method(t, "5", "local_response_error")).toBe(1);
    expect(method(t, "5", "response_error")).toBe(1);
    expect(method(t, "1", "request_active")).toBe(0);
    expect(method(t, "3", "request_active")).toBe(0);
    expect(method(t, "5", "request_active")).toBe(0);
    expect(t.sink.samplesOf("request_time_ms").length).toBe(5);
    expect(t.sink.samplesOf(BY_METHOD + "3;.;request_time_ms").length).toBe(2);

    // Every request was answered once: a second answer for any of them is unmatched and goes on untouched.
    const late = concat([carrier(2), awesomeFrame(3, 3, 0, 0)]);
    expect(sameBytes(through(c, Direction.Response, late), late)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("response_unmatched")).toBe(2);
  });

  it("leaves nothing behind when the connection closes with rejected requests pending", () => {
    const t = new TestPlugin(CONFIG);
    const c = new TcpConnection(1, t.plugin);
    sendMixed(t, c);
    // Only the first accepted request and the first carrier are answered.
    through(c, Direction.Response, concat([awesomeFrame(1, 1, 0, 0), carrier(2)]));
    t.plugin.stats.flush();
    expect(t.sink.value("request_active")).toBe(3);
    c.onClose(true);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_destroy_local_with_active_rq")).toBe(1);
    expect(t.sink.value("cx_destroy_remote_with_active_rq")).toBe(0);
    expect(t.sink.value("request_active")).toBe(0);
    expect(method(t, "1", "request_active")).toBe(0);
    expect(method(t, "3", "request_active")).toBe(0);
    expect(method(t, "5", "request_active")).toBe(0);
    // The table is empty: late answers to the pending requests (a carrier's among them) find nothing and go on as
    // they are, and the ids can be used again.
    const late = concat([carrier(4), awesomeFrame(3, 3, 0, 0), awesomeFrame(5, 1, 0, 0)]);
    expect(sameBytes(through(c, Direction.Response, late), late)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("response_unmatched")).toBe(3);
    expect(t.sink.value("request_active")).toBe(0);
  });

  it("counts a remote close once, however many rejected requests were pending", () => {
    const t = new TestPlugin(CONFIG);
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, concat([awesomeFrame(1, 5, 0, 0), awesomeFrame(2, 5, 0, 0), awesomeFrame(3, 5, 0, 0)]));
    t.plugin.stats.flush();
    expect(t.sink.value("request_active")).toBe(3);
    expect(method(t, "5", "request_active")).toBe(3);
    c.onClose(false);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_destroy_remote_with_active_rq")).toBe(1);
    expect(t.sink.value("request_active")).toBe(0);
    expect(method(t, "5", "request_active")).toBe(0);
    expect(method(t, "5", "local_response_error")).toBe(3);
  });

  it("reuses a closed connection's ids on a new connection without leaking entries", () => {
    const t = new TestPlugin(CONFIG);
    for (let round = 0; round < 3; round++) {
      const c = new TcpConnection(<u64>round, t.plugin);
      through(c, Direction.Request, concat([awesomeFrame(1, 1, 0, 0), awesomeFrame(2, 5, 0, 0)]));
      c.onClose(round % 2 == 0);
    }
    t.plugin.stats.flush();
    expect(t.sink.value("request_untracked")).toBe(0);
    expect(t.sink.value("request_active")).toBe(0);
    expect(t.sink.value("cx_destroy_local_with_active_rq") + t.sink.value("cx_destroy_remote_with_active_rq")).toBe(3);
  });
});

import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MessageType } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { Filter } from "../../assembly/core/filter";
import { FilterStatus, Request } from "../../assembly/core/request";
import { StreamResult } from "../../assembly/core/frame_stream";
import { awesomeFrame, concat, sameBytes, TestPlugin, TestProtocol, toArray } from "./support";

const MS: u64 = 1_000_000;
const BY_METHOD = "by_method.protocol=.=awesomerpc;.;stat_prefix=.=test;.;";

function send(c: TcpConnection, direction: Direction, bytes: Uint8Array, nowNs: u64 = 0, endStream: bool = false): StreamResult {
  return c.onData(direction, bytes.dataStart, bytes.length, endStream, nowNs);
}

/** awesomerpc without a carrier, like a protocol that has none. */
class CarrierlessCodec extends AwesomeRpcCodec {
  encodeCarrier(request: Metadata, out: ByteBuffer): bool {
    return false;
  }
}

/** awesomerpc whose requests are all one-way. */
class OnewayCodec extends AwesomeRpcCodec {
  decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null {
    const error = super.decode(frame, direction, metadata);
    if (direction == Direction.Request) metadata.messageType = MessageType.Oneway;
    return error;
  }
}

class RejectCommand extends Filter {
  constructor(private command: string) {
    super();
  }
  onRequest(request: Request): FilterStatus {
    if (request.metadata.get("cmd") == this.command) return request.reject(ErrorType.OverLimit, "over limit");
    return FilterStatus.Continue;
  }
}

describe("TcpConnection", () => {
  it("matches responses to requests by id, in any order, and times them", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    send(c, Direction.Request, concat([awesomeFrame(1, 1, 0, 3), awesomeFrame(2, 2, 0, 3)]), 10 * MS);
    t.plugin.stats.flush();
    expect(t.sink.value("request")).toBe(2);
    expect(t.sink.value("request_active")).toBe(2);
    send(c, Direction.Response, awesomeFrame(2, 2, 0, 1), 15 * MS);
    send(c, Direction.Response, awesomeFrame(1, 1, 4, 1), 40 * MS);
    t.plugin.stats.flush();
    expect(t.sink.value("response")).toBe(2);
    expect(t.sink.value("response_success")).toBe(1);
    expect(t.sink.value("response_error")).toBe(1);
    expect(t.sink.value("request_active")).toBe(0);
    const times = t.sink.samplesOf("request_time_ms");
    expect(times.length).toBe(2);
    expect(times[0]).toBe(5);
    expect(times[1]).toBe(30);
  });

  it("writes one access log line per request with its key/values and outcome", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(42, t.plugin);
    send(c, Direction.Request, awesomeFrame(7, 3, 0, 2), 1 * MS);
    send(c, Direction.Response, awesomeFrame(7, 3, 0, 5), 3 * MS);
    expect(t.logger.lines.length).toBe(1);
    expect(t.logger.lines[0]).toBe(
      "access protocol=awesomerpc connection=42 request_id=7 cmd=3 request_bytes=15 response=ok response_bytes=18 duration_us=2000",
    );
  });

  it("counts requests and responses per method, in Istio's stat-tag form", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    send(c, Direction.Request, concat([awesomeFrame(1, 7, 0, 0), awesomeFrame(2, 7, 0, 0), awesomeFrame(3, 8, 0, 0)]));
    send(c, Direction.Response, concat([awesomeFrame(1, 7, 0, 0), awesomeFrame(2, 7, 1, 0)]));
    t.plugin.stats.flush();
    expect(t.sink.value(BY_METHOD + "method=.=7;.;request")).toBe(2);
    expect(t.sink.value(BY_METHOD + "method=.=8;.;request")).toBe(1);
    expect(t.sink.value(BY_METHOD + "method=.=7;.;response_success")).toBe(1);
    expect(t.sink.value(BY_METHOD + "method=.=7;.;response_error")).toBe(1);
  });

  it("writes no access log when it is turned off", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "access_log": false}');
    const c = new TcpConnection(1, t.plugin);
    send(c, Direction.Request, awesomeFrame(7, 3, 0, 2));
    send(c, Direction.Response, awesomeFrame(7, 3, 0, 5));
    expect(t.logger.lines.length).toBe(0);
  });

  it("closes on an oversized response and counts a response decoding error", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "max_frame_size": 64}');
    const c = new TcpConnection(3, t.plugin);
    expect(send(c, Direction.Response, awesomeFrame(1, 1, 0, 100).slice(0, 9))).toBe(StreamResult.Close);
    t.plugin.stats.flush();
    expect(t.sink.value("response_decoding_error")).toBe(1);
    expect(t.logger.lines[0]).toBe("connection 3 closed: frame larger than max_frame_size");
  });

  it("counts a response nobody asked for as unmatched only, and forwards it", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    expect(send(c, Direction.Response, awesomeFrame(99, 1, 0, 0))).toBe(StreamResult.PassThrough);
    t.plugin.stats.flush();
    expect(t.sink.value("response_unmatched")).toBe(1);
    expect(t.sink.value("response")).toBe(0);
    expect(t.sink.value("response_success")).toBe(0);
    expect(t.sink.value("response_error")).toBe(0);
  });

  it("batches metric updates: one host call per changed metric per flush", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "access_log": false}');
    const c = new TcpConnection(1, t.plugin);
    const parts: Array<Uint8Array> = [];
    for (let i = 1; i <= 64; i++) parts.push(awesomeFrame(<u32>i, 1, 0, 10));
    send(c, Direction.Request, concat(parts));
    t.plugin.stats.flush();
    expect(t.sink.value("request")).toBe(64);
    expect(t.sink.hostCalls).toBe(6); // request, request_twoway, request_active, cx_cluster_tcp_proxy, and cmd=1's request and request_active
  });

  it("closes on a malformed request and counts it", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    const bad = awesomeFrame(1, 1, 0, 0);
    bad[8] = 1;
    expect(send(c, Direction.Request, bad)).toBe(StreamResult.Close);
    expect(c.closeReason).toBe("malformed frame header");
    expect(t.logger.lines[0]).toBe("connection 1 closed: malformed frame header");
    t.plugin.stats.flush();
    expect(t.sink.value("request_decoding_error")).toBe(1);
  });

  it("closes a connection whose request a filter rejects when the protocol has no carrier, and counts it", () => {
    const t = new TestPlugin('{"stat_prefix": "test"}', new TestProtocol(new CarrierlessCodec()));
    t.plugin.chain.add(new RejectCommand("5"));
    const c = new TcpConnection(1, t.plugin);
    expect(send(c, Direction.Request, awesomeFrame(1, 1, 0, 0))).toBe(StreamResult.PassThrough);
    expect(send(c, Direction.Request, awesomeFrame(2, 5, 0, 0))).toBe(StreamResult.Close);
    t.plugin.stats.flush();
    expect(t.sink.value("local_response_error")).toBe(1);
    expect(t.sink.value("request_decoding_error")).toBe(0);
    expect(c.closeReason).toBe("request 2 rejected (over limit) and the protocol has no carrier to answer it with");
  });

  it("drops a rejected one-way request: nobody waits for its answer", () => {
    const t = new TestPlugin('{"stat_prefix": "test"}', new TestProtocol(new OnewayCodec()));
    t.plugin.chain.add(new RejectCommand("5"));
    const c = new TcpConnection(1, t.plugin);
    expect(send(c, Direction.Request, concat([awesomeFrame(1, 5, 0, 0), awesomeFrame(2, 1, 0, 0)]))).toBe(StreamResult.Replace);
    expect(sameBytes(toArray(c.downstream.outputPtr, c.downstream.outputLength), awesomeFrame(2, 1, 0, 0))).toBe(true);
  });

  it("counts requests left in flight when the connection closes", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    send(c, Direction.Request, concat([awesomeFrame(1, 1, 0, 0), awesomeFrame(2, 1, 0, 0)]));
    c.onClose(false);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_destroy_remote_with_active_rq")).toBe(1);
    expect(t.sink.value("request_active")).toBe(0);
  });

  it("drops and counts a partial frame at end of stream", () => {
    const t = new TestPlugin();
    const c = new TcpConnection(1, t.plugin);
    const frame = awesomeFrame(1, 1, 0, 10);
    send(c, Direction.Request, frame.slice(0, 5), 0, true);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_incomplete_frame_at_close")).toBe(1);
    expect(c.downstream.pendingBytes).toBe(0);
  });

  it("forwards a frame untouched and counts it when the codec has no room for a mutation", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "request_mutation": [{"key": "x-mesh", "value": "wasm"}]}');
    const c = new TcpConnection(1, t.plugin);
    const input = concat([awesomeFrame(1, 1, 0, 4), awesomeFrame(2, 1, 0, 0)]);
    expect(send(c, Direction.Request, input)).toBe(StreamResult.Replace);
    expect(sameBytes(toArray(c.downstream.outputPtr, c.downstream.outputLength), input)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(2);
  });

  it("stops tracking past max_pending_requests but still forwards", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "max_pending_requests": 2}');
    const c = new TcpConnection(1, t.plugin);
    const input = concat([awesomeFrame(1, 1, 0, 0), awesomeFrame(2, 1, 0, 0), awesomeFrame(3, 1, 0, 0)]);
    expect(send(c, Direction.Request, input)).toBe(StreamResult.PassThrough);
    t.plugin.stats.flush();
    expect(t.sink.value("request_untracked")).toBe(1);
    expect(t.sink.value("request_active")).toBe(2);
  });
});

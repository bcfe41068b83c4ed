// Request ids: a request without x-request-id gets a UUID v4 in its metadata and as a mutation; one with it keeps it.
import { Bytes } from "../../assembly/lib/bytes";
import { Direction } from "../../assembly/core/codec";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { Metadata } from "../../assembly/core/metadata";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { awesomeFrame, TestPlugin, TestProtocol } from "./support";

const MS: u64 = 1_000_000;
const GENERATE = '{"stat_prefix": "test", "request_id": {"generate": true}, "access_log": {"format": "id=%REQUEST_ID% rid=%METADATA(x-request-id)%"}}';

/** awesomerpc whose cmd 9 requests already carry an x-request-id (as a Dubbo attachment or THeader header would). */
class TaggedCodec extends AwesomeRpcCodec {
  decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null {
    const error = super.decode(frame, direction, metadata);
    if (direction == Direction.Request && metadata.get("cmd") == "9") metadata.putString("x-request-id", "from-the-client");
    return error;
  }
}

function isUuidV4(text: string): bool {
  if (text.length != 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) {
      return false;
    }
  }
  const variant = text.charCodeAt(19);
  return text.charAt(14) == "4" && (variant == 0x38 || variant == 0x39 || variant == 0x61 || variant == 0x62);
}

function call(c: TcpConnection, id: u32, command: i16, nowNs: u64): void {
  const request = awesomeFrame(id, command, 0, 1);
  const response = awesomeFrame(id, command, 0, 1);
  c.onData(Direction.Request, request.dataStart, request.length, false, nowNs);
  c.onData(Direction.Response, response.dataStart, response.length, false, nowNs + MS);
}

describe("request id", () => {
  it("gives a request without x-request-id a fresh UUID v4, seen by the access log", () => {
    const t = new TestPlugin(GENERATE);
    const c = new TcpConnection(3, t.plugin);
    const ids: Array<string> = [];
    for (let i = 1; i <= 50; i++) {
      call(c, <u32>i, 1, <u64>i * MS);
      const line = t.logger.lines[t.logger.lines.length - 1];
      expect(line.startsWith("id=" + i.toString() + " rid=")).toBe(true);
      const id = line.substring(line.indexOf("rid=") + 4);
      expect(isUuidV4(id)).toBe(true);
      expect(ids.includes(id)).toBe(false);
      ids.push(id);
    }
    // awesomerpc has no room for it on the wire: each mutation is counted, the frames go on untouched.
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(50);
  });

  it("keeps the id a request already carries", () => {
    const t = new TestPlugin(GENERATE, new TestProtocol(new TaggedCodec()));
    const c = new TcpConnection(1, t.plugin);
    call(c, 1, 9, MS);
    expect(t.logger.lines[0]).toBe("id=1 rid=from-the-client");
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(0);
  });

  it("differs between VMs seeded at different times or connections", () => {
    const a = new TestPlugin(GENERATE);
    const b = new TestPlugin(GENERATE);
    call(new TcpConnection(1, a.plugin), 1, 1, 1000 * MS);
    call(new TcpConnection(2, b.plugin), 1, 1, 1000 * MS);
    expect(a.logger.lines[0]).not.toBe(b.logger.lines[0]);
  });

  it("is off by default", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "access_log": {"format": "%METADATA(x-request-id)%"}}');
    call(new TcpConnection(1, t.plugin), 1, 1, MS);
    expect(t.logger.lines[0]).toBe("-");
  });
});

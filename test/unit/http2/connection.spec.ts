// Two connections back to back (client and server of this library): the handshake, messages both ways with
// trailers, flow control with bodies larger than every window, fragmentation at every size, resets, GOAWAY, PING,
// and the limits on streams and queued data.
import { Http2Config } from "../../../assembly/lib/http2/config";
import { ErrorCode } from "../../../assembly/lib/http2/error_code";
import { Flag, FrameType } from "../../../assembly/lib/http2/frame";
import { Frames, GET, list, Pair, POST } from "./support";

const BODY = new StaticArray<u8>(300_000);
for (let i = 0; i < BODY.length; i++) BODY[i] = <u8>(i * 31 + (i >> 8));
const BODY_PTR = changetype<usize>(BODY);

function sameBody(ptr: usize, length: i32): bool {
  return length == BODY.length && memory.compare(ptr, BODY_PTR, <usize>length) == 0;
}

describe("HTTP/2 connection: handshake", () => {
  it("exchanges SETTINGS and their acknowledgements; the client sends the preface", () => {
    const pair = new Pair();
    pair.flush();
    expect(pair.clientWrote[0]).toBe("SETTINGS 2=0 3=256 6=65536");
    expect(pair.serverWrote[0]).toBe("SETTINGS 3=256 6=65536|SETTINGS ACK");
    expect(pair.clientWrote[1]).toBe("SETTINGS ACK");
    expect(pair.clientEvents.take()).toBe("settings|settings ack");
    expect(pair.serverEvents.take()).toBe("settings|settings ack");
  });

  it("advertises non-default limits, and opens the connection window at once", () => {
    const config = new Http2Config();
    config.headerTableSize = 256;
    config.initialWindowSize = 1 << 20;
    config.connectionWindowSize = 1 << 24;
    config.maxFrameSize = 32768;
    const pair = new Pair(config);
    pair.flush();
    expect(pair.clientWrote[0]).toBe("SETTINGS 1=256 2=0 3=256 4=1048576 5=32768 6=65536|WINDOW_UPDATE 0 16711681");
  });
});

describe("HTTP/2 connection: messages", () => {
  it("a request and a response with bodies and trailers", () => {
    const pair = new Pair();
    const id = pair.client.submitRequest(list(POST), false);
    expect(id).toBe(1);
    expect(pair.client.submitData(id, BODY_PTR, 10, false)).toBe(true);
    expect(pair.client.submitTrailers(id, list("x-checksum=abc"))).toBe(true);
    pair.flush();
    expect(pair.serverEvents.take()).toBe("settings|headers 1 :method=POST,:scheme=http,:path=/upload,:authority=example|data 1 10|trailers 1 x-checksum=abc|settings ack");
    expect(pair.server.submitResponse(1, list(":status=200,content-length=5"), false)).toBe(true);
    expect(pair.server.submitData(1, BODY_PTR, 5, true)).toBe(true);
    pair.flush();
    expect(pair.clientEvents.take()).toBe("settings|settings ack|headers 1 :status=200,content-length=5|data 1 5 end");
    expect(pair.client.openStreams).toBe(0);
    expect(pair.server.openStreams).toBe(0);
  });

  it("bodies far larger than the windows, both ways, arrive whole (WINDOW_UPDATEs open the windows)", () => {
    const pair = new Pair();
    pair.flush();
    const id = pair.client.submitRequest(list(POST), false);
    expect(pair.client.submitData(id, BODY_PTR, BODY.length, true)).toBe(true);
    expect(pair.client.queuedBytes).toBe(BODY.length - 65535);
    pair.flush();
    expect(pair.client.queuedBytes).toBe(0);
    expect(sameBody(pair.serverEvents.body.ptr, pair.serverEvents.body.length)).toBe(true);
    pair.server.submitResponse(id, list(":status=200"), false);
    pair.server.submitData(id, BODY_PTR, BODY.length, false);
    pair.server.submitTrailers(id, list("grpc-status=0"));
    pair.flush();
    expect(sameBody(pair.clientEvents.body.ptr, pair.clientEvents.body.length)).toBe(true);
    const events = pair.clientEvents.take();
    expect(events.endsWith("trailers 1 grpc-status=0")).toBe(true);
    expect(pair.client.openStreams).toBe(0);
    expect(pair.server.openStreams).toBe(0);
  });

  it("gives the same events whatever the fragmentation of the bytes", () => {
    const sizes: Array<i32> = [1, 2, 3, 7, 9, 10, 100, 4096];
    let reference = "";
    for (let s = 0; s < sizes.length; s++) {
      const pair = new Pair();
      const id = pair.client.submitRequest(list(POST), false);
      pair.client.submitData(id, BODY_PTR, 70_000, false);
      pair.client.submitTrailers(id, list("x-end=1"));
      pair.client.submitPing(42);
      pair.flush(sizes[s]);
      pair.server.submitResponse(id, list(":status=204"), true);
      pair.flush(sizes[s]);
      const events = pair.serverEvents.takeMerged() + "#" + pair.clientEvents.takeMerged() + "#" + pair.serverEvents.body.length.toString();
      if (s == 0) reference = events;
      expect(events).toBe(reference);
    }
    expect(reference.includes("trailers 1 x-end=1")).toBe(true);
  });

  it("shares the windows between streams: each gets frames in turn", () => {
    const pair = new Pair();
    pair.flush();
    const a = pair.client.submitRequest(list(POST), false);
    const b = pair.client.submitRequest(list(POST), false);
    pair.client.submitData(a, BODY_PTR, 100_000, true);
    pair.client.submitData(b, BODY_PTR, 100_000, true);
    pair.flush();
    expect(pair.serverEvents.body.length).toBe(200_000);
    // Stream 1 took the whole first window; what the first WINDOW_UPDATE opened went to both.
    expect(pair.clientWrote[2].includes("DATA 3")).toBe(false);
    expect(pair.clientWrote[3]).toBe("DATA 3 16384|DATA 1 16384|DATA 1 16384|DATA 3 16383");
  });
});

describe("HTTP/2 connection: ending streams and connections", () => {
  it("RST_STREAM both ways", () => {
    const pair = new Pair();
    const id = pair.client.submitRequest(list(GET), true);
    pair.flush();
    pair.serverEvents.take();
    expect(pair.server.submitReset(id, ErrorCode.CANCEL)).toBe(true);
    pair.flush();
    expect(pair.clientEvents.take()).toBe("settings|settings ack|reset 1 8 peer");
    const next = pair.client.submitRequest(list(POST), false);
    pair.flush();
    expect(pair.client.submitReset(next, ErrorCode.CANCEL)).toBe(true);
    pair.flush();
    expect(pair.serverEvents.take()).toBe("headers 3 :method=POST,:scheme=http,:path=/upload,:authority=example|reset 3 8 peer");
    expect(pair.client.openStreams + pair.server.openStreams).toBe(0);
  });

  it("GOAWAY from the server: streams it did not process are refused, new requests are not sent", () => {
    const pair = new Pair();
    const first = pair.client.submitRequest(list(GET), true);
    pair.flush();
    pair.server.submitGoAway(ErrorCode.NO_ERROR, "bye");
    const late = pair.client.submitRequest(list(GET), true);
    pair.flush();
    expect(pair.clientEvents.take()).toBe("settings|settings ack|goaway 1 0|reset 3 7 peer");
    expect(pair.serverEvents.take().includes("headers 3")).toBe(false);
    expect(pair.client.submitRequest(list(GET), true)).toBe(0);
    pair.server.submitResponse(first, list(":status=200"), true);
    pair.flush();
    expect(pair.clientEvents.take()).toBe("headers 1 end :status=200");
    expect(late).toBe(3);
  });

  it("GOAWAY from the client", () => {
    const pair = new Pair();
    pair.flush();
    pair.client.submitGoAway(ErrorCode.NO_ERROR);
    pair.flush();
    expect(pair.serverEvents.take()).toBe("settings|settings ack|goaway 0 0");
  });

  it("PING and its acknowledgement, both ways", () => {
    const pair = new Pair();
    pair.client.submitPing(0x0102030405060708);
    pair.server.submitPing(7);
    pair.flush();
    expect(pair.serverEvents.take()).toBe("settings|ping 72623859790382856|settings ack|ping 7 ack");
    expect(pair.clientEvents.take()).toBe("settings|ping 7|settings ack|ping 72623859790382856 ack");
  });
});

describe("HTTP/2 connection: header compression", () => {
  it("a smaller SETTINGS_HEADER_TABLE_SIZE: the default table until acknowledged, then the peer's size update", () => {
    const client = new Http2Config();
    client.encoderTableSize = 4096;
    const server = new Http2Config();
    server.headerTableSize = 256;
    const pair = new Pair(client, server);
    let value = "";
    for (let i = 0; i < 40; i++) value += "0123456789";
    // Sent before the client saw the server's SETTINGS: its encoder fills the default 4,096-byte table.
    pair.client.submitRequest(list(GET + ",x-a=" + value + ",x-b=" + value), true);
    pair.flush();
    for (let i = 0; i < 3; i++) pair.client.submitRequest(list(GET + ",x-a=" + value + ",x-c=small"), true);
    pair.flush();
    const events = pair.serverEvents.take();
    expect(events.includes("error")).toBe(false, events);
    expect(events.split("|headers ").length - 1).toBe(4);
    expect(pair.server.isFailed).toBe(false);
  });

  it("once acknowledged, a block without the size update is a COMPRESSION_ERROR (as nghttp2 requires)", () => {
    const config = new Http2Config();
    config.headerTableSize = 256;
    const pair = new Pair(new Http2Config(), config);
    pair.flush();
    const events = pair.serverEvents;
    events.take();
    const frames = new Frames().frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1, "828684418aa0e41d139d09b8f01e07");
    pair.server.receive(frames.bytes.ptr, frames.bytes.length);
    expect(pair.server.errorCode).toBe(ErrorCode.COMPRESSION_ERROR);
    const fine = new Pair(new Http2Config(), config);
    fine.flush();
    const updated = new Frames().frame(FrameType.HEADERS, Flag.END_STREAM | Flag.END_HEADERS, 1, "3fe101828684418aa0e41d139d09b8f01e07");
    fine.server.receive(updated.bytes.ptr, updated.bytes.length);
    expect(fine.server.isFailed).toBe(false);
    expect(fine.serverEvents.take()).toBe("settings|settings ack|headers 1 end :method=GET,:scheme=http,:path=/,:authority=localhost:8080");
  });
});

describe("HTTP/2 connection: limits", () => {
  it("refuses streams over the concurrency limit (REFUSED_STREAM), the client holds back over the peer's", () => {
    const config = new Http2Config();
    config.maxConcurrentStreams = 2;
    const pair = new Pair(new Http2Config(), config);
    pair.client.submitRequest(list(GET), false);
    pair.client.submitRequest(list(GET), false);
    const third = pair.client.submitRequest(list(GET), false);
    expect(third).toBe(5); // the client has not seen the server's limit yet
    pair.flush();
    expect(pair.clientEvents.take()).toBe("settings|settings ack|reset 5 7 peer");
    expect(pair.client.submitRequest(list(GET), false)).toBe(0); // now it has
  });

  it("refuses data beyond the queue limit, whole", () => {
    const config = new Http2Config();
    config.maxQueuedBytes = 1000;
    const pair = new Pair(config);
    const id = pair.client.submitRequest(list(POST), false);
    expect(pair.client.submitData(id, BODY_PTR, 65535 + 1000, false)).toBe(true);
    expect(pair.client.submitData(id, BODY_PTR, 1, false)).toBe(false);
    expect(pair.client.queuedBytes).toBe(1000);
    pair.flush();
    expect(pair.client.queuedBytes).toBe(0);
    expect(pair.client.submitData(id, BODY_PTR, 1, true)).toBe(true);
  });

  it("uses the peer's larger frames", () => {
    const big = new Http2Config();
    big.maxFrameSize = 65536;
    big.initialWindowSize = 1 << 20;
    big.connectionWindowSize = 1 << 20;
    const pair = new Pair(new Http2Config(), big);
    pair.flush();
    const id = pair.client.submitRequest(list(POST), false);
    pair.client.submitData(id, BODY_PTR, 200_000, true);
    pair.flush();
    expect(pair.clientWrote[2]).toBe("HEADERS 1|DATA 1 65536|DATA 1 65536|DATA 1 65536|DATA 1 3392 END_STREAM");
    expect(pair.serverEvents.body.length).toBe(200_000);
  });

  it("splits header blocks larger than the peer's frames into CONTINUATION frames", () => {
    const pair = new Pair();
    pair.flush();
    const headers = list(POST);
    let value = "";
    for (let i = 0; i < 3000; i++) value += "0123456789"; // 30,000 bytes, 18,750 Huffman-coded
    headers.addString("x-large", value);
    pair.client.submitRequest(headers, true);
    pair.flush();
    expect(pair.clientWrote[2]).toBe("HEADERS 1 END_STREAM more|CONTINUATION 1");
    expect(pair.serverEvents.take()).toBe("settings|settings ack|headers 1 end " + POST + ",x-large=" + value);
  });
});

// A peer that breaks RFC 9113: each mistake gets its error code, as a connection error (GOAWAY, the handler's
// onConnectionError, nothing more read) or a stream error (RST_STREAM, the handler's onReset when it knew the stream).
import { Http2Config } from "../../../assembly/lib/http2/config";
import { Http2Connection, Role } from "../../../assembly/lib/http2/connection";
import { ErrorCode } from "../../../assembly/lib/http2/error_code";
import { Flag, FrameType } from "../../../assembly/lib/http2/frame";
import { FrameLog, Frames, GET, list, POST, Recorder } from "./support";

const END_STREAM = Flag.END_STREAM;
const END_HEADERS = Flag.END_HEADERS;
const REQUEST_END = Flag.END_STREAM | Flag.END_HEADERS;

class Outcome {
  /** The frames the connection wrote after the handshake. */
  wrote: string = "";
  /** The handler's events after the handshake. */
  events: string = "";
  connection: Http2Connection | null = null;
}

function outcome(connection: Http2Connection, events: Recorder, frames: Frames): Outcome {
  const log = new FrameLog();
  let out = connection.pendingOutput();
  connection.consumeOutput(out.length);
  events.take();
  connection.receive(frames.bytes.ptr, frames.bytes.length);
  out = connection.pendingOutput();
  const result = new Outcome();
  result.wrote = log.read(out.ptr, out.length);
  result.events = events.take();
  result.connection = connection;
  return result;
}

/** A server fed the client preface, an empty SETTINGS, then `frames`. */
function atServer(frames: Frames, config: Http2Config = new Http2Config()): Outcome {
  const events = new Recorder();
  const server = new Http2Connection(Role.Server, events, config);
  const start = new Frames().preface().settings();
  server.receive(start.bytes.ptr, start.bytes.length);
  return outcome(server, events, frames);
}

/** A client that sent GET on stream 1 (and POST on 3 when `two`), fed an empty SETTINGS, then `frames`. */
function atClient(frames: Frames, two: bool = false): Outcome {
  const events = new Recorder();
  const client = new Http2Connection(Role.Client, events);
  client.submitRequest(list(GET), true);
  if (two) client.submitRequest(list(POST), false);
  const start = new Frames().settings();
  client.receive(start.bytes.ptr, start.bytes.length);
  return outcome(client, events, frames);
}

function last(text: string): string {
  const at = text.lastIndexOf("|");
  return at < 0 ? text : text.substr(at + 1);
}

/** A connection error with `code`: GOAWAY, the handler told, and the connection stops. */
function connectionError(o: Outcome, code: ErrorCode): void {
  const goAway = last(o.wrote);
  expect(goAway.startsWith("GOAWAY ") && goAway.endsWith(" " + (<u32>code).toString())).toBe(true, o.wrote);
  expect(last(o.events).startsWith("error " + (<u32>code).toString() + " ")).toBe(true, o.events);
  expect(o.connection!.isFailed).toBe(true);
  const more = new Frames().frame(FrameType.PING, 0, 0, "0000000000000001");
  expect(o.connection!.receive(more.bytes.ptr, more.bytes.length)).toBe(false);
}

/** A stream error with `code` on stream `id`, the connection going on. */
function streamError(o: Outcome, id: u32, code: ErrorCode): void {
  expect(last(o.wrote)).toBe("RST_STREAM " + id.toString() + " " + (<u32>code).toString(), o.events);
  expect(o.connection!.isFailed).toBe(false);
}

describe("HTTP/2 malformed input: the connection's start", () => {
  it("not the client preface: PROTOCOL_ERROR", () => {
    const events = new Recorder();
    const server = new Http2Connection(Role.Server, events);
    const bytes = new Frames().settings();
    expect(server.receive(bytes.bytes.ptr, bytes.bytes.length)).toBe(false);
    expect(server.errorCode).toBe(ErrorCode.PROTOCOL_ERROR);
    expect(events.take()).toBe("error 1 bad preface");
  });

  it("a first frame other than SETTINGS: PROTOCOL_ERROR", () => {
    const events = new Recorder();
    const server = new Http2Connection(Role.Server, events);
    const bytes = new Frames().preface().frame(FrameType.PING, 0, 0, "0000000000000000");
    server.receive(bytes.bytes.ptr, bytes.bytes.length);
    expect(server.errorCode).toBe(ErrorCode.PROTOCOL_ERROR);
  });

  it("a frame over SETTINGS_MAX_FRAME_SIZE: FRAME_SIZE_ERROR", () => {
    connectionError(atServer(new Frames().header(16385, FrameType.DATA, 0, 1)), ErrorCode.FRAME_SIZE_ERROR);
  });
});

describe("HTTP/2 malformed input: SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY, RST_STREAM", () => {
  it("SETTINGS on a stream, of a bad size, an ACK with payload, an unexpected ACK", () => {
    connectionError(atServer(new Frames().frame(FrameType.SETTINGS, 0, 1)), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.SETTINGS, 0, 0, "00010000")), ErrorCode.FRAME_SIZE_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.SETTINGS, Flag.ACK, 0, "000100000000")), ErrorCode.FRAME_SIZE_ERROR);
    const twice = new Frames().frame(FrameType.SETTINGS, Flag.ACK, 0).frame(FrameType.SETTINGS, Flag.ACK, 0);
    connectionError(atServer(twice), ErrorCode.PROTOCOL_ERROR);
  });

  it("SETTINGS values out of range", () => {
    connectionError(atServer(new Frames().settings("000200000002")), ErrorCode.PROTOCOL_ERROR); // ENABLE_PUSH 2
    connectionError(atServer(new Frames().settings("000480000000")), ErrorCode.FLOW_CONTROL_ERROR); // window 2^31
    connectionError(atServer(new Frames().settings("000500003fff")), ErrorCode.PROTOCOL_ERROR); // frame size 16383
    connectionError(atServer(new Frames().settings("000501000000")), ErrorCode.PROTOCOL_ERROR); // 2^24
    connectionError(atClient(new Frames().settings("000200000001")), ErrorCode.PROTOCOL_ERROR); // push from a server
  });

  it("unknown settings are ignored", () => {
    const o = atServer(new Frames().settings("00ff00000001000800000001"));
    expect(o.wrote).toBe("SETTINGS ACK");
  });

  it("a SETTINGS_INITIAL_WINDOW_SIZE that overflows a stream's window: FLOW_CONTROL_ERROR", () => {
    const frames = new Frames().headers(1, END_HEADERS, POST).frame(FrameType.WINDOW_UPDATE, 0, 1, "7fff0000").settings("000400010000");
    connectionError(atServer(frames), ErrorCode.FLOW_CONTROL_ERROR);
  });

  it("PING on a stream or of a bad size; GOAWAY on a stream or too short", () => {
    connectionError(atServer(new Frames().frame(FrameType.PING, 0, 1, "0000000000000000")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.PING, 0, 0, "00000000")), ErrorCode.FRAME_SIZE_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.GOAWAY, 0, 1, "0000000000000000")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.GOAWAY, 0, 0, "00000000")), ErrorCode.FRAME_SIZE_ERROR);
  });

  it("WINDOW_UPDATE: bad size, zero, overflow, idle stream", () => {
    connectionError(atServer(new Frames().frame(FrameType.WINDOW_UPDATE, 0, 0, "000001")), ErrorCode.FRAME_SIZE_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.WINDOW_UPDATE, 0, 0, "00000000")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.WINDOW_UPDATE, 0, 0, "7fffffff")), ErrorCode.FLOW_CONTROL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.WINDOW_UPDATE, 0, 5, "00000001")), ErrorCode.PROTOCOL_ERROR);
    const open = new Frames().headers(1, END_HEADERS, POST);
    streamError(atServer(open.frame(FrameType.WINDOW_UPDATE, 0, 1, "00000000")), 1, ErrorCode.PROTOCOL_ERROR);
    const again = new Frames().headers(1, END_HEADERS, POST);
    streamError(atServer(again.frame(FrameType.WINDOW_UPDATE, 0, 1, "7fffffff")), 1, ErrorCode.FLOW_CONTROL_ERROR);
  });

  it("PRIORITY on stream 0, of a bad size, depending on itself", () => {
    connectionError(atServer(new Frames().frame(FrameType.PRIORITY, 0, 0, "0000000310")), ErrorCode.PROTOCOL_ERROR);
    streamError(atServer(new Frames().headers(1, END_HEADERS, POST).frame(FrameType.PRIORITY, 0, 1, "00000003")), 1, ErrorCode.FRAME_SIZE_ERROR);
    streamError(atServer(new Frames().headers(1, END_HEADERS, POST).frame(FrameType.PRIORITY, 0, 1, "0000000110")), 1, ErrorCode.PROTOCOL_ERROR);
    expect(atServer(new Frames().frame(FrameType.PRIORITY, 0, 9, "0000000310")).wrote).toBe(""); // idle stream: fine
  });

  it("RST_STREAM: bad size, stream 0, idle stream", () => {
    connectionError(atServer(new Frames().frame(FrameType.RST_STREAM, 0, 1, "000000")), ErrorCode.FRAME_SIZE_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.RST_STREAM, 0, 0, "00000008")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.RST_STREAM, 0, 1, "00000008")), ErrorCode.PROTOCOL_ERROR);
  });

  it("PUSH_PROMISE: push is disabled", () => {
    connectionError(atClient(new Frames().frame(FrameType.PUSH_PROMISE, END_HEADERS, 1, "0000000282")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.PUSH_PROMISE, END_HEADERS, 1, "0000000282")), ErrorCode.PROTOCOL_ERROR);
  });

  it("frames of unknown types are ignored, but not inside a header block", () => {
    expect(atServer(new Frames().frame(0x42, 0xff, 0, "0102030405")).wrote).toBe("");
    const interrupted = new Frames().frame(FrameType.HEADERS, 0, 1, "82").frame(0x42, 0, 0, "01");
    connectionError(atServer(interrupted), ErrorCode.PROTOCOL_ERROR);
  });

  it("a peer making us owe more acknowledgements than we can flush: ENHANCE_YOUR_CALM", () => {
    const config = new Http2Config();
    config.maxPendingControlBytes = 1000;
    const pings = new Frames();
    for (let i = 0; i < 100; i++) pings.frame(FrameType.PING, 0, 0, "0000000000000001");
    connectionError(atServer(pings, config), ErrorCode.ENHANCE_YOUR_CALM);
  });
});

describe("HTTP/2 malformed input: HEADERS and CONTINUATION", () => {
  it("HEADERS on stream 0, with padding past its end, too short for its priority", () => {
    connectionError(atServer(new Frames().frame(FrameType.HEADERS, END_HEADERS, 0, "82")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.HEADERS, END_HEADERS | Flag.PADDED, 1, "0582")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.HEADERS, END_HEADERS | Flag.PRIORITY, 1, "000000")), ErrorCode.FRAME_SIZE_ERROR);
  });

  it("a header block that is not HPACK: COMPRESSION_ERROR", () => {
    connectionError(atServer(new Frames().frame(FrameType.HEADERS, REQUEST_END, 1, "80")), ErrorCode.COMPRESSION_ERROR);
    connectionError(atServer(new Frames().frame(FrameType.HEADERS, REQUEST_END, 1, "4105")), ErrorCode.COMPRESSION_ERROR);
  });

  it("CONTINUATION without HEADERS, on another stream, too many, too large", () => {
    connectionError(atServer(new Frames().frame(FrameType.CONTINUATION, END_HEADERS, 1, "82")), ErrorCode.PROTOCOL_ERROR);
    const other = new Frames().frame(FrameType.HEADERS, END_STREAM, 1, "82").frame(FrameType.CONTINUATION, END_HEADERS, 3, "86");
    connectionError(atServer(other), ErrorCode.PROTOCOL_ERROR);
    const many = new Frames().frame(FrameType.HEADERS, END_STREAM, 1, "82");
    for (let i = 0; i < 17; i++) many.frame(FrameType.CONTINUATION, 0, 1);
    connectionError(atServer(many), ErrorCode.ENHANCE_YOUR_CALM);
    const config = new Http2Config();
    config.maxHeaderBlockSize = 100;
    const large = new Frames().frame(FrameType.HEADERS, END_STREAM, 1, "82").frame(FrameType.CONTINUATION, 0, 1, "00".repeat(100));
    connectionError(atServer(large, config), ErrorCode.ENHANCE_YOUR_CALM);
  });

  it("a block split over CONTINUATION frames, with padding and priority, decodes", () => {
    const block = new Frames().frame(FrameType.HEADERS, END_STREAM | Flag.PADDED | Flag.PRIORITY, 1, "02" + "0000000010" + "8286" + "0000");
    block.frame(FrameType.CONTINUATION, 0, 1, "84").frame(FrameType.CONTINUATION, END_HEADERS, 1, "418a089d5c0b8170dc780f03");
    const o = atServer(block);
    expect(o.events).toBe("headers 1 end :method=GET,:scheme=http,:path=/,:authority=127.0.0.1:8080");
  });

  it("streams the client may not open: even, or lower than one it opened", () => {
    connectionError(atServer(new Frames().headers(2, REQUEST_END, GET)), ErrorCode.PROTOCOL_ERROR);
    const lower = new Frames().headers(5, REQUEST_END, GET).headers(3, REQUEST_END, GET);
    const o = atServer(lower);
    expect(o.events).toBe("headers 5 end " + GET); // 3 is closed (skipped): ignored
  });

  it("HEADERS at the client on a stream it did not open: PROTOCOL_ERROR", () => {
    connectionError(atClient(new Frames().headers(3, END_HEADERS, ":status=200")), ErrorCode.PROTOCOL_ERROR);
    connectionError(atClient(new Frames().headers(2, END_HEADERS, ":status=200")), ErrorCode.PROTOCOL_ERROR);
  });

  it("a HEADERS that makes a stream depend on itself: stream error PROTOCOL_ERROR", () => {
    const o = atServer(new Frames().frame(FrameType.HEADERS, REQUEST_END | Flag.PRIORITY, 1, "0000000110" + "828684"));
    streamError(o, 1, ErrorCode.PROTOCOL_ERROR);
  });
});

describe("HTTP/2 malformed input: messages (RFC 9113 Section 8)", () => {
  it("malformed requests are refused with PROTOCOL_ERROR, the handler never sees them", () => {
    const bad: Array<string> = [
      ":method=GET,:path=/,:authority=a", // no :scheme
      ":method=GET,:scheme=http,:authority=a", // no :path
      ":method=GET,:scheme=http,:path=,:authority=a", // empty :path
      ":scheme=http,:path=/", // no :method
      ":method=GET,:scheme=http,:path=/,x=1,:authority=a", // pseudo after regular
      ":method=GET,:method=GET,:scheme=http,:path=/", // repeated
      ":method=GET,:scheme=http,:path=/,:status=200", // a response's pseudo-header
      ":method=GET,:scheme=http,:path=/,:protocol=websocket", // unknown
      ":method=GET,:scheme=http,:path=/,Upper=1", // uppercase name
      ":method=GET,:scheme=http,:path=/,bad name=1", // not a token
      ":method=GET,:scheme=http,:path=/,connection=close", // connection-specific
      ":method=GET,:scheme=http,:path=/,transfer-encoding=chunked",
      ":method=GET,:scheme=http,:path=/,te=gzip", // te other than trailers
      ":method=GET,:scheme=http,:path=/,content-length=12a", // not a number
      ":method=GET,:scheme=http,:path=/,content-length=1,content-length=2", // two lengths
      ":method=CONNECT,:scheme=http,:path=/,:authority=a", // CONNECT with :path
    ];
    for (let i = 0; i < bad.length; i++) {
      const o = atServer(new Frames().headers(1, REQUEST_END, bad[i]));
      streamError(o, 1, ErrorCode.PROTOCOL_ERROR);
      expect(o.events).toBe("", bad[i]);
    }
  });

  it("valid requests: CONNECT with :authority only, te: trailers, lowercase symbols in names", () => {
    expect(atServer(new Frames().headers(1, END_HEADERS, ":method=CONNECT,:authority=a:443")).events).toBe("headers 1 :method=CONNECT,:authority=a:443");
    expect(atServer(new Frames().headers(1, REQUEST_END, GET + ",te=trailers,x-a_b.c~d!=v")).wrote).toBe("");
  });

  it("whitespace around a value: accepted as Envoy does, refused when asked (PROTOCOL_ERROR)", () => {
    expect(atServer(new Frames().headers(1, REQUEST_END, GET + ",x= padded ")).events).toBe("headers 1 end " + GET + ",x= padded ");
    const strict = new Http2Config();
    strict.rejectSurroundingWhitespace = true;
    streamError(atServer(new Frames().headers(1, REQUEST_END, GET + ",x= padded"), strict), 1, ErrorCode.PROTOCOL_ERROR);
    streamError(atServer(new Frames().headers(1, REQUEST_END, GET + ",x=padded\t"), strict), 1, ErrorCode.PROTOCOL_ERROR);
  });

  it("a value with NUL, CR or LF: PROTOCOL_ERROR", () => {
    // Literal without indexing, new name "x", value "a\\r\\nb" (raw string).
    const o = atServer(new Frames().frame(FrameType.HEADERS, REQUEST_END, 1, "828684" + "000178" + "0461" + "0d0a" + "62"));
    streamError(o, 1, ErrorCode.PROTOCOL_ERROR);
  });

  it("content-length not matching the body: PROTOCOL_ERROR", () => {
    const more = new Frames().headers(1, END_HEADERS, POST + ",content-length=3").data(1, END_STREAM, 4);
    streamError(atServer(more), 1, ErrorCode.PROTOCOL_ERROR);
    const less = new Frames().headers(1, END_HEADERS, POST + ",content-length=5").data(1, END_STREAM, 4);
    streamError(atServer(less), 1, ErrorCode.PROTOCOL_ERROR);
    const none = new Frames().headers(1, REQUEST_END, POST + ",content-length=5");
    streamError(atServer(none), 1, ErrorCode.PROTOCOL_ERROR);
    const right = new Frames().headers(1, END_HEADERS, POST + ",content-length=4").data(1, 0, 1).data(1, END_STREAM, 3);
    expect(atServer(right).events).toBe("headers 1 " + POST + ",content-length=4|data 1 1|data 1 3 end");
  });

  it("trailers without END_STREAM or with pseudo-headers: PROTOCOL_ERROR", () => {
    streamError(atServer(new Frames().headers(1, END_HEADERS, POST).headers(1, END_HEADERS, "x=1")), 1, ErrorCode.PROTOCOL_ERROR);
    streamError(atServer(new Frames().headers(1, END_HEADERS, POST).headers(1, REQUEST_END, ":path=/")), 1, ErrorCode.PROTOCOL_ERROR);
  });

  it("a header list over the limit: ENHANCE_YOUR_CALM, and the compression state stays in step", () => {
    const config = new Http2Config();
    config.maxHeaderListSize = 200;
    let value = "";
    for (let i = 0; i < 200; i++) value += "v";
    const frames = new Frames().headers(1, REQUEST_END, GET + ",x-big=" + value).headers(3, REQUEST_END, GET);
    const o = atServer(frames, config);
    expect(o.wrote).toBe("RST_STREAM 1 11");
    expect(o.events).toBe("headers 3 end " + GET);
  });

  it("more streams than advertised: REFUSED_STREAM", () => {
    const config = new Http2Config();
    config.maxConcurrentStreams = 1;
    const o = atServer(new Frames().headers(1, END_HEADERS, POST).headers(3, END_HEADERS, POST), config);
    expect(o.wrote).toBe("RST_STREAM 3 7");
    expect(o.events).toBe("headers 1 " + POST);
  });

  it("responses: no :status, a 101, a 1xx ending the stream, DATA before the headers", () => {
    streamError(atClient(new Frames().headers(1, REQUEST_END, "x=1")), 1, ErrorCode.PROTOCOL_ERROR);
    streamError(atClient(new Frames().headers(1, REQUEST_END, ":status=101")), 1, ErrorCode.PROTOCOL_ERROR);
    streamError(atClient(new Frames().headers(1, REQUEST_END, ":status=100")), 1, ErrorCode.PROTOCOL_ERROR);
    streamError(atClient(new Frames().data(1, END_STREAM, 3)), 1, ErrorCode.PROTOCOL_ERROR);
  });

  it("an informational response, then the final one", () => {
    const o = atClient(new Frames().headers(1, END_HEADERS, ":status=103,link=</a>").headers(1, REQUEST_END, ":status=200"));
    expect(o.events).toBe("headers 1 :status=103,link=</a>|headers 1 end :status=200");
  });

  it("a HEAD response and a 304 carry content-length without a body", () => {
    const events = new Recorder();
    const client = new Http2Connection(Role.Client, events);
    client.submitRequest(list(":method=HEAD,:scheme=http,:path=/,:authority=a"), true);
    const frames = new Frames().settings().headers(1, REQUEST_END, ":status=200,content-length=100");
    client.receive(frames.bytes.ptr, frames.bytes.length);
    expect(events.take()).toBe("settings|headers 1 end :status=200,content-length=100");
    expect(atClient(new Frames().headers(1, REQUEST_END, ":status=304,content-length=100")).events).toBe("headers 1 end :status=304,content-length=100");
  });
});

describe("HTTP/2 malformed input: DATA", () => {
  it("DATA on stream 0 or an idle stream: PROTOCOL_ERROR", () => {
    connectionError(atServer(new Frames().data(0, 0, 1)), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().data(1, 0, 1)), ErrorCode.PROTOCOL_ERROR);
  });

  it("padding as long as the frame: PROTOCOL_ERROR; padded without a padding length: FRAME_SIZE_ERROR", () => {
    const frames = new Frames().headers(1, END_HEADERS, POST).frame(FrameType.DATA, Flag.PADDED, 1, "04616161");
    connectionError(atServer(frames), ErrorCode.PROTOCOL_ERROR);
    connectionError(atServer(new Frames().headers(1, END_HEADERS, POST).frame(FrameType.DATA, Flag.PADDED, 1)), ErrorCode.FRAME_SIZE_ERROR);
  });

  it("padded DATA delivers only the data, and counts the padding against the windows", () => {
    const frames = new Frames().headers(1, END_HEADERS, POST).frame(FrameType.DATA, Flag.PADDED | END_STREAM, 1, "02616263" + "0000");
    expect(atServer(frames).events).toBe("headers 1 " + POST + "|data 1 3 end");
  });

  it("DATA beyond the connection's window: FLOW_CONTROL_ERROR; beyond the stream's: stream error", () => {
    const largeStreams = new Http2Config();
    largeStreams.maxFrameSize = 65536;
    largeStreams.initialWindowSize = 1 << 20;
    connectionError(atServer(new Frames().headers(1, END_HEADERS, POST).data(1, 0, 65536), largeStreams), ErrorCode.FLOW_CONTROL_ERROR);
    const largeConnection = new Http2Config();
    largeConnection.maxFrameSize = 65536;
    largeConnection.connectionWindowSize = 1 << 20;
    streamError(atServer(new Frames().headers(1, END_HEADERS, POST).data(1, 0, 65536), largeConnection), 1, ErrorCode.FLOW_CONTROL_ERROR);
  });

  it("DATA after END_STREAM: STREAM_CLOSED", () => {
    const events = new Recorder();
    const server = new Http2Connection(Role.Server, events);
    const frames = new Frames().preface().settings().headers(1, REQUEST_END, GET).data(1, 0, 2);
    server.receive(frames.bytes.ptr, frames.bytes.length);
    // The stream is half-closed (remote): DATA on it is a stream error.
    const log = new FrameLog();
    const out = server.pendingOutput();
    expect(last(log.read(out.ptr, out.length))).toBe("RST_STREAM 1 5");
  });
});

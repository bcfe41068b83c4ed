// Test doubles for the HTTP/2 unit tests: a handler that writes what it hears as lines, a frame reader of what a
// connection writes, builders of raw frames, and a pair of connections joined back to back.
import { ByteBuffer } from "../../../assembly/lib/bytes";
import { HeaderList } from "../../../assembly/lib/hpack/header_list";
import { HpackEncoder } from "../../../assembly/lib/hpack/encoder";
import { Http2Config } from "../../../assembly/lib/http2/config";
import { Http2Connection, Role } from "../../../assembly/lib/http2/connection";
import { CLIENT_PREFACE, CLIENT_PREFACE_LENGTH, FrameType } from "../../../assembly/lib/http2/frame";
import { FrameReader, FrameSink } from "../../../assembly/lib/http2/frame_reader";
import { writeFrameHeader } from "../../../assembly/lib/http2/frame_writer";
import { Http2Handler } from "../../../assembly/lib/http2/handler";

/** Every event as a line: "headers 1 end :method=GET,...", "data 1 5 end", "reset 3 7 peer", ... */
export class Recorder extends Http2Handler {
  lines: Array<string> = [];
  /** Body bytes received, per event (concatenated). */
  body: ByteBuffer = new ByteBuffer();

  onHeaders(streamId: u32, headers: HeaderList, endStream: bool): void {
    this.lines.push("headers " + streamId.toString() + (endStream ? " end " : " ") + fieldsText(headers));
  }

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    this.body.append(ptr, length);
    this.lines.push("data " + streamId.toString() + " " + length.toString() + (endStream ? " end" : ""));
  }

  onTrailers(streamId: u32, trailers: HeaderList): void {
    this.lines.push("trailers " + streamId.toString() + " " + fieldsText(trailers));
  }

  onReset(streamId: u32, errorCode: u32, byPeer: bool): void {
    this.lines.push("reset " + streamId.toString() + " " + errorCode.toString() + (byPeer ? " peer" : " local"));
  }

  onGoAway(lastStreamId: u32, errorCode: u32, debugPtr: usize, debugLength: i32): void {
    this.lines.push("goaway " + lastStreamId.toString() + " " + errorCode.toString());
  }

  onPing(opaque: u64, ack: bool): void {
    this.lines.push("ping " + opaque.toString() + (ack ? " ack" : ""));
  }

  onSettings(ack: bool): void {
    this.lines.push(ack ? "settings ack" : "settings");
  }

  onConnectionError(errorCode: u32, reason: string): void {
    this.lines.push("error " + errorCode.toString() + " " + reason);
  }

  /** The lines since the last call, joined by "|". */
  take(): string {
    const text = this.lines.join("|");
    this.lines = [];
    return text;
  }

  /** Like take, with consecutive data events of a stream merged into one (how TCP cut the bytes does not show). */
  takeMerged(): string {
    const merged: Array<string> = [];
    let stream = "";
    let total = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line.startsWith("data ")) {
        const parts = line.split(" ");
        if (parts[1] != stream) {
          stream = parts[1];
          total = 0;
          merged.push("");
        }
        total += I32.parseInt(parts[2]);
        merged[merged.length - 1] = "data " + stream + " " + total.toString() + (parts.length > 3 ? " end" : "");
        continue;
      }
      stream = "";
      merged.push(line);
    }
    this.lines = [];
    return merged.join("|");
  }
}

export function fieldsText(list: HeaderList): string {
  const parts: Array<string> = [];
  for (let i = 0; i < list.count; i++) parts.push(list.nameString(i) + "=" + list.valueString(i));
  return parts.join(",");
}

/** Frames as lines: "HEADERS 1 END_STREAM|END_HEADERS 12", "RST_STREAM 3 code=7", "GOAWAY last=1 code=1", ... */
export class FrameLog extends FrameSink {
  lines: Array<string> = [];
  private type: u8 = 0;
  private flags: u8 = 0;
  private stream: u32 = 0;
  private reader: FrameReader = new FrameReader(false);
  private dataBytes: i32 = 0;

  /** Frames in `bytes` (a client's output may start with the preface: skipped). */
  read(ptr: usize, length: i32): string {
    this.lines = [];
    if (length >= CLIENT_PREFACE_LENGTH && memory.compare(ptr, CLIENT_PREFACE, CLIENT_PREFACE_LENGTH) == 0) {
      ptr += CLIENT_PREFACE_LENGTH;
      length -= CLIENT_PREFACE_LENGTH;
    }
    this.reader.feed(this, ptr, length);
    return this.lines.join("|");
  }

  onFrameHeader(type: u8, flags: u8, streamId: u32, length: i32): bool {
    this.type = type;
    this.flags = flags;
    this.stream = streamId;
    this.dataBytes = 0;
    return true;
  }

  onPayloadPiece(ptr: usize, length: i32, last: bool): bool {
    this.dataBytes += length;
    if (!last) return true;
    if (this.type != FrameType.DATA) this.lines.push("FRAME " + this.type.toString() + " " + this.dataBytes.toString());
    else this.lines.push("DATA " + this.stream.toString() + " " + this.dataBytes.toString() + ((this.flags & 1) != 0 ? " END_STREAM" : ""));
    return true;
  }

  onPayload(ptr: usize, length: i32): bool {
    const id = this.stream.toString();
    switch (this.type) {
      case FrameType.HEADERS:
        this.lines.push("HEADERS " + id + ((this.flags & 1) != 0 ? " END_STREAM" : "") + ((this.flags & 4) != 0 ? "" : " more"));
        break;
      case FrameType.CONTINUATION:
        this.lines.push("CONTINUATION " + id + ((this.flags & 4) != 0 ? "" : " more"));
        break;
      case FrameType.RST_STREAM:
        this.lines.push("RST_STREAM " + id + " " + this.word(ptr, 0).toString());
        break;
      case FrameType.SETTINGS:
        if ((this.flags & 1) != 0) {
          this.lines.push("SETTINGS ACK");
        } else {
          let text = "SETTINGS";
          for (let at = 0; at + 6 <= length; at += 6) text += " " + (<u32>bswap<u16>(load<u16>(ptr + <usize>at))).toString() + "=" + bswap<u32>(load<u32>(ptr + <usize>at, 2)).toString();
          this.lines.push(text);
        }
        break;
      case FrameType.PING:
        this.lines.push("PING" + ((this.flags & 1) != 0 ? " ACK " : " ") + bswap<u64>(load<u64>(ptr)).toString());
        break;
      case FrameType.GOAWAY:
        this.lines.push("GOAWAY " + this.word(ptr, 0).toString() + " " + this.word(ptr, 4).toString());
        break;
      case FrameType.WINDOW_UPDATE:
        this.lines.push("WINDOW_UPDATE " + id + " " + this.word(ptr, 0).toString());
        break;
      default:
        this.lines.push("FRAME " + this.type.toString());
    }
    return true;
  }

  private word(ptr: usize, at: i32): u32 {
    return bswap<u32>(load<u32>(ptr + <usize>at));
  }
}

/** Raw frames for a peer that misbehaves on purpose. */
export class Frames {
  readonly bytes: ByteBuffer = new ByteBuffer();
  private encoder: HpackEncoder = new HpackEncoder(0);

  preface(): Frames {
    this.bytes.append(CLIENT_PREFACE, CLIENT_PREFACE_LENGTH);
    return this;
  }

  frame(type: i32, flags: u8, streamId: u32, payload: string = ""): Frames {
    const p = hexBytes(payload);
    writeFrameHeader(this.bytes, p.length, <FrameType>type, flags, streamId);
    this.bytes.append(p.ptr, p.length);
    return this;
  }

  /** A frame whose header says `length` with `payload` bytes (hex) after it. */
  header(length: i32, type: i32, flags: u8, streamId: u32): Frames {
    writeFrameHeader(this.bytes, length, <FrameType>type, flags, streamId);
    return this;
  }

  settings(entries: string = ""): Frames {
    return this.frame(FrameType.SETTINGS, 0, 0, entries);
  }

  headers(streamId: u32, flags: u8, fields: string): Frames {
    const block = new ByteBuffer();
    this.encoder.encode(list(fields), block);
    writeFrameHeader(this.bytes, block.length, FrameType.HEADERS, flags, streamId);
    this.bytes.append(block.ptr, block.length);
    return this;
  }

  data(streamId: u32, flags: u8, length: i32): Frames {
    writeFrameHeader(this.bytes, length, FrameType.DATA, flags, streamId);
    for (let i = 0; i < length; i++) this.bytes.appendU8(0x61 + <u32>(i % 26));
    return this;
  }
}

/** "name=value,name=value" as a header list. */
export function list(fields: string): HeaderList {
  const result = new HeaderList();
  if (fields.length == 0) return result;
  const parts = fields.split(",");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=", 1);
    result.addString(parts[i].substr(0, eq), parts[i].substr(eq + 1));
  }
  return result;
}

export function hexBytes(text: string): ByteBuffer {
  const out = new ByteBuffer();
  for (let i = 0; i + 1 < text.length; i += 2) out.appendU8(<u32>I32.parseInt(text.substr(i, 2), 16));
  return out;
}

export const GET = ":method=GET,:scheme=http,:path=/,:authority=example";
export const POST = ":method=POST,:scheme=http,:path=/upload,:authority=example";

/** A client and a server joined back to back: `flush` moves each one's output into the other until both are quiet. */
export class Pair {
  clientEvents: Recorder;
  serverEvents: Recorder;
  client: Http2Connection;
  server: Http2Connection;
  /** Frames each side wrote, as FrameLog lines. */
  clientWrote: Array<string> = [];
  serverWrote: Array<string> = [];
  private log: FrameLog = new FrameLog();

  constructor(clientConfig: Http2Config = new Http2Config(), serverConfig: Http2Config = new Http2Config()) {
    const clientEvents = new Recorder();
    const serverEvents = new Recorder();
    this.clientEvents = clientEvents;
    this.serverEvents = serverEvents;
    this.client = new Http2Connection(Role.Client, clientEvents, clientConfig);
    this.server = new Http2Connection(Role.Server, serverEvents, serverConfig);
  }

  /** Delivers pending output both ways, in chunks of `chunk` bytes (0: whole), until nothing moves. */
  flush(chunk: i32 = 0): void {
    for (let round = 0; round < 1000; round++) {
      const a = this.move(this.client, this.server, this.clientWrote, chunk);
      const b = this.move(this.server, this.client, this.serverWrote, chunk);
      if (!a && !b) return;
    }
  }

  private move(from: Http2Connection, to: Http2Connection, wrote: Array<string>, chunk: i32): bool {
    const out = from.pendingOutput();
    if (out.length == 0) return false;
    const frames = this.log.read(out.ptr, out.length);
    if (frames.length > 0) wrote.push(frames);
    const step = chunk > 0 ? chunk : out.length;
    for (let at = 0; at < out.length; at += step) to.receive(out.ptr + <usize>at, min(step, out.length - at));
    from.consumeOutput(out.length);
    return true;
  }
}

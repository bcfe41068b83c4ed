// The Node side of build/test/http2_harness.wasm (test/http2/harness.ts): loads the module and wraps its exports as
// connections that take bytes, give the pending output, and report events as objects.
import { readFileSync } from "node:fs";

export const HARNESS_PATH = new URL("../../build/test/http2_harness.wasm", import.meta.url).pathname;

/** [name, value] or [name, value, sensitive]. */
export type Header = [string, string] | [string, string, boolean];

export type Http2Event =
  | { kind: "headers"; stream: number; end: boolean; headers: Header[] }
  | { kind: "data"; stream: number; end: boolean; data: Buffer }
  | { kind: "trailers"; stream: number; headers: Header[] }
  | { kind: "reset"; stream: number; code: number; byPeer: boolean }
  | { kind: "goaway"; lastStreamId: number; code: number; debug: Buffer }
  | { kind: "ping"; ack: boolean; opaque: bigint }
  | { kind: "settings"; ack: boolean }
  | { kind: "error"; code: number; reason: string };

/** Http2Config's fields, as harness.ts's configSet numbers them. */
export interface Http2Limits {
  maxFrameSize?: number;
  headerTableSize?: number;
  maxHeaderListSize?: number;
  maxHeaderBlockSize?: number;
  maxContinuations?: number;
  maxConcurrentStreams?: number;
  initialWindowSize?: number;
  connectionWindowSize?: number;
  encoderTableSize?: number;
  huffman?: boolean;
  maxQueuedBytes?: number;
  maxPendingControlBytes?: number;
  rejectSurroundingWhitespace?: boolean;
}

const CONFIG_KEYS: Record<keyof Http2Limits, number> = {
  maxFrameSize: 1,
  headerTableSize: 2,
  maxHeaderListSize: 3,
  maxHeaderBlockSize: 4,
  maxContinuations: 5,
  maxConcurrentStreams: 6,
  initialWindowSize: 7,
  connectionWindowSize: 8,
  encoderTableSize: 9,
  huffman: 10,
  maxQueuedBytes: 11,
  maxPendingControlBytes: 12,
  rejectSurroundingWhitespace: 13,
};

export const ErrorCodes = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
  ENHANCE_YOUR_CALM: 11,
} as const;

/** The harness's exports (numbers are i32/u32; pointers are offsets in its memory). */
interface Exports {
  memory: WebAssembly.Memory;
  input(size: number): number;
  configReset(): void;
  configSet(key: number, value: number): void;
  open(role: number): number;
  close(handle: number): void;
  receive(handle: number, length: number): number;
  outputLength(handle: number): number;
  outputPtr(handle: number): number;
  consumeOutput(handle: number, count: number): void;
  eventsPtr(handle: number): number;
  eventsLength(handle: number): number;
  clearEvents(handle: number): void;
  submitRequest(handle: number, headersLength: number, endStream: number): number;
  submitResponse(handle: number, stream: number, headersLength: number, endStream: number): number;
  submitTrailers(handle: number, stream: number, headersLength: number): number;
  submitData(handle: number, stream: number, length: number, endStream: number): number;
  submitReset(handle: number, stream: number, code: number): number;
  submitGoAway(handle: number, code: number): void;
  submitPing(handle: number, high: number, low: number): void;
  queuedBytes(handle: number): number;
  openStreams(handle: number): number;
  errorCode(handle: number): number;
  openIdle(role: number, count: number): void;
  closeIdle(): void;
  hpackOpen(maxListSize: number, tableSize: number): number;
  hpackCloseAll(): void;
  hpackDecode(handle: number, length: number): number;
  benchDecode(handle: number, length: number, iterations: number): number;
  benchEncode(headersLength: number, iterations: number): number;
  exchangeSetup(requestLength: number, responseLength: number, bodyLength: number, encoderTableSize: number): void;
  benchExchange(iterations: number, perRound: number): number;
}

export class Http2Harness {
  private constructor(readonly exports: Exports) {}

  static async load(path = HARNESS_PATH): Promise<Http2Harness> {
    let harness: Http2Harness | undefined;
    const { instance } = await WebAssembly.instantiate(readFileSync(path), {
      harness: {
        abort(message: number, fileName: number, line: number, column: number): never {
          const text = (ptr: number) => (ptr === 0 || !harness ? "" : harness.readString(ptr));
          throw new Error(`abort: ${text(message)} at ${text(fileName)}:${line}:${column}`);
        },
      },
    });
    harness = new Http2Harness(instance.exports as unknown as Exports);
    // asconfig.json exports the start function as _initialize (as proxy-wasm hosts expect): globals need it.
    (instance.exports._initialize as () => void)();
    return harness;
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Copies `bytes` to the input buffer (harness.ts `input`); its address. */
  write(bytes: Uint8Array): number {
    const ptr = this.exports.input(bytes.length);
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  bytesAt(ptr: number, length: number): Buffer {
    return Buffer.from(new Uint8Array(this.exports.memory.buffer, ptr, length));
  }

  open(role: "client" | "server", limits: Http2Limits = {}): WasmConnection {
    this.exports.configReset();
    for (const [key, value] of Object.entries(limits)) {
      if (value !== undefined) this.exports.configSet(CONFIG_KEYS[key as keyof Http2Limits], typeof value === "boolean" ? Number(value) : value);
    }
    return new WasmConnection(this, this.exports.open(role === "client" ? 0 : 1));
  }

  /** AssemblyScript's UTF-16 string at `ptr` (its length is in the object header). */
  private readString(ptr: number): string {
    const length = new Uint32Array(this.exports.memory.buffer, ptr - 4, 1)[0];
    return Buffer.from(new Uint8Array(this.exports.memory.buffer, ptr, length)).toString("utf16le");
  }
}

/** The first value of `name`. */
export function header(headers: readonly Header[], name: string): string | undefined {
  return headers.find((h) => h[0] === name)?.[1];
}

/** A header list in the harness's record format. */
export function encodeHeaders(headers: readonly Header[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value, sensitive] of headers) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const record = Buffer.alloc(9 + n.length + v.length);
    record.writeUInt32LE(n.length, 0);
    n.copy(record, 4);
    record.writeUInt32LE(v.length, 4 + n.length);
    v.copy(record, 8 + n.length);
    record[8 + n.length + v.length] = sensitive ? 1 : 0;
    parts.push(record);
  }
  return Buffer.concat(parts);
}

export class WasmConnection {
  constructor(
    private readonly harness: Http2Harness,
    readonly handle: number,
  ) {}

  private get x(): Exports {
    return this.harness.exports;
  }

  /** Feeds bytes the peer sent; false once the connection failed. */
  receive(bytes: Uint8Array): boolean {
    this.harness.write(bytes);
    return this.x.receive(this.handle, bytes.length) === 1;
  }

  /** The pending output, taken (the connection forgets it). */
  takeOutput(): Buffer {
    const length = this.x.outputLength(this.handle);
    if (length === 0) return Buffer.alloc(0);
    const bytes = this.harness.bytesAt(this.x.outputPtr(this.handle), length);
    this.x.consumeOutput(this.handle, length);
    return bytes;
  }

  takeEvents(): Http2Event[] {
    const length = this.x.eventsLength(this.handle);
    if (length === 0) return [];
    const bytes = this.harness.bytesAt(this.x.eventsPtr(this.handle), length);
    this.x.clearEvents(this.handle);
    return parseEvents(bytes);
  }

  submitRequest(headers: readonly Header[], endStream: boolean): number {
    const list = encodeHeaders(headers);
    this.harness.write(list);
    return this.x.submitRequest(this.handle, list.length, Number(endStream));
  }

  submitResponse(stream: number, headers: readonly Header[], endStream: boolean): boolean {
    const list = encodeHeaders(headers);
    this.harness.write(list);
    return this.x.submitResponse(this.handle, stream, list.length, Number(endStream)) === 1;
  }

  submitTrailers(stream: number, headers: readonly Header[]): boolean {
    const list = encodeHeaders(headers);
    this.harness.write(list);
    return this.x.submitTrailers(this.handle, stream, list.length) === 1;
  }

  /** False when refused (the queue limit, or a stream that cannot take data). */
  submitData(stream: number, data: Uint8Array, endStream: boolean): boolean {
    this.harness.write(data);
    return this.x.submitData(this.handle, stream, data.length, Number(endStream)) === 1;
  }

  submitReset(stream: number, code: number): boolean {
    return this.x.submitReset(this.handle, stream, code) === 1;
  }

  submitGoAway(code: number): void {
    this.x.submitGoAway(this.handle, code);
  }

  submitPing(opaque: bigint): void {
    this.x.submitPing(this.handle, Number(opaque >> 32n), Number(opaque & 0xffffffffn));
  }

  get queuedBytes(): number {
    return this.x.queuedBytes(this.handle);
  }

  get openStreams(): number {
    return this.x.openStreams(this.handle);
  }

  get errorCode(): number {
    return this.x.errorCode(this.handle);
  }

  close(): void {
    this.x.close(this.handle);
  }
}

export function parseEvents(bytes: Buffer): Http2Event[] {
  const events: Http2Event[] = [];
  let at = 0;
  const u8 = () => bytes[at++];
  const u32 = () => {
    const v = bytes.readUInt32LE(at);
    at += 4;
    return v;
  };
  const chunk = (length: number) => {
    const b = Buffer.from(bytes.subarray(at, at + length));
    at += length;
    return b;
  };
  const list = (): Header[] => {
    const count = u32();
    const headers: Header[] = [];
    for (let i = 0; i < count; i++) {
      const name = chunk(u32()).toString("latin1");
      const value = chunk(u32()).toString("latin1");
      headers.push(u8() === 1 ? [name, value, true] : [name, value]);
    }
    return headers;
  };
  while (at < bytes.length) {
    const kind = u8();
    const stream = u32();
    switch (kind) {
      case 1: {
        const end = u8() === 1;
        events.push({ kind: "headers", stream, end, headers: list() });
        break;
      }
      case 2: {
        const end = u8() === 1;
        events.push({ kind: "data", stream, end, data: chunk(u32()) });
        break;
      }
      case 3:
        events.push({ kind: "trailers", stream, headers: list() });
        break;
      case 4:
        events.push({ kind: "reset", stream, code: u32(), byPeer: u8() === 1 });
        break;
      case 5: {
        const code = u32();
        events.push({ kind: "goaway", lastStreamId: stream, code, debug: chunk(u32()) });
        break;
      }
      case 6: {
        const ack = u8() === 1;
        const low = BigInt(u32());
        const high = BigInt(u32());
        events.push({ kind: "ping", ack, opaque: (high << 32n) | low });
        break;
      }
      case 7:
        events.push({ kind: "settings", ack: u8() === 1 });
        break;
      case 8: {
        const code = u32();
        events.push({ kind: "error", code, reason: chunk(u32()).toString("latin1") });
        break;
      }
      default:
        throw new Error(`unknown event kind ${kind} at ${at - 5}`);
    }
  }
  return events;
}

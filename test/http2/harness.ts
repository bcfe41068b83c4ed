// The HTTP/2 library as a plain wasm module, for the Node-side tests (real sockets against Node's http2 and
// nghttp2's tools), the fuzzer and the benchmarks: build/test/http2_harness.wasm (make). Compiled with the
// modules' options (asconfig.json, release): the minimal runtime, so garbage is collected only when an export
// returns (each one ends with `__collect()`: nothing here calls an export from inside another).
//
// Bytes come in through one reused input buffer (`input(size)` gives its address); each connection's events are
// written into its own buffer as records the driver (test/http2/wasm_http2.ts) parses:
//   u8 kind, u32 stream, then per kind (numbers little-endian):
//   HEADERS u8 end, u32 count, count × (u32 length, name, u32 length, value, u8 sensitive); TRAILERS the same
//   without `end`; DATA u8 end, u32 length, bytes; RESET u32 code, u8 byPeer; GOAWAY u32 code, u32 length, debug
//   data; PING u8 ack, u64 opaque; SETTINGS u8 ack; ERROR u32 code, u32 length, reason (ASCII).
// Header lists from the driver are records of (u32 length, name, u32 length, value, u8 sensitive).
import { ByteBuffer } from "../../assembly/lib/bytes";
import { DecodeResult, HpackDecoder } from "../../assembly/lib/hpack/decoder";
import { HpackEncoder } from "../../assembly/lib/hpack/encoder";
import { HeaderList } from "../../assembly/lib/hpack/header_list";
import { Http2Config } from "../../assembly/lib/http2/config";
import { Http2Connection, Role } from "../../assembly/lib/http2/connection";
import { Http2Handler } from "../../assembly/lib/http2/handler";

// @ts-ignore: decorator
@external("harness", "abort")
declare function hostAbort(message: usize, fileName: usize, line: u32, column: u32): void;

/** The abort handler asconfig.json names: the host throws, so a failed assertion is a trap the fuzzer sees. */
// @ts-ignore: decorator
@global
export function abi_abort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  hostAbort(changetype<usize>(message), changetype<usize>(fileName), lineNumber, columnNumber);
}

const HEADERS: u32 = 1;
const DATA: u32 = 2;
const TRAILERS: u32 = 3;
const RESET: u32 = 4;
const GOAWAY: u32 = 5;
const PING: u32 = 6;
const SETTINGS: u32 = 7;
const ERROR: u32 = 8;

/** Writes every event as a record (see the top of the file). */
class EventLog extends Http2Handler {
  readonly records: ByteBuffer = new ByteBuffer();

  onHeaders(streamId: u32, headers: HeaderList, endStream: bool): void {
    this.start(HEADERS, streamId);
    this.records.appendU8(endStream ? 1 : 0);
    this.list(headers);
  }

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    this.start(DATA, streamId);
    this.records.appendU8(endStream ? 1 : 0);
    this.records.appendI32(length);
    this.records.append(ptr, length);
  }

  onTrailers(streamId: u32, trailers: HeaderList): void {
    this.start(TRAILERS, streamId);
    this.list(trailers);
  }

  onReset(streamId: u32, errorCode: u32, byPeer: bool): void {
    this.start(RESET, streamId);
    this.records.appendI32(<i32>errorCode);
    this.records.appendU8(byPeer ? 1 : 0);
  }

  onGoAway(lastStreamId: u32, errorCode: u32, debugPtr: usize, debugLength: i32): void {
    this.start(GOAWAY, lastStreamId);
    this.records.appendI32(<i32>errorCode);
    this.records.appendI32(debugLength);
    this.records.append(debugPtr, debugLength);
  }

  onPing(opaque: u64, ack: bool): void {
    this.start(PING, 0);
    this.records.appendU8(ack ? 1 : 0);
    this.records.appendI32(<i32>opaque);
    this.records.appendI32(<i32>(opaque >> 32));
  }

  onSettings(ack: bool): void {
    this.start(SETTINGS, 0);
    this.records.appendU8(ack ? 1 : 0);
  }

  onConnectionError(errorCode: u32, reason: string): void {
    this.start(ERROR, 0);
    this.records.appendI32(<i32>errorCode);
    this.records.appendI32(reason.length);
    this.records.appendUtf8(reason);
  }

  private start(kind: u32, streamId: u32): void {
    this.records.appendU8(kind);
    this.records.appendI32(<i32>streamId);
  }

  private list(headers: HeaderList): void {
    this.records.appendI32(headers.count);
    for (let i = 0; i < headers.count; i++) {
      this.records.appendI32(headers.nameLength(i));
      this.records.append(headers.namePtr(i), headers.nameLength(i));
      this.records.appendI32(headers.valueLength(i));
      this.records.append(headers.valuePtr(i), headers.valueLength(i));
      this.records.appendU8(headers.sensitive(i) ? 1 : 0);
    }
  }
}

/** A handler that keeps nothing: for measuring what a connection itself holds. */
class Silent extends Http2Handler {}

class Endpoint {
  constructor(
    readonly connection: Http2Connection,
    readonly events: EventLog,
  ) {}
}

let inputData = new ArrayBuffer(0);
const endpoints: Array<Endpoint | null> = [];
let config = new Http2Config();
const submitted = new HeaderList();

/** The input buffer, at least `size` bytes: the driver writes what the next call reads there. */
export function input(size: i32): usize {
  if (size > inputData.byteLength) inputData = new ArrayBuffer(size);
  __collect();
  return inputPtr();
}

// @ts-ignore: decorator
@inline
function inputPtr(): usize {
  return changetype<usize>(inputData);
}

// ------------------------------------------------------------------------------------------------------------------
// Configuration of the connections opened next

export function configReset(): void {
  config = new Http2Config();
  __collect();
}

/** Keys: 1 maxFrameSize, 2 headerTableSize, 3 maxHeaderListSize, 4 maxHeaderBlockSize, 5 maxContinuations,
 * 6 maxConcurrentStreams, 7 initialWindowSize, 8 connectionWindowSize, 9 encoderTableSize, 10 huffman,
 * 11 maxQueuedBytes, 12 maxPendingControlBytes, 13 rejectSurroundingWhitespace. */
export function configSet(key: i32, value: i32): void {
  switch (key) {
    case 1: config.maxFrameSize = value; break;
    case 2: config.headerTableSize = value; break;
    case 3: config.maxHeaderListSize = value; break;
    case 4: config.maxHeaderBlockSize = value; break;
    case 5: config.maxContinuations = value; break;
    case 6: config.maxConcurrentStreams = value; break;
    case 7: config.initialWindowSize = value; break;
    case 8: config.connectionWindowSize = value; break;
    case 9: config.encoderTableSize = value; break;
    case 10: config.huffman = value != 0; break;
    case 11: config.maxQueuedBytes = value; break;
    case 12: config.maxPendingControlBytes = value; break;
    case 13: config.rejectSurroundingWhitespace = value != 0; break;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Connections

/** Opens a connection (role 0 client, 1 server); its handle. */
export function open(role: i32): i32 {
  const events = new EventLog();
  const endpoint = new Endpoint(new Http2Connection(role == 0 ? Role.Client : Role.Server, events, config), events);
  let handle = endpoints.indexOf(null);
  if (handle < 0) {
    handle = endpoints.length;
    endpoints.push(endpoint);
  } else {
    endpoints[handle] = endpoint;
  }
  __collect();
  return handle;
}

export function close(handle: i32): void {
  if (handle >= 0 && handle < endpoints.length) endpoints[handle] = null;
  __collect();
}

/** Feeds `length` bytes of the input buffer; 1 while the connection works, 0 once it failed. */
export function receive(handle: i32, length: i32): i32 {
  const ok = endpoint(handle).connection.receive(inputPtr(), length);
  __collect();
  return ok ? 1 : 0;
}

/** The pending output's length (queued data that the windows allow moved in first); its bytes at outputPtr. */
export function outputLength(handle: i32): i32 {
  const length = endpoint(handle).connection.pendingOutput().length;
  __collect();
  return length;
}

export function outputPtr(handle: i32): usize {
  return endpoint(handle).connection.pendingOutput().ptr;
}

export function consumeOutput(handle: i32, count: i32): void {
  endpoint(handle).connection.consumeOutput(count);
  __collect();
}

export function eventsPtr(handle: i32): usize {
  return endpoint(handle).events.records.ptr;
}

export function eventsLength(handle: i32): i32 {
  return endpoint(handle).events.records.length;
}

export function clearEvents(handle: i32): void {
  const records = endpoint(handle).events.records;
  records.clear();
  records.release(4096);
  __collect();
}

export function submitRequest(handle: i32, headersLength: i32, endStream: i32): u32 {
  const id = endpoint(handle).connection.submitRequest(readList(inputPtr(), headersLength), endStream != 0);
  __collect();
  return id;
}

export function submitResponse(handle: i32, streamId: u32, headersLength: i32, endStream: i32): i32 {
  const ok = endpoint(handle).connection.submitResponse(streamId, readList(inputPtr(), headersLength), endStream != 0);
  __collect();
  return ok ? 1 : 0;
}

export function submitTrailers(handle: i32, streamId: u32, headersLength: i32): i32 {
  const ok = endpoint(handle).connection.submitTrailers(streamId, readList(inputPtr(), headersLength));
  __collect();
  return ok ? 1 : 0;
}

/** Data from the input buffer; 1 when taken, 0 when refused (queue limit, stream not writable). */
export function submitData(handle: i32, streamId: u32, length: i32, endStream: i32): i32 {
  const ok = endpoint(handle).connection.submitData(streamId, inputPtr(), length, endStream != 0);
  __collect();
  return ok ? 1 : 0;
}

export function submitReset(handle: i32, streamId: u32, errorCode: u32): i32 {
  const ok = endpoint(handle).connection.submitReset(streamId, errorCode);
  __collect();
  return ok ? 1 : 0;
}

export function submitGoAway(handle: i32, errorCode: u32): void {
  endpoint(handle).connection.submitGoAway(errorCode, "harness");
  __collect();
}

export function submitPing(handle: i32, high: u32, low: u32): void {
  endpoint(handle).connection.submitPing((<u64>high << 32) | <u64>low);
  __collect();
}

export function queuedBytes(handle: i32): i32 {
  return endpoint(handle).connection.queuedBytes;
}

export function openStreams(handle: i32): i32 {
  return endpoint(handle).connection.openStreams;
}

/** The connection error this side raised (0 while it works). */
export function errorCode(handle: i32): u32 {
  return <u32>endpoint(handle).connection.errorCode;
}

function endpoint(handle: i32): Endpoint {
  const e = handle >= 0 && handle < endpoints.length ? endpoints[handle] : null;
  if (e === null) throw new Error("no such connection");
  return e;
}

/** The header list the driver wrote at `base`. */
function readList(base: usize, length: i32): HeaderList {
  submitted.clear();
  let at = 0;
  while (at + 9 <= length) {
    const nameLength = load<i32>(base + <usize>at);
    const name = base + <usize>at + 4;
    const valueLength = load<i32>(name + <usize>nameLength);
    const value = name + <usize>nameLength + 4;
    submitted.add(name, nameLength, value, valueLength, load<u8>(value + <usize>valueLength) != 0);
    at += 9 + nameLength + valueLength;
  }
  return submitted;
}

// ------------------------------------------------------------------------------------------------------------------
// Memory of idle connections: client and server pairs joined in wasm, SETTINGS exchanged, one side kept open

const idle: Array<Http2Connection> = [];

/**
 * Opens `count` client/server pairs with silent handlers, exchanges their SETTINGS and acknowledgements, and keeps
 * the client (role 0) or the server (role 1) of each; the other one is garbage once this returns.
 */
export function openIdle(role: i32, count: i32): void {
  const handler = new Silent();
  for (let i = 0; i < count; i++) {
    const client = new Http2Connection(Role.Client, handler, config);
    const server = new Http2Connection(Role.Server, handler, config);
    for (let round = 0; round < 3; round++) {
      relay(client, server);
      relay(server, client);
    }
    idle.push(role == 0 ? client : server);
  }
  __collect();
}

export function closeIdle(): void {
  idle.length = 0;
  __collect();
}

function relay(from: Http2Connection, to: Http2Connection): void {
  const out = from.pendingOutput();
  to.receive(out.ptr, out.length);
  from.consumeOutput(out.length);
}

// ------------------------------------------------------------------------------------------------------------------
// HPACK alone (the fuzzer and the benchmarks)

const decoders: Array<HpackDecoder> = [];
const decoded = new HeaderList();
const reencoded = new ByteBuffer();
const again = new HeaderList();

/** A decoder kept between calls (a dynamic table that evolves); its handle. */
export function hpackOpen(maxListSize: i32, tableSize: i32): i32 {
  decoders.push(new HpackDecoder(maxListSize, tableSize));
  __collect();
  return decoders.length - 1;
}

export function hpackCloseAll(): void {
  decoders.length = 0;
  __collect();
}

/**
 * Decodes the block in the input buffer; then, when it decoded, encodes the list again (a fresh encoder, Huffman
 * and a table) and decodes that with a fresh decoder, which must give the same list. Returns the DecodeResult
 * (0 ok, 1 compression error, 2 list too large) + 16 × the field count, or -1 when the round trip differs.
 */
export function hpackDecode(handle: i32, length: i32): i32 {
  const result = decoders[handle].decode(inputPtr(), length, decoded);
  let answer = <i32>result + (decoded.count << 4);
  if (result == DecodeResult.Ok && !roundTrips()) answer = -1;
  __collect();
  return answer;
}

function roundTrips(): bool {
  reencoded.clear();
  new HpackEncoder(4096).encode(decoded, reencoded);
  if (new HpackDecoder(0x7fffffff).decode(reencoded.ptr, reencoded.length, again) != DecodeResult.Ok) return false;
  if (again.count != decoded.count) return false;
  for (let i = 0; i < decoded.count; i++) {
    if (decoded.nameLength(i) != again.nameLength(i) || decoded.valueLength(i) != again.valueLength(i)) return false;
    if (memory.compare(decoded.namePtr(i), again.namePtr(i), <usize>decoded.nameLength(i)) != 0) return false;
    if (memory.compare(decoded.valuePtr(i), again.valuePtr(i), <usize>decoded.valueLength(i)) != 0) return false;
    if (decoded.sensitive(i) != again.sensitive(i)) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------------------------------
// Benchmarks: loops run here, so that the driver times wasm and not its own calls

/** Decodes the block in the input buffer `iterations` times with decoder `handle` (0 when every decode succeeded). */
export function benchDecode(handle: i32, length: i32, iterations: i32): i32 {
  let failures = 0;
  const decoder = decoders[handle];
  for (let i = 0; i < iterations; i++) if (decoder.decode(inputPtr(), length, decoded) != DecodeResult.Ok) failures++;
  __collect();
  return failures;
}

/** Encodes the header list in the input buffer `iterations` times (no table, Huffman); the block's length. */
export function benchEncode(headersLength: i32, iterations: i32): i32 {
  const list = readList(inputPtr(), headersLength);
  const encoder = new HpackEncoder(0);
  for (let i = 0; i < iterations; i++) {
    reencoded.clear();
    encoder.encode(list, reencoded);
  }
  const length = reencoded.length;
  __collect();
  return length;
}

/** Answers every request with the response headers and body it was given (benchExchange). */
class Responder extends Http2Handler {
  server: Http2Connection | null = null;
  response: HeaderList = new HeaderList();
  bodyPtr: usize = 0;
  bodyLength: i32 = 0;
  answered: i32 = 0;

  onHeaders(streamId: u32, headers: HeaderList, endStream: bool): void {
    if (!endStream) return;
    this.answer(streamId);
  }

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    if (endStream) this.answer(streamId);
  }

  private answer(streamId: u32): void {
    const server = this.server!;
    server.submitResponse(streamId, this.response, false);
    server.submitData(streamId, this.bodyPtr, this.bodyLength, true);
    this.answered++;
  }
}

class Counter extends Http2Handler {
  responses: i32 = 0;

  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {
    if (endStream) this.responses++;
  }
}

let exchangeClient: Http2Connection | null = null;
let exchangeServer: Http2Connection | null = null;
const exchangeResponder = new Responder();
const exchangeCounter = new Counter();
const exchangeRequest = new HeaderList();
const exchangeBody = new ByteBuffer();

/**
 * Prepares benchExchange: the input buffer holds the request header list (requestLength bytes), then the response
 * header list (responseLength), then the body both messages carry (bodyLength). Windows are large, as the bridge
 * would configure them; both encoders keep a table of `encoderTableSize` bytes.
 */
export function exchangeSetup(requestLength: i32, responseLength: i32, bodyLength: i32, encoderTableSize: i32): void {
  const large = new Http2Config();
  large.initialWindowSize = 1 << 30;
  large.connectionWindowSize = 1 << 30;
  large.maxConcurrentStreams = 1 << 20;
  large.encoderTableSize = encoderTableSize;
  exchangeClient = new Http2Connection(Role.Client, exchangeCounter, large);
  exchangeServer = new Http2Connection(Role.Server, exchangeResponder, large);
  exchangeResponder.server = exchangeServer;
  copyList(readList(inputPtr(), requestLength), exchangeRequest);
  copyList(readList(inputPtr() + <usize>requestLength, responseLength), exchangeResponder.response);
  exchangeBody.clear();
  exchangeBody.append(inputPtr() + <usize>(requestLength + responseLength), bodyLength);
  exchangeResponder.bodyPtr = exchangeBody.ptr;
  exchangeResponder.bodyLength = bodyLength;
  relay(exchangeClient!, exchangeServer!);
  relay(exchangeServer!, exchangeClient!);
  relay(exchangeClient!, exchangeServer!);
  __collect();
}

/**
 * `iterations` rounds of `perRound` requests (headers + body, END_STREAM) from the client, each answered by the
 * server (headers + body), all bytes moved between them in wasm; the responses the client saw complete.
 */
export function benchExchange(iterations: i32, perRound: i32): i32 {
  const client = exchangeClient!;
  const server = exchangeServer!;
  const body = exchangeResponder.bodyPtr;
  const bodyLength = exchangeResponder.bodyLength;
  const before = exchangeCounter.responses;
  for (let i = 0; i < iterations; i++) {
    for (let r = 0; r < perRound; r++) {
      const id = client.submitRequest(exchangeRequest, false);
      client.submitData(id, body, bodyLength, true);
    }
    relay(client, server);
    relay(server, client);
  }
  relay(client, server); // window updates
  const answered = exchangeCounter.responses - before;
  __collect();
  return answered;
}

function copyList(from: HeaderList, to: HeaderList): void {
  to.clear();
  for (let i = 0; i < from.count; i++) to.add(from.namePtr(i), from.nameLength(i), from.valuePtr(i), from.valueLength(i), from.sensitive(i));
}

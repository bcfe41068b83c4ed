// How a call's key/values and an HTTP/2 message's headers stand for each other in bridge mode.
//
// A request carries `:path /<service>/<method>` (what Envoy's routes match), the client side's `:authority` (what
// picks the virtual host), a content type naming the protocol, and every key/value the codec read as a header,
// named in lower case (HTTP/2 has no upper-case names). What HTTP/2 cannot carry is left out and counted: a name
// that is not a token or is one HTTP/2 reserves, a value with a control character.
//
// Headers the two sides put on their messages are the bridge's own; any other one Envoy added (a route's
// `request_headers_to_add`, a tracing header) or changed becomes a mutation of the frame, except Envoy's
// bookkeeping headers, which say nothing to a server or client of the protocol.
import { ByteBuffer } from "../../lib/bytes";
import { HeaderList } from "../../lib/hpack/header_list";
import { Metadata } from "../metadata";
import { Mutation } from "../mutation";

/** Marks a response the server side made from the server's answer (Envoy's own local replies lack it). */
export const BRIDGE_MARKER = "x-meta-protocol-bridge";
const MARKER_VALUE = "response";

const METHOD = String.UTF8.encode(":method");
const POST = String.UTF8.encode("POST");
const SCHEME = String.UTF8.encode(":scheme");
const HTTP = String.UTF8.encode("http");
const PATH = String.UTF8.encode(":path");
const AUTHORITY = String.UTF8.encode(":authority");
const CONTENT_TYPE = String.UTF8.encode("content-type");
const STATUS = String.UTF8.encode(":status");
const MARKER = String.UTF8.encode(BRIDGE_MARKER);
const MARKER_VALUE_BYTES = String.UTF8.encode(MARKER_VALUE);

/** Names a request or response never carries as a key/value: HTTP/2's connection headers and the bridge's own. */
const RESERVED: Array<string> = ["connection", "content-length", "content-type", "host", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade", BRIDGE_MARKER];

/** Headers of Envoy's own (never a mutation): whole names, then prefixes. */
const ENVOY_NAMES: Array<string> = ["content-length", "content-type", "date", "server", "te", "x-request-id", BRIDGE_MARKER];
const ENVOY_PREFIXES: Array<string> = ["x-envoy-", "x-forwarded-"];

const HEX = "0123456789ABCDEF";

/** The protocol-wide parts of every request header block, encoded once per plugin. */
@final
export class BridgeHeaderNames {
  readonly contentType: ArrayBuffer;
  readonly authority: ArrayBuffer;
  private readonly reserved: Array<ArrayBuffer> = [];
  private readonly envoyNames: Array<ArrayBuffer> = [];
  private readonly envoyPrefixes: Array<ArrayBuffer> = [];
  /** The lengths of the names above, one bit each: most names are none of them, and their length says so. */
  private reservedLengths: u64 = 0;
  private envoyNameLengths: u64 = 0;

  constructor(protocol: string, authority: string, readonly serviceKey: ArrayBuffer, readonly methodKey: ArrayBuffer) {
    this.contentType = String.UTF8.encode("application/x-" + protocol);
    this.authority = String.UTF8.encode(authority);
    for (let i = 0; i < RESERVED.length; i++) {
      this.reserved.push(String.UTF8.encode(RESERVED[i]));
      this.reservedLengths |= lengthBit(RESERVED[i].length);
    }
    for (let i = 0; i < ENVOY_NAMES.length; i++) {
      this.envoyNames.push(String.UTF8.encode(ENVOY_NAMES[i]));
      this.envoyNameLengths |= lengthBit(ENVOY_NAMES[i].length);
    }
    for (let i = 0; i < ENVOY_PREFIXES.length; i++) this.envoyPrefixes.push(String.UTF8.encode(ENVOY_PREFIXES[i]));
  }

  isReserved(name: usize, length: i32): bool {
    return (this.reservedLengths & lengthBit(length)) != 0 && anyEqual(this.reserved, name, length);
  }

  /** Whether a header named so is Envoy's bookkeeping or the bridge's own rather than something to pass on. */
  isEnvoys(name: usize, length: i32): bool {
    if (length > 0 && load<u8>(name) == 0x3a) return true; // a pseudo-header
    if ((this.envoyNameLengths & lengthBit(length)) != 0 && anyEqual(this.envoyNames, name, length)) return true;
    const prefixes = this.envoyPrefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = unchecked(prefixes[i]);
      const n = prefix.byteLength;
      if (length > n && memory.compare(name, changetype<usize>(prefix), <usize>n) == 0) return true;
    }
    return false;
  }
}

/**
 * Fills `headers` with the HTTP/2 request that stands for the call in `metadata`. Returns how many key/values were
 * left out because HTTP/2 cannot carry them.
 */
export function writeRequestHeaders(headers: HeaderList, metadata: Metadata, names: BridgeHeaderNames, scratch: ByteBuffer): i32 {
  headers.clear();
  addField(headers, METHOD, POST);
  addField(headers, SCHEME, HTTP);
  scratch.clear();
  scratch.appendU8(0x2f);
  appendSegment(scratch, metadata, names.serviceKey);
  scratch.appendU8(0x2f);
  appendSegment(scratch, metadata, names.methodKey);
  headers.add(changetype<usize>(PATH), PATH.byteLength, scratch.ptr, scratch.length);
  addField(headers, AUTHORITY, names.authority);
  addField(headers, CONTENT_TYPE, names.contentType);
  let skipped = 0;
  for (let i = 0, n = metadata.size; i < n; i++) {
    if (!addKeyValue(headers, metadata.keyPtr(i), metadata.keyLength(i), metadata.valuePtr(i), metadata.valueLength(i), names, scratch)) skipped++;
  }
  return skipped;
}

/** Fills `headers` with a response the server side made: `status`, the protocol's content type and the marker. */
export function writeResponseHeaders(headers: HeaderList, status: i32, names: BridgeHeaderNames, scratch: ByteBuffer): void {
  headers.clear();
  scratch.clear();
  scratch.appendDecimal(status);
  headers.add(changetype<usize>(STATUS), STATUS.byteLength, scratch.ptr, scratch.length);
  addField(headers, CONTENT_TYPE, names.contentType);
  addField(headers, MARKER, MARKER_VALUE_BYTES);
}

/** Whether `headers` is a response the server side made (and its body the server's frame). */
export function isBridgeResponse(headers: HeaderList): bool {
  const at = headers.indexOf(changetype<usize>(MARKER), MARKER.byteLength);
  return at >= 0 && headers.valueLength(at) == MARKER_VALUE_BYTES.byteLength &&
    memory.compare(headers.valuePtr(at), changetype<usize>(MARKER_VALUE_BYTES), <usize>MARKER_VALUE_BYTES.byteLength) == 0;
}

/** The `:status` of a response header list, or 0 when it has none that is a number. */
export function statusOf(headers: HeaderList): i32 {
  const at = headers.indexOf(changetype<usize>(STATUS), STATUS.byteLength);
  if (at < 0) return 0;
  const ptr = headers.valuePtr(at);
  const length = headers.valueLength(at);
  if (length != 3) return 0;
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const digit = <i32>load<u8>(ptr + <usize>i) - 0x30;
    if (digit < 0 || digit > 9) return 0;
    status = status * 10 + digit;
  }
  return status;
}

/**
 * Adds to `mutation` every header Envoy added or changed: one that is not Envoy's bookkeeping or the bridge's own,
 * and that `metadata` (the frame's key/values, whose names the headers carry in lower case) lacks or has with
 * another value. Returns how many it added.
 */
export function collectMutation(headers: HeaderList, metadata: Metadata, names: BridgeHeaderNames, mutation: Mutation): i32 {
  let added = 0;
  // The client side wrote the key/values in the frame's order: each header is first looked for where the last one
  // was found, so that a call Envoy left alone costs one comparison per header.
  let next = 0;
  const entries = metadata.size;
  for (let i = 0, n = headers.count; i < n; i++) {
    const name = headers.namePtr(i);
    const nameLength = headers.nameLength(i);
    if (names.isEnvoys(name, nameLength)) continue;
    const at = next < entries && isKeyOf(metadata, next, name, nameLength) ? next : findKey(metadata, name, nameLength);
    const value = headers.valuePtr(i);
    const valueLength = headers.valueLength(i);
    if (at >= 0) {
      next = at + 1;
      if (metadata.valueLength(at) == valueLength && memory.compare(metadata.valuePtr(at), value, <usize>valueLength) == 0) continue;
    }
    mutation.set(String.UTF8.decodeUnsafe(name, <usize>nameLength), String.UTF8.decodeUnsafe(value, <usize>valueLength));
    added++;
  }
  return added;
}

/** Whether key `index` of `metadata`, lower-cased, is the header name `name`. */
function isKeyOf(metadata: Metadata, index: i32, name: usize, nameLength: i32): bool {
  if (metadata.keyLength(index) != nameLength) return false;
  const key = metadata.keyPtr(index);
  for (let i = 0; i < nameLength; i++) {
    if (load<u8>(LOWER_TOKEN + <usize>load<u8>(key + <usize>i)) != load<u8>(name + <usize>i)) return false;
  }
  return true;
}

/** The key of `metadata` that the header name `name` stands for, or -1. */
function findKey(metadata: Metadata, name: usize, nameLength: i32): i32 {
  for (let i = 0, n = metadata.size; i < n; i++) {
    if (isKeyOf(metadata, i, name, nameLength)) return i;
  }
  return -1;
}

function addField(headers: HeaderList, name: ArrayBuffer, value: ArrayBuffer): void {
  headers.add(changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength);
}

/** The value of `key` in `metadata`, percent-encoded as one path segment (empty when the call lacks it). */
function appendSegment(out: ByteBuffer, metadata: Metadata, key: ArrayBuffer): void {
  const at = metadata.find(changetype<usize>(key), key.byteLength);
  if (at < 0) return;
  const ptr = metadata.valuePtr(at);
  const length = metadata.valueLength(at);
  let plain = 0;
  while (plain < length && load<u8>(SEGMENT_CHAR + <usize>load<u8>(ptr + <usize>plain)) != 0) plain++;
  out.append(ptr, plain); // usually the whole value: names of services and methods need no escapes
  for (let i = plain; i < length; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (load<u8>(SEGMENT_CHAR + <usize>c) != 0) {
      out.appendU8(c);
    } else {
      out.appendU8(0x25);
      out.appendU8(HEX.charCodeAt(c >> 4));
      out.appendU8(HEX.charCodeAt(c & 15));
    }
  }
}

/** 1 for the bytes a path segment holds as they are (RFC 3986 pchar: unreserved, sub-delims, ':' and '@'). */
const SEGMENT_CHAR = memory.data(256);
for (let c: u32 = 0; c < 256; c++) store<u8>(SEGMENT_CHAR + <usize>c, isSegmentChar(c) ? 1 : 0);

function isSegmentChar(c: u32): bool {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  return c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e || c == 0x21 || c == 0x24 || c == 0x26 || c == 0x27 ||
    c == 0x28 || c == 0x29 || c == 0x2a || c == 0x2b || c == 0x2c || c == 0x3b || c == 0x3d || c == 0x3a || c == 0x40;
}

/** Adds one key/value as a header with its name in lower case; false when HTTP/2 cannot carry it. */
function addKeyValue(headers: HeaderList, key: usize, keyLength: i32, value: usize, valueLength: i32, names: BridgeHeaderNames, scratch: ByteBuffer): bool {
  if (keyLength == 0 || !isFieldValue(value, valueLength)) return false;
  // Most names are lower-case tokens already: they go as they are, without a copy.
  let lower = true;
  for (let i = 0; i < keyLength; i++) {
    const c = <u32>load<u8>(key + <usize>i);
    const mapped = <u32>load<u8>(LOWER_TOKEN + <usize>c);
    if (mapped == 0) return false;
    lower = lower && mapped == c;
  }
  let name = key;
  if (!lower) {
    scratch.clear();
    for (let i = 0; i < keyLength; i++) scratch.appendU8(load<u8>(LOWER_TOKEN + <usize>load<u8>(key + <usize>i)));
    name = scratch.ptr;
  }
  if (names.isReserved(name, keyLength)) return false;
  headers.add(name, keyLength, value, valueLength);
  return true;
}

/** RFC 9110 tchar, lower-cased, by byte; 0 for a byte that cannot be in a field name. */
const LOWER_TOKEN = memory.data(256);
for (let c: u32 = 0; c < 256; c++) {
  const letter = c >= 0x41 && c <= 0x5a;
  store<u8>(LOWER_TOKEN + <usize>c, letter ? c + 0x20 : isTokenChar(c) ? c : 0);
}

const ONES: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;

/**
 * Whether nghttp2 (Envoy's default HTTP/2 codec) accepts `length` bytes as a field value: no control character but
 * tab. Eight bytes at a time: a word with no byte below 0x20 and none equal to 0x7f passes without a look at each.
 */
function isFieldValue(value: usize, length: i32): bool {
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const x = load<u64>(value + <usize>i);
    const below = (x - ONES * 0x20) & ~x & HIGH_BITS;
    const y = x ^ (ONES * 0x7f);
    const del = (y - ONES) & ~y & HIGH_BITS;
    if ((below | del) != 0 && !bytesAreFieldValue(value + <usize>i, 8)) return false;
  }
  return bytesAreFieldValue(value + <usize>i, length - i);
}

function bytesAreFieldValue(value: usize, length: i32): bool {
  for (let i = 0; i < length; i++) {
    const c = <u32>load<u8>(value + <usize>i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
  }
  return true;
}

/** RFC 9110 tchar in lower case (upper-case letters are lowered before). */
function isTokenChar(c: u32): bool {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return true;
  return c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a || c == 0x2b ||
    c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

/** A bit for names of `length` bytes (names of 63 bytes or more share the last). */
function lengthBit(length: i32): u64 {
  return <u64>1 << <u64>min(length, 63);
}

function anyEqual(list: Array<ArrayBuffer>, ptr: usize, length: i32): bool {
  for (let i = 0; i < list.length; i++) {
    const item = unchecked(list[i]);
    if (item.byteLength == length && memory.compare(changetype<usize>(item), ptr, <usize>length) == 0) return true;
  }
  return false;
}

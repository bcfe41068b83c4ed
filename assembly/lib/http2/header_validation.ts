// The rules RFC 9113 Section 8 sets on the fields of a received message: a message breaking them is malformed,
// which is a stream error (PROTOCOL_ERROR). Names are lowercase tokens; values hold no NUL, CR or LF (and, when
// asked, no surrounding whitespace: Envoy turns that check of nghttp2's off, so by default it is off here too);
// pseudo-header fields come first, once each, only those of the message's kind, with the required ones present;
// no connection-specific fields; content-length is a number, the same if repeated. nghttp2 applies the same rules
// (lib/nghttp2_http.c, nghttp2_http_on_header; lib/nghttp2_helper.c, nghttp2_check_header_name and
// nghttp2_check_header_value_rfc9113).
import { HeaderList } from "../hpack/header_list";

export enum MessageKind {
  Request,
  Response,
  Trailers,
}

// Pseudo-header fields, as bits.
const METHOD: i32 = 1;
const SCHEME: i32 = 2;
const AUTHORITY: i32 = 4;
const PATH: i32 = 8;
const STATUS: i32 = 16;

/** Token characters (RFC 9110 Section 5.6.2) other than letters and digits: !#$%&'*+-.^_`|~ as a bit set over 0x20-0x7f. */
const TOKEN_SYMBOLS_LOW: u64 = 0x03ff6cfa00000000; // 0x20-0x3f: ! # $ % & ' * + - . and 0-9
const TOKEN_SYMBOLS_HIGH: u64 = 0x57ffffffc0000000; // 0x40-0x7f: ^ _ ` a-z | ~ (uppercase excluded)

/** What validation learnt about a valid message. */
@final
export class MessageFacts {
  /** content-length, or -1. */
  contentLength: i64 = -1;
  /** The response's status, or 0. */
  status: i32 = 0;
  /** The request's method is HEAD. */
  head: bool = false;
}

/**
 * Whether `list` is a valid message of `kind`; fills `facts` when it is. `strictWhitespace`: a value starting or
 * ending with a space or a tab is malformed too.
 */
export function validateMessage(list: HeaderList, kind: MessageKind, facts: MessageFacts, strictWhitespace: bool): bool {
  facts.contentLength = -1;
  facts.status = 0;
  facts.head = false;
  let seen = 0;
  let regular = false;
  let connect = false;
  let pathEmpty = false;
  for (let i = 0; i < list.count; i++) {
    const name = list.namePtr(i);
    const nameLength = list.nameLength(i);
    const value = list.valuePtr(i);
    const valueLength = list.valueLength(i);
    if (nameLength == 0 || !isValidFieldValue(value, valueLength, strictWhitespace)) return false;
    if (load<u8>(name) == 0x3a) {
      if (regular || kind == MessageKind.Trailers) return false;
      const bit = pseudoHeader(name, nameLength, kind);
      if (bit == 0 || (seen & bit) != 0) return false;
      seen |= bit;
      if (bit == METHOD) {
        connect = equalsAscii(value, valueLength, "CONNECT");
        facts.head = equalsAscii(value, valueLength, "HEAD");
      } else if (bit == PATH) {
        pathEmpty = valueLength == 0;
      } else if (bit == STATUS) {
        facts.status = parseStatus(value, valueLength);
        if (facts.status < 0) return false;
      }
      continue;
    }
    regular = true;
    if (!isValidFieldName(name, nameLength) || isConnectionSpecific(name, nameLength)) return false;
    if (nameLength == 2 && equalsAscii(name, nameLength, "te") && !equalsAscii(value, valueLength, "trailers")) return false;
    if (nameLength == 14 && equalsAscii(name, nameLength, "content-length")) {
      const length = parseLength(value, valueLength);
      if (length < 0 || (facts.contentLength >= 0 && facts.contentLength != length)) return false;
      facts.contentLength = length;
    }
  }
  if (kind == MessageKind.Request) {
    if ((seen & METHOD) == 0) return false;
    if (connect) return (seen & AUTHORITY) != 0 && (seen & (SCHEME | PATH)) == 0;
    return (seen & (SCHEME | PATH)) == (SCHEME | PATH) && !pathEmpty;
  }
  if (kind == MessageKind.Response) return (seen & STATUS) != 0;
  return true;
}

/** A lowercase token: what HTTP/2 allows as a field name. */
export function isValidFieldName(ptr: usize, length: i32): bool {
  if (length == 0) return false;
  for (let i = 0; i < length; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c < 0x20 || c >= 0x80) return false;
    const bits = c < 0x40 ? TOKEN_SYMBOLS_LOW : TOKEN_SYMBOLS_HIGH;
    if (((bits >> <u64>(c & 0x3f)) & 1) == 0) return false;
  }
  return true;
}

/** No NUL, CR or LF; with `strictWhitespace`, no space or tab at either end (RFC 9113 Section 8.2.1). */
export function isValidFieldValue(ptr: usize, length: i32, strictWhitespace: bool): bool {
  if (length == 0) return true;
  if (strictWhitespace && (isWhitespace(load<u8>(ptr)) || isWhitespace(load<u8>(ptr + <usize>(length - 1))))) return false;
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const word = load<u64>(ptr + <usize>i);
    if (hasByte(word, 0x00) || hasByte(word, 0x0a) || hasByte(word, 0x0d)) return false;
  }
  for (; i < length; i++) {
    const c = load<u8>(ptr + <usize>i);
    if (c == 0 || c == 0x0a || c == 0x0d) return false;
  }
  return true;
}

/** Whether one of the 8 bytes of `word` is `byte` (the classic zero-byte test on word ^ byte repeated). */
// @ts-ignore: decorator
@inline
function hasByte(word: u64, byte: u64): bool {
  const x = word ^ (byte * 0x0101010101010101);
  return ((x - 0x0101010101010101) & ~x & 0x8080808080808080) != 0;
}

function pseudoHeader(name: usize, length: i32, kind: MessageKind): i32 {
  if (kind == MessageKind.Response) return equalsAscii(name, length, ":status") ? STATUS : 0;
  switch (length) {
    case 5:
      return equalsAscii(name, length, ":path") ? PATH : 0;
    case 7:
      return equalsAscii(name, length, ":method") ? METHOD : equalsAscii(name, length, ":scheme") ? SCHEME : 0;
    case 10:
      return equalsAscii(name, length, ":authority") ? AUTHORITY : 0;
  }
  return 0;
}

function isConnectionSpecific(name: usize, length: i32): bool {
  switch (length) {
    case 7:
      return equalsAscii(name, length, "upgrade");
    case 10:
      return equalsAscii(name, length, "connection") || equalsAscii(name, length, "keep-alive");
    case 16:
      return equalsAscii(name, length, "proxy-connection");
    case 17:
      return equalsAscii(name, length, "transfer-encoding");
  }
  return false;
}

/** Three digits; 101 is not allowed in HTTP/2 (RFC 9113 Section 8.6). -1 when invalid. */
function parseStatus(ptr: usize, length: i32): i32 {
  if (length != 3) return -1;
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const d = <i32>load<u8>(ptr + <usize>i) - 0x30;
    if (d < 0 || d > 9) return -1;
    status = status * 10 + d;
  }
  return status < 100 || status == 101 ? -1 : status;
}

/** Decimal digits, at most 15 of them; -1 when invalid. */
function parseLength(ptr: usize, length: i32): i64 {
  if (length == 0 || length > 15) return -1;
  let value: i64 = 0;
  for (let i = 0; i < length; i++) {
    const d = <i64>load<u8>(ptr + <usize>i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// @ts-ignore: decorator
@inline
function isWhitespace(c: u8): bool {
  return c == 0x20 || c == 0x09;
}

/** Bytes equal to an ASCII string. */
export function equalsAscii(ptr: usize, length: i32, text: string): bool {
  if (length != text.length) return false;
  const chars = changetype<usize>(text); // UTF-16 code units
  for (let i = 0; i < length; i++) if (<u32>load<u8>(ptr + <usize>i) != <u32>load<u16>(chars + (<usize>i << 1))) return false;
  return true;
}

// The access log line: a format of literal text and Envoy-like %COMMANDS%, compiled once at configure time into a
// list of parts, then written per request straight as UTF-8 into a reused buffer (no strings are made per request).
// A value that is not there (no response yet, no route, an absent key) is written "-", as Envoy does.
//
//   %PROTOCOL%             the module's protocol (dubbo, thrift, awesomerpc)
//   %CONNECTION_ID%        Envoy's downstream connection id
//   %REQUEST_ID%           the protocol's own request id (Dubbo request id, Thrift seqid, awesomerpc flow)
//   %SERVICE% %METHOD%     the request's service and method (the codec's keys: Dubbo interface/method, Thrift service/method)
//   %MESSAGE_TYPE%         request | oneway
//   %ROUTE%                the name of the route the request took
//   %CLUSTER%              the cluster the filter chose for the connection (connection routing)
//   %RESPONSE_STATUS%      ok | error (error also for the filter's own error replies)
//   %RESPONSE_CODE%        0 (ok) | 1 (error), MetaProtocol's RESPONSE_CODE
//   %RESPONSE_CODE_DETAILS% why the filter answered the request itself: route_not_found, over_limit, ...
//   %DURATION%             request to response, in milliseconds; %DURATION_US% in microseconds
//   %REQUEST_BYTES%        the request frame's size; %RESPONSE_BYTES% the response frame's
//   %START_TIME%           when the request was decoded, UTC, 2026-11-22T10:00:00.123Z
//   %METADATA(key)%        a request key/value (x-request-id, traceparent, an attachment, a THeader header, ...)
//   %RESPONSE_METADATA(key)% a response key/value
//   %ALL_METADATA%         every request key/value, as key=value separated by spaces
//   %%                     a percent sign
import { ByteBuffer } from "../../lib/bytes";
import { ErrorType, MessageType, ResponseStatus } from "../../core/codec";
import { Metadata } from "../../core/metadata";

const NS_PER_MS: u64 = 1_000_000;
const NS_PER_US: u64 = 1_000;
const DASH: u32 = 0x2d;

export enum Command {
  Literal,
  Protocol,
  ConnectionId,
  RequestId,
  Service,
  Method,
  MessageType,
  Route,
  Cluster,
  ResponseStatus,
  ResponseCode,
  ResponseCodeDetails,
  Duration,
  DurationUs,
  RequestBytes,
  ResponseBytes,
  StartTime,
  Metadata,
  ResponseMetadata,
  AllMetadata,
}

/** In the order of `Command` (after Literal). */
const COMMAND_NAMES: Array<string> = [
  "PROTOCOL", "CONNECTION_ID", "REQUEST_ID", "SERVICE", "METHOD", "MESSAGE_TYPE", "ROUTE", "CLUSTER",
  "RESPONSE_STATUS", "RESPONSE_CODE", "RESPONSE_CODE_DETAILS", "DURATION", "DURATION_US", "REQUEST_BYTES",
  "RESPONSE_BYTES", "START_TIME", "METADATA(key)", "RESPONSE_METADATA(key)", "ALL_METADATA",
];

/** One piece of a compiled format: literal UTF-8 bytes, or a command (with its key for METADATA). */
@final
export class FormatPart {
  constructor(public readonly command: Command, public readonly bytes: ArrayBuffer) {}
}

/** Everything one line may show, set per line by the access log filter (one reused object). */
@final
export class AccessLogRecord {
  protocol: string = "";
  connectionId: u64 = 0;
  /** The connection's cluster, "" when the filter did not choose one. */
  cluster: string = "";
  request!: Metadata;
  /** The response, or null (one-way request). */
  response: Metadata | null = null;
  /** The name of the route the request took ("" when none). */
  routeName: string = "";
  /** Answered by the filter itself (error reply through a carrier), with `error`. */
  rejected: bool = false;
  error: ErrorType = ErrorType.Unspecified;
  startNs: u64 = 0;
  durationNs: u64 = 0;
  /** The codec's service and method keys (UTF-8), set once. */
  serviceKey: ArrayBuffer = new ArrayBuffer(0);
  methodKey: ArrayBuffer = new ArrayBuffer(0);
}

/** A compiled access log format. `legacy` is the default line (`access protocol=… key=value … duration_us=…`). */
@final
export class AccessLogFormat {
  parts: Array<FormatPart> = [];
  legacy: bool = false;
  /** Set by `compile` when the format is wrong. */
  error: string = "";

  /** The line this filter has always written: protocol, connection, request id, every key/value, outcome. */
  static legacyFormat(): AccessLogFormat {
    const f = new AccessLogFormat();
    f.legacy = true;
    return f;
  }

  /** Whether a line shows request or response key/values (the default line shows them all). */
  showsKeyValues(): bool {
    if (this.legacy) return true;
    for (let i = 0; i < this.parts.length; i++) {
      const command = this.parts[i].command;
      if (command == Command.Metadata || command == Command.ResponseMetadata || command == Command.AllMetadata) return true;
    }
    return false;
  }

  /** Compiles `format`; on a mistake the result's `error` says what is wrong. */
  static compile(format: string): AccessLogFormat {
    const f = new AccessLogFormat();
    let literal = "";
    let from = 0; // start of the literal text not yet taken
    for (let at = format.indexOf("%"); at >= 0; at = format.indexOf("%", from)) {
      literal += format.substring(from, at);
      const end = format.indexOf("%", at + 1);
      if (end < 0) {
        f.error = "unterminated command at offset " + at.toString() + " ('" + format.substring(at) + "')";
        return f;
      }
      from = end + 1;
      if (end == at + 1) {
        literal += "%"; // %%
        continue;
      }
      const text = format.substring(at + 1, end);
      const part = commandPart(text);
      if (part === null) {
        f.error = "unknown command %" + text + "% (known: " + COMMAND_NAMES.join(", ") + ", %%)";
        return f;
      }
      f.addLiteral(literal);
      literal = "";
      f.parts.push(part);
    }
    f.addLiteral(literal + format.substring(from));
    return f;
  }

  private addLiteral(text: string): void {
    if (text.length > 0) this.parts.push(new FormatPart(Command.Literal, String.UTF8.encode(text)));
  }

  /** Writes `record`'s line into `out` (cleared first). */
  write(record: AccessLogRecord, out: ByteBuffer): void {
    out.clear();
    if (this.legacy) {
      writeLegacy(record, out);
      return;
    }
    const parts = this.parts;
    for (let i = 0, n = parts.length; i < n; i++) writePart(unchecked(parts[i]), record, out);
  }
}

function commandPart(text: string): FormatPart | null {
  const empty = new ArrayBuffer(0);
  if (text.endsWith(")")) {
    const open = text.indexOf("(");
    if (open < 0) return null;
    const name = text.substring(0, open);
    const key = text.substring(open + 1, text.length - 1);
    if (key.length == 0) return null;
    if (name == "METADATA") return new FormatPart(Command.Metadata, String.UTF8.encode(key));
    if (name == "RESPONSE_METADATA") return new FormatPart(Command.ResponseMetadata, String.UTF8.encode(key));
    return null;
  }
  // COMMAND_NAMES[i] is Command i + 1 (the two with a key are handled above).
  const at = COMMAND_NAMES.indexOf(text);
  return at >= 0 ? new FormatPart(<Command>(at + 1), empty) : null;
}

function writePart(part: FormatPart, r: AccessLogRecord, out: ByteBuffer): void {
  const response = r.response;
  switch (part.command) {
    case Command.Literal:
      out.append(changetype<usize>(part.bytes), part.bytes.byteLength);
      break;
    case Command.Protocol:
      writeText(out, r.protocol);
      break;
    case Command.ConnectionId:
      out.appendDecimal(<i64>r.connectionId);
      break;
    case Command.RequestId:
      out.appendDecimal(<i64>r.request.requestId);
      break;
    case Command.Service:
      writeValue(out, r.request, r.serviceKey);
      break;
    case Command.Method:
      writeValue(out, r.request, r.methodKey);
      break;
    case Command.MessageType:
      out.appendUtf8(r.request.messageType == MessageType.Oneway ? "oneway" : "request");
      break;
    case Command.Route:
      writeText(out, r.routeName);
      break;
    case Command.Cluster:
      writeText(out, r.cluster);
      break;
    case Command.ResponseStatus:
      if (response === null) out.appendU8(DASH);
      else out.appendUtf8(response.responseStatus == ResponseStatus.Ok ? "ok" : "error");
      break;
    case Command.ResponseCode:
      if (response === null) out.appendU8(DASH);
      else out.appendU8(response.responseStatus == ResponseStatus.Ok ? 0x30 : 0x31);
      break;
    case Command.ResponseCodeDetails:
      if (r.rejected) out.appendUtf8(errorName(r.error));
      else out.appendU8(DASH);
      break;
    case Command.Duration:
      if (response === null) out.appendU8(DASH);
      else out.appendDecimal(<i64>(r.durationNs / NS_PER_MS));
      break;
    case Command.DurationUs:
      if (response === null) out.appendU8(DASH);
      else out.appendDecimal(<i64>(r.durationNs / NS_PER_US));
      break;
    case Command.RequestBytes:
      out.appendDecimal(r.request.frameSize);
      break;
    case Command.ResponseBytes:
      if (response === null) out.appendU8(DASH);
      else out.appendDecimal(response.frameSize);
      break;
    case Command.StartTime:
      writeTime(out, r.startNs);
      break;
    case Command.Metadata:
      writeValue(out, r.request, part.bytes);
      break;
    case Command.ResponseMetadata:
      if (response === null) out.appendU8(DASH);
      else writeValue(out, response, part.bytes);
      break;
    case Command.AllMetadata: {
      const md = r.request;
      if (md.size == 0) out.appendU8(DASH);
      for (let i = 0; i < md.size; i++) {
        if (i > 0) out.appendU8(0x20);
        out.append(md.keyPtr(i), md.keyLength(i));
        out.appendU8(0x3d);
        out.append(md.valuePtr(i), md.valueLength(i));
      }
      break;
    }
  }
}

/** The value of `key` in `md`, or "-" (also for an empty value). */
function writeValue(out: ByteBuffer, md: Metadata, key: ArrayBuffer): void {
  const at = key.byteLength > 0 ? md.find(changetype<usize>(key), key.byteLength) : -1;
  if (at < 0 || md.valueLength(at) == 0) out.appendU8(DASH);
  else out.append(md.valuePtr(at), md.valueLength(at));
}

function writeText(out: ByteBuffer, text: string): void {
  if (text.length == 0) out.appendU8(DASH);
  else out.appendUtf8(text);
}

function errorName(error: ErrorType): string {
  switch (error) {
    case ErrorType.RouteNotFound:
      return "route_not_found";
    case ErrorType.OverLimit:
      return "over_limit";
    default:
      return "local_error";
  }
}

/** `ns` since the Unix epoch as 2026-11-22T10:00:00.123Z (UTC; Howard Hinnant's days-to-civil algorithm). */
function writeTime(out: ByteBuffer, ns: u64): void {
  const ms = ns / NS_PER_MS;
  const days = <i64>(ms / 86_400_000);
  let rest = <i64>(ms % 86_400_000);
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  writePadded(out, year, 4);
  out.appendU8(DASH);
  writePadded(out, month, 2);
  out.appendU8(DASH);
  writePadded(out, day, 2);
  out.appendU8(0x54); // T
  writePadded(out, rest / 3_600_000, 2);
  rest %= 3_600_000;
  out.appendU8(0x3a);
  writePadded(out, rest / 60_000, 2);
  rest %= 60_000;
  out.appendU8(0x3a);
  writePadded(out, rest / 1000, 2);
  out.appendU8(0x2e);
  writePadded(out, rest % 1000, 3);
  out.appendU8(0x5a); // Z
}

function writePadded(out: ByteBuffer, value: i64, width: i32): void {
  let digits = 1;
  for (let v = value; v >= 10; v /= 10) digits++;
  for (let i = digits; i < width; i++) out.appendU8(0x30);
  out.appendDecimal(value);
}

/** The line written before formats were configurable (still the default). */
function writeLegacy(r: AccessLogRecord, line: ByteBuffer): void {
  const request = r.request;
  const response = r.response;
  line.appendUtf8("access protocol=");
  line.appendUtf8(r.protocol);
  line.appendUtf8(" connection=");
  line.appendDecimal(<i64>r.connectionId);
  line.appendUtf8(" request_id=");
  line.appendDecimal(<i64>request.requestId);
  for (let i = 0; i < request.size; i++) {
    line.appendU8(0x20);
    line.append(request.keyPtr(i), request.keyLength(i));
    line.appendU8(0x3d);
    line.append(request.valuePtr(i), request.valueLength(i));
  }
  line.appendUtf8(" request_bytes=");
  line.appendDecimal(request.frameSize);
  if (response === null) {
    line.appendUtf8(" response=none");
  } else {
    line.appendUtf8(response.responseStatus == ResponseStatus.Ok ? " response=ok" : " response=error");
    line.appendUtf8(" response_bytes=");
    line.appendDecimal(response.frameSize);
    line.appendUtf8(" duration_us=");
    line.appendDecimal(<i64>(r.durationNs / NS_PER_US));
  }
}

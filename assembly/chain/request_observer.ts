// The chain's observing filter: counts requests and responses by kind, records request time, and writes one
// access log line per request (on its response, or at once for one-way calls and heartbeats).
import { ByteBuffer } from "../framework/bytes";
import { ConnectionInfo, Filter, FilterStatus, RequestContext } from "../framework/filter";
import { LogLevel, Logger } from "../framework/log";
import { Metadata } from "../framework/metadata";
import { InFlightRequest } from "../framework/request_table";
import { MessageType, ResponseStatus } from "../framework/codec";
import { Stats } from "../framework/stats";

const NS_PER_MS: u64 = 1_000_000;
const NS_PER_US: u64 = 1_000;

export class RequestObserver extends Filter {
  private line: ByteBuffer = new ByteBuffer();

  constructor(
    private readonly stats: Stats,
    private readonly logger: Logger,
    private readonly protocol: string,
    private readonly accessLog: bool,
  ) {
    super();
  }

  onRequest(context: RequestContext): FilterStatus {
    const request = context.request;
    const stats = this.stats;
    stats.request.inc();
    const method = stats.ofMethod(request);
    if (method !== null) method.request.inc();
    if (request.messageType == MessageType.Heartbeat) {
      stats.requestEvent.inc();
    } else if (request.messageType == MessageType.Oneway) {
      stats.requestOneway.inc();
      this.writeAccessLog(context.connection, request, null, 0);
    } else {
      stats.requestTwoway.inc();
    }
    return FilterStatus.Continue;
  }

  onResponse(connection: ConnectionInfo, response: Metadata, request: InFlightRequest | null, nowNs: u64): void {
    if (response.messageType == MessageType.Heartbeat) return;
    const stats = this.stats;
    stats.response.inc();
    (response.responseStatus == ResponseStatus.Ok ? stats.responseSuccess : stats.responseError).inc();
    if (request === null) return;
    const method = stats.ofMethod(request.metadata);
    if (method !== null) (response.responseStatus == ResponseStatus.Ok ? method.responseSuccess : method.responseError).inc();
    const elapsed = nowNs > request.startNs ? nowNs - request.startNs : 0;
    stats.recordRequestTime(elapsed / NS_PER_MS);
    this.writeAccessLog(connection, request.metadata, response, elapsed);
  }

  /** Writes the line straight as UTF-8 into one reused buffer: no strings are made per request. */
  private writeAccessLog(connection: ConnectionInfo, request: Metadata, response: Metadata | null, elapsedNs: u64): void {
    if (!this.accessLog || !this.logger.enabled(LogLevel.Info)) return;
    const line = this.line;
    line.clear();
    line.appendUtf8("access protocol=");
    line.appendUtf8(this.protocol);
    line.appendUtf8(" connection=");
    line.appendDecimal(<i64>connection.id);
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
      line.appendDecimal(<i64>(elapsedNs / NS_PER_US));
    }
    this.logger.writeUtf8(LogLevel.Info, line.ptr, line.length);
  }
}

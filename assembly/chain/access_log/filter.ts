// The chain's observing filter, first in the chain: counts requests and responses by kind, overall and per method
// (the method is looked up once per request, here, and kept with the request in flight), records request time,
// and writes one access log line per request (on its response, or at once for one-way calls).
import { AccessLogFormat, AccessLogRecord } from "./format";
import { ByteBuffer } from "../../lib/bytes";
import { ConnectionInfo, Filter, FilterStatus, RequestContext } from "../../core/filter";
import { LogLevel, Logger } from "../../core/log";
import { Metadata } from "../../core/metadata";
import { InFlightRequest } from "../../core/request_table";
import { MessageType, ResponseStatus } from "../../core/codec";
import { Stats } from "../../core/stats/stats";

const NS_PER_MS: u64 = 1_000_000;

export class RequestObserver extends Filter {
  private line: ByteBuffer = new ByteBuffer();
  private record: AccessLogRecord = new AccessLogRecord();

  /** `accessLog`: the compiled line format, or null for no access log. */
  constructor(
    private readonly stats: Stats,
    private readonly logger: Logger,
    protocol: string,
    private readonly accessLog: AccessLogFormat | null,
  ) {
    super();
    this.record.protocol = protocol;
    this.record.serviceKey = stats.serviceKey;
    this.record.methodKey = stats.methodKey;
  }

  onRequest(context: RequestContext): FilterStatus {
    const request = context.request;
    const stats = this.stats;
    stats.request.inc();
    const method = stats.beginRequest(request);
    if (method !== null) method.request.inc();
    if (request.messageType == MessageType.Heartbeat) {
      stats.requestEvent.inc();
    } else if (request.messageType == MessageType.Oneway) {
      stats.requestOneway.inc();
      this.writeAccessLog(context.connection, request, null, null, context.nowNs, 0);
    } else {
      stats.requestTwoway.inc();
    }
    return FilterStatus.Continue;
  }

  onResponse(connection: ConnectionInfo, response: Metadata, request: InFlightRequest | null, nowNs: u64): void {
    if (response.messageType == MessageType.Heartbeat) return;
    const stats = this.stats;
    const ok = response.responseStatus == ResponseStatus.Ok;
    stats.response.inc();
    (ok ? stats.responseSuccess : stats.responseError).inc();
    if (request === null) return;
    const method = request.method;
    if (method !== null) (ok ? method.responseSuccess : method.responseError).inc();
    const elapsed = nowNs > request.startNs ? nowNs - request.startNs : 0;
    stats.recordRequestTime(elapsed / NS_PER_MS, method);
    this.writeAccessLog(connection, request.metadata, response, request, request.startNs, elapsed);
  }

  /** Writes the line straight as UTF-8 into one reused buffer: no strings are made per request. */
  private writeAccessLog(
    connection: ConnectionInfo,
    request: Metadata,
    response: Metadata | null,
    inFlight: InFlightRequest | null,
    startNs: u64,
    elapsedNs: u64,
  ): void {
    const format = this.accessLog;
    if (format === null || !this.logger.enabled(LogLevel.Info)) return;
    const r = this.record;
    r.connectionId = connection.id;
    r.cluster = connection.cluster;
    r.request = request;
    r.response = response;
    r.route = inFlight !== null ? inFlight.route : null;
    r.rejected = inFlight !== null && inFlight.rejected;
    if (inFlight !== null) r.error = inFlight.error;
    r.startNs = startNs;
    r.durationNs = elapsedNs;
    const line = this.line;
    format.write(r, line);
    this.logger.writeUtf8(LogLevel.Info, line.ptr, line.length);
  }
}

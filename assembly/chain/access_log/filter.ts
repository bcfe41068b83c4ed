// The access log: one line per request (at info level), written on its response, or at once for a one-way call.
// The line is written straight as UTF-8 into one reused buffer: no strings are made per request.
import { ByteBuffer } from "../../lib/bytes";
import { MessageType } from "../../core/codec";
import { FactoryContext } from "../../core/factory_context";
import { Filter } from "../../core/filter";
import { KeyUsage } from "../../core/key_usage";
import { LogLevel, Logger } from "../../core/log";
import { FilterStatus, Request } from "../../core/request";
import { Response } from "../../core/response";
import { AccessLogFormat, AccessLogRecord } from "./format";

export class AccessLog extends Filter {
  private readonly line: ByteBuffer = new ByteBuffer();
  private readonly record: AccessLogRecord = new AccessLogRecord();
  private readonly logger: Logger;

  constructor(readonly format: AccessLogFormat, context: FactoryContext) {
    super();
    this.logger = context.host.logger;
    const record = this.record;
    record.protocol = context.protocol.name();
    record.serviceKey = context.serviceKey;
    record.methodKey = context.methodKey;
  }

  declareKeys(usage: KeyUsage): void {
    if (this.format.showsKeyValues()) usage.readsAll();
  }

  onRequest(request: Request): FilterStatus {
    if (request.metadata.messageType == MessageType.Oneway) this.write(request, null, 0);
    return FilterStatus.Continue;
  }

  onResponse(response: Response): void {
    const request = response.request;
    if (request === null || response.metadata.messageType == MessageType.Heartbeat) return;
    const nowNs = response.nowNs;
    this.write(request, response, nowNs > request.startNs ? nowNs - request.startNs : 0);
  }

  private write(request: Request, response: Response | null, durationNs: u64): void {
    if (!this.logger.enabled(LogLevel.Info)) return;
    const r = this.record;
    r.connectionId = request.connection.id;
    r.cluster = request.connection.cluster;
    r.request = request.metadata;
    r.response = response !== null ? response.metadata : null;
    r.routeName = request.routeName;
    r.rejected = request.rejected;
    r.error = request.error;
    r.startNs = request.startNs;
    r.durationNs = durationNs;
    const line = this.line;
    this.format.write(r, line);
    this.logger.writeUtf8(LogLevel.Info, line.ptr, line.length);
  }
}

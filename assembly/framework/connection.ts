// One downstream connection: frames in both directions, the requests in flight, and what the filter chain decided.
// It knows nothing of the host: the ABI glue feeds it bytes and applies its answer to Envoy's buffers.
import { Bytes } from "./bytes";
import { Codec, Direction, MessageType } from "./codec";
import { ConnectionInfo, FilterStatus, RequestContext } from "./filter";
import { FrameAction, FrameHandler, FrameStream, StreamResult } from "./frame_stream";
import { LogLevel } from "./log";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { Plugin } from "./plugin";
import { RequestTable } from "./request_table";

@final
export class Connection extends FrameHandler implements ConnectionInfo {
  readonly downstream: FrameStream = new FrameStream(Direction.Request);
  readonly upstream: FrameStream = new FrameStream(Direction.Response);
  private requests: RequestTable;
  /** Made on the first bytes: an idle connection holds none. */
  private codec: Codec | null = null;
  private metadata: Metadata = new Metadata();
  private context: RequestContext = new RequestContext();
  /** Where several filters' mutations are merged (rare: usually one filter mutates). */
  private merged: Mutation = new Mutation();
  private nowNs: u64 = 0;
  private closed: bool = false;
  /** Set when the close comes from a filter's decision rather than from bytes that are not the protocol. */
  private closingOnRejection: bool = false;

  constructor(public readonly id: u64, public readonly plugin: Plugin) {
    super();
    this.requests = new RequestTable(plugin.config.maxPendingRequests);
  }

  /** Bytes read from the client (`Direction.Request`) or from the server (`Direction.Response`). */
  onData(direction: Direction, data: usize, size: i32, endStream: bool, nowNs: u64): StreamResult {
    if (this.closed) return StreamResult.Close;
    this.nowNs = nowNs;
    const stream = direction == Direction.Request ? this.downstream : this.upstream;
    let codec = this.codec;
    if (codec === null) this.codec = codec = this.plugin.createCodec();
    const result = stream.feed(data, size, codec, this.plugin.config.maxFrameSize, this);
    if (result == StreamResult.Close) {
      this.closed = true;
      if (!this.closingOnRejection) {
        const stats = this.plugin.stats;
        (direction == Direction.Request ? stats.requestDecodingError : stats.responseDecodingError).inc();
      }
      this.plugin.logger.log(LogLevel.Warn, "connection " + this.id.toString() + " closed: " + this.closeReason);
    } else if (endStream && stream.pendingBytes > 0) {
      this.plugin.stats.cxIncompleteFrameAtClose.inc();
      stream.discardPending();
    }
    return result;
  }

  /** The downstream connection closed (`local`: Envoy closed it). */
  onClose(local: bool): void {
    const abandoned = this.requests.clear();
    if (abandoned > 0) {
      const stats = this.plugin.stats;
      (local ? stats.cxDestroyLocalWithActiveRq : stats.cxDestroyRemoteWithActiveRq).inc();
      stats.requestActive.add(-abandoned);
    }
    if (this.downstream.pendingBytes > 0 || this.upstream.pendingBytes > 0) {
      this.plugin.stats.cxIncompleteFrameAtClose.inc();
    }
  }

  onFrame(frame: Bytes, stream: FrameStream): FrameAction {
    const md = this.metadata;
    md.reset();
    md.frameSize = frame.length;
    const malformed = this.codec!.decode(frame, stream.direction, md);
    if (malformed !== null) {
      this.closeReason = "malformed " + (stream.direction == Direction.Request ? "request: " : "response: ") + malformed;
      return FrameAction.Close;
    }
    return stream.direction == Direction.Request ? this.onRequest(frame, stream, md) : this.onResponse(md);
  }

  private onRequest(frame: Bytes, stream: FrameStream, request: Metadata): FrameAction {
    const stats = this.plugin.stats;
    const context = this.context.begin(this, request, this.nowNs);
    if (this.plugin.chain.onRequest(context) == FilterStatus.Reject) {
      // Without a way to originate bytes, a rejected request ends the connection (see README: error replies).
      stats.localResponseError.inc();
      this.closingOnRejection = true;
      this.closeReason = "request " + request.requestId.toString() + " rejected: " + context.message;
      return FrameAction.Close;
    }
    if (!request.bodyDecoded) stats.requestBodyNotDecoded.inc();
    if (request.messageType == MessageType.Request) {
      if (this.requests.start(request, this.nowNs)) stats.requestActive.inc();
      else stats.requestUntracked.inc();
    }
    return context.mutations.length > 0 ? this.applyMutations(frame, stream, request, context.mutations) : FrameAction.Forward;
  }

  private applyMutations(frame: Bytes, stream: FrameStream, request: Metadata, mutations: Array<Mutation>): FrameAction {
    let mutation = mutations[0];
    if (mutations.length > 1) {
      mutation = this.merged;
      mutation.clear();
      for (let i = 0; i < mutations.length; i++) mutation.setAll(mutations[i]);
    }
    const out = stream.beginReplacement();
    const before = out.length;
    if (!this.codec!.mutate(frame, request, mutation, out)) {
      this.plugin.stats.mutationUnsupported.inc();
      out.length = before;
      out.append(frame.ptr, frame.length);
    }
    return FrameAction.Replaced;
  }

  private onResponse(response: Metadata): FrameAction {
    const stats = this.plugin.stats;
    if (response.messageType == MessageType.Heartbeat) {
      this.plugin.chain.onResponse(this, response, null, this.nowNs);
      return FrameAction.Forward;
    }
    const request = this.requests.take(response.requestId);
    if (request === null) stats.responseUnmatched.inc();
    else stats.requestActive.add(-1);
    this.plugin.chain.onResponse(this, response, request, this.nowNs);
    if (request !== null) this.requests.release(request);
    return FrameAction.Forward;
  }
}

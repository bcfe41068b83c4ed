// One downstream connection: frames in both directions, the requests in flight, and what the filter chain decided.
// It knows nothing of the host: the ABI glue feeds it bytes and applies its answer to Envoy's buffers.
//
// A rejected request cannot be answered directly (a network filter cannot write to the client): the codec's
// carrier (a request the server answers cheaply, with the same id) goes upstream in its place, and the carrier's
// answer is replaced by the codec's error reply. One-way requests are dropped; a protocol without a carrier has
// its connection closed.
import { Bytes } from "./bytes";
import { Codec, Direction, MessageType, ResponseStatus } from "./codec";
import { ConnectionInfo, FilterStatus, RequestContext } from "./filter";
import { FrameAction, FrameHandler, FrameStream, StreamResult } from "./frame_stream";
import { LogLevel } from "./log";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { Plugin } from "./plugin";
import { InFlightRequest, RequestTable } from "./request_table";

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
  cluster: string = "";
  /** Chosen but not yet handed to Envoy (`takeChosenCluster`). */
  private clusterToAnnounce: bool = false;
  /** Whether a request of this connection went through the chain (routed, or rejected). */
  firstRequestSeen: bool = false;

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

  chooseCluster(name: string): void {
    if (this.cluster.length > 0) return;
    this.cluster = name;
    this.clusterToAnnounce = true;
  }

  /** The cluster chosen since the last call, or "" (for the glue to hand it to tcp_proxy once). */
  takeChosenCluster(): string {
    if (!this.clusterToAnnounce) return "";
    this.clusterToAnnounce = false;
    return this.cluster;
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
    return stream.direction == Direction.Request ? this.onRequest(frame, stream, md) : this.onResponse(frame, stream, md);
  }

  private onRequest(frame: Bytes, stream: FrameStream, request: Metadata): FrameAction {
    const stats = this.plugin.stats;
    const context = this.context.begin(this, request, this.nowNs);
    const status = this.plugin.chain.onRequest(context);
    if (request.messageType != MessageType.Heartbeat) this.firstRequestSeen = true;
    if (!request.bodyDecoded) stats.requestBodyNotDecoded.inc();
    if (status == FilterStatus.Reject) return this.reject(stream, request);
    if (request.messageType == MessageType.Request) {
      const entry = this.requests.start(request, this.nowNs);
      if (entry !== null) {
        entry.route = context.route;
        stats.requestStarted(entry);
      } else {
        stats.requestUntracked.inc();
      }
    }
    return context.mutations.length > 0 ? this.applyMutations(frame, stream, request, context.mutations) : FrameAction.Forward;
  }

  /** Puts the codec's carrier in place of a rejected request (see the top of this file). */
  private reject(stream: FrameStream, request: Metadata): FrameAction {
    const stats = this.plugin.stats;
    const context = this.context;
    stats.localResponseErrorRequest();
    if (request.messageType == MessageType.Oneway) {
      stream.beginReplacement(); // dropped: nobody waits for an answer
      return FrameAction.Replaced;
    }
    const entry = this.requests.start(request, this.nowNs);
    const out = stream.beginReplacement();
    const before = out.length;
    if (entry !== null && this.codec!.encodeCarrier(request, out)) {
      entry.rejected = true;
      entry.error = context.error;
      entry.message = context.message;
      stats.requestStarted(entry);
      return FrameAction.Replaced;
    }
    out.length = before;
    if (entry !== null) this.requests.release(this.requests.take(request.requestId)!);
    this.closingOnRejection = true;
    this.closeReason = "request " + request.requestId.toString() + " rejected (" + context.message + ") and " +
      (entry === null ? "too many requests in flight" : "the protocol has no carrier") + " to answer it with";
    return FrameAction.Close;
  }

  private applyMutations(frame: Bytes, stream: FrameStream, md: Metadata, mutations: Array<Mutation>): FrameAction {
    let mutation = mutations[0];
    if (mutations.length > 1) {
      mutation = this.merged;
      mutation.clear();
      for (let i = 0; i < mutations.length; i++) mutation.setAll(mutations[i]);
    }
    const out = stream.beginReplacement();
    const before = out.length;
    if (!this.codec!.mutate(frame, md, mutation, out)) {
      this.plugin.stats.mutationUnsupported.inc();
      out.length = before;
      out.append(frame.ptr, frame.length);
    }
    return FrameAction.Replaced;
  }

  private onResponse(frame: Bytes, stream: FrameStream, response: Metadata): FrameAction {
    const stats = this.plugin.stats;
    // A carrier's answer may be a heartbeat (Dubbo): look for a rejected request first.
    if (response.messageType == MessageType.Heartbeat && !this.requests.awaitsCarrierAnswer(response.requestId)) {
      this.plugin.chain.onResponse(this, response, null, this.nowNs);
      return FrameAction.Forward;
    }
    const request = this.requests.take(response.requestId);
    if (request === null) {
      stats.responseUnmatched.inc();
      this.plugin.chain.onResponse(this, response, null, this.nowNs);
      return FrameAction.Forward;
    }
    stats.requestEnded(request);
    const action = request.rejected ? this.answerRejected(stream, request, response) : this.mutateResponse(frame, stream, request, response);
    this.plugin.chain.onResponse(this, response, request, this.nowNs);
    this.requests.release(request);
    return action;
  }

  /** Replaces a carrier's answer with the error reply to the rejected request. */
  private answerRejected(stream: FrameStream, request: InFlightRequest, response: Metadata): FrameAction {
    const out = stream.beginReplacement();
    const before = out.length;
    this.codec!.encodeError(request.metadata, request.error, request.message, out);
    response.messageType = MessageType.Response;
    response.responseStatus = ResponseStatus.Error;
    response.frameSize = out.length - before;
    return FrameAction.Replaced;
  }

  private mutateResponse(frame: Bytes, stream: FrameStream, request: InFlightRequest, response: Metadata): FrameAction {
    const route = request.route;
    if (route === null || route.responseMutation.size == 0) return FrameAction.Forward;
    this.context.mutations.length = 0;
    this.context.mutations.push(route.responseMutation);
    return this.applyMutations(frame, stream, response, this.context.mutations);
  }
}

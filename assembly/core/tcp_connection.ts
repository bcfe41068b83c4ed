// One downstream connection: frames in both directions, the requests in flight, and what the filter chain decided.
// It knows nothing of the host: the ABI glue feeds it bytes and applies its answer to Envoy's buffers.
//
// A rejected request cannot be answered directly (a network filter cannot write to the client): the codec's
// carrier (a request the server answers cheaply, with the same id) goes upstream in its place, and the carrier's
// answer is replaced by the codec's error reply. One-way requests are dropped; a protocol without a carrier has
// its connection closed.
//
// A filter may pause a request for an asynchronous check (the global rate limit): the downstream stream stops
// before that request, its bytes and all later ones wait unprocessed (in Envoy's buffer, in order), and `resume`
// takes the stream up again at that request with the check's answer. Responses keep flowing meanwhile.
import { Bytes } from "../lib/bytes";
import { Codec, Direction, MessageType, ResponseStatus } from "./codec";
import { ConnectionInfo, FilterStatus, RequestContext } from "./filter";
import { FrameAction, FrameHandler, FrameStream, StreamResult } from "./frame_stream";
import { LogLevel } from "./log";
import { Metadata } from "./metadata";
import { MethodMetrics } from "./stats/method_stats";
import { Mutation } from "./mutation";
import { Plugin } from "./plugin";
import { Stats } from "./stats/stats";
import { InFlightRequest, RequestTable } from "./request_table";

@final
export class Connection extends FrameHandler implements ConnectionInfo {
  readonly downstream: FrameStream = new FrameStream(Direction.Request);
  readonly upstream: FrameStream = new FrameStream(Direction.Response);
  private requests: RequestTable;
  /** Made on the first bytes: an idle connection holds none. */
  private codec: Codec | null = null;
  private nowNs: u64 = 0;
  private closed: bool = false;
  /** Set when the close comes from a filter's decision rather than from bytes that are not the protocol. */
  private closingOnRejection: bool = false;
  cluster: string = "";
  /** Chosen but not yet handed to Envoy (`takeChosenCluster`). */
  private clusterToAnnounce: bool = false;
  /** Whether a request of this connection went through the chain (routed, or rejected). */
  firstRequestSeen: bool = false;
  /** A request waits for a filter's asynchronous answer: the downstream stream stands still until `resume`. */
  paused: bool = false;
  private pausedAt: i32 = -1;
  private pausedSinceNs: u64 = 0;
  /** Set by `resume` for the first frame it feeds: the paused request, with its answer. */
  private resuming: bool = false;
  private answer: i32 = 0;
  /** Since when each direction's partial frame has waited for its rest (0: none waits). */
  private requestPartialSinceNs: u64 = 0;
  private responsePartialSinceNs: u64 = 0;
  /** What the filters before the pausing one added to the paused request (made on the first pause). */
  private pausedRequest: PausedRequest | null = null;

  constructor(public readonly id: u64, public readonly plugin: Plugin) {
    super();
    this.requests = new RequestTable(plugin.config.maxPendingRequests);
  }

  /**
   * Bytes read from the client (`Direction.Request`) or from the server (`Direction.Response`). While `paused`,
   * client bytes must wait for `resume` instead.
   */
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
    this.notePartialFrame(direction, stream, nowNs);
    return result;
  }

  /**
   * Whether a partial frame has waited longer than `timeoutNs` for its rest; if so the connection is done for
   * (counted as cx_frame_timeout: the glue closes it).
   */
  frameTimedOut(nowNs: u64, timeoutNs: u64): bool {
    const since = this.oldestPartialSinceNs;
    if (this.closed || since == 0 || nowNs <= since || nowNs - since < timeoutNs) return false;
    this.closed = true;
    this.plugin.stats.cxFrameTimeout.inc();
    this.plugin.logger.log(LogLevel.Warn, "connection " + this.id.toString() + " closed: a frame waited more than frame_timeout for its rest");
    return true;
  }

  /** When the oldest partial frame began to wait (0: none waits). */
  get oldestPartialSinceNs(): u64 {
    const a = this.requestPartialSinceNs;
    const b = this.responsePartialSinceNs;
    return a == 0 ? b : b == 0 ? a : min(a, b);
  }

  /** A partial frame's wait starts when it is first held, and again whenever a frame completes (progress). */
  private notePartialFrame(direction: Direction, stream: FrameStream, nowNs: u64): void {
    const since = direction == Direction.Request ? this.requestPartialSinceNs : this.responsePartialSinceNs;
    const next = stream.pendingBytes == 0 ? 0 : since == 0 || stream.completedFrames > 0 ? nowNs : since;
    if (direction == Direction.Request) this.requestPartialSinceNs = next;
    else this.responsePartialSinceNs = next;
  }

  /**
   * Takes the downstream stream up again at the paused request, which starts `data`, with the answer to the check
   * that paused it; the bytes after it are processed as usual (and may pause again).
   */
  resume(answer: i32, data: usize, size: i32, endStream: bool, nowNs: u64): StreamResult {
    if (!this.paused) return StreamResult.PassThrough;
    this.paused = false;
    this.resuming = true;
    this.answer = answer;
    const result = this.onData(Direction.Request, data, size, endStream, nowNs);
    this.resuming = false;
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
    const stats = this.plugin.stats;
    // A paused request is active for its client too, though not yet in the request table.
    if (abandoned > 0 || this.paused) (local ? stats.cxDestroyLocalWithActiveRq : stats.cxDestroyRemoteWithActiveRq).inc();
    if (abandoned > 0) stats.requestActive.add(-abandoned);
    this.paused = false;
    if (this.downstream.pendingBytes > 0 || this.upstream.pendingBytes > 0) {
      this.plugin.stats.cxIncompleteFrameAtClose.inc();
    }
  }

  onFrame(frame: Bytes, stream: FrameStream): FrameAction {
    const md = this.plugin.scratch.metadata;
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
    const chain = this.plugin.chain;
    const resumed = this.resuming;
    this.resuming = false;
    // A resumed request started when it was paused: its time includes the wait for the answer.
    const startNs = resumed ? this.pausedSinceNs : this.nowNs;
    if (resumed) this.pausedRequest!.restore(request, stats);
    const context = this.plugin.scratch.context.begin(this, request, this.nowNs);
    if (resumed) this.pausedRequest!.restoreMutations(context);
    const status = resumed ? chain.resume(this.pausedAt, context, this.answer) : chain.onRequest(context);
    if (status == FilterStatus.Pause) {
      this.paused = true;
      this.pausedAt = context.pausedAt;
      this.pausedSinceNs = startNs;
      let saved = this.pausedRequest;
      if (saved === null) this.pausedRequest = saved = new PausedRequest();
      saved.save(context, stats);
      return FrameAction.Pause;
    }
    if (request.messageType != MessageType.Heartbeat) this.firstRequestSeen = true;
    if (!request.bodyDecoded) stats.requestBodyNotDecoded.inc();
    if (status == FilterStatus.Reject) return this.reject(stream, request, startNs);
    if (request.messageType == MessageType.Request) {
      // Its key/values are kept only for the access log line written on its response.
      const entry = this.requests.start(request, startNs, this.plugin.config.accessLog !== null);
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
  private reject(stream: FrameStream, request: Metadata, startNs: u64): FrameAction {
    const stats = this.plugin.stats;
    const context = this.plugin.scratch.context;
    stats.localResponseErrorRequest();
    if (request.messageType == MessageType.Oneway) {
      stream.beginReplacement(); // dropped: nobody waits for an answer
      return FrameAction.Replaced;
    }
    const entry = this.requests.start(request, startNs, true); // the error reply is written from it
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
      mutation = this.plugin.scratch.merged;
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
    const mutations = this.plugin.scratch.context.mutations;
    mutations.length = 0;
    mutations.push(route.responseMutation);
    return this.applyMutations(frame, stream, response, mutations);
  }
}

/**
 * A paused request as the filters before the pausing one left it. When it is taken up again it is decoded anew,
 * and those filters do not run again: their metadata additions, mutations (whose values are per-filter buffers,
 * reused by the next request of any connection: copied here) and per-method metrics are put back from here.
 */
@final
class PausedRequest {
  readonly metadata: Metadata = new Metadata();
  readonly mutation: Mutation = new Mutation();
  method: MethodMetrics | null = null;

  save(context: RequestContext, stats: Stats): void {
    this.metadata.copyFrom(context.request);
    const mutation = this.mutation;
    mutation.clear();
    const mutations = context.mutations;
    for (let i = 0; i < mutations.length; i++) {
      const m = mutations[i];
      for (let k = 0; k < m.size; k++) mutation.set(m.keys[k], String.UTF8.decode(String.UTF8.encode(m.values[k])));
    }
    this.method = stats.method;
  }

  restore(request: Metadata, stats: Stats): void {
    request.copyFrom(this.metadata);
    stats.resumeRequest(this.method);
  }

  restoreMutations(context: RequestContext): void {
    if (this.mutation.size > 0) context.mutations.push(this.mutation);
  }
}

// One downstream connection in tcp mode (the filter sits before tcp_proxy): frames in both directions, the requests
// in flight, and what the filter chain decided. It knows nothing of the host: the ABI glue feeds it bytes and
// applies its answer to Envoy's buffers.
//
// A rejected request cannot be answered directly (a network filter cannot write to the client): the codec's
// carrier (a request the server answers cheaply, with the same id) goes upstream in its place, and the carrier's
// answer is replaced by the codec's error reply. One-way requests are dropped; a protocol without a carrier has
// its connection closed.
//
// A filter may pause a request for an asynchronous call (the global rate limit): the downstream stream stops before
// that request, its bytes and all later ones wait unprocessed (in Envoy's buffer, in order), and `resume` takes the
// stream up again at that request with the call's answer. Responses keep flowing meanwhile.
import { Bytes } from "../lib/bytes";
import { AsyncAnswer } from "./async_answer";
import { Codec, Direction, MessageType, ResponseStatus, ErrorType } from "./codec";
import { ConnectionInfo } from "./connection_info";
import { FrameAction, FrameStream, StreamResult } from "./frame_stream";
import { LogLevel } from "./log";
import { Metadata } from "./metadata";
import {
  CX_CLUSTER_CHOSEN, CX_CLUSTER_TCP_PROXY, CX_DESTROY_LOCAL_WITH_ACTIVE_RQ, CX_DESTROY_REMOTE_WITH_ACTIVE_RQ,
  CX_INCOMPLETE_FRAME_AT_CLOSE, CX_TOTAL,
  LOCAL_RESPONSE_ERROR, MUTATION_UNSUPPORTED, RATE_LIMITED, REQUEST, REQUEST_ACTIVE, REQUEST_BODY_NOT_DECODED,
  REQUEST_DECODING_ERROR, REQUEST_EVENT, REQUEST_ONEWAY, REQUEST_TIME_MS, REQUEST_TWOWAY, REQUEST_UNTRACKED, RESPONSE,
  RESPONSE_DECODING_ERROR, RESPONSE_ERROR, RESPONSE_SUCCESS, RESPONSE_UNMATCHED,
} from "./metrics";
import { Mutation } from "./mutation";
import { NetworkConnection } from "./network_connection";
import { Plugin } from "./plugin";
import { FilterStatus, Request } from "./request";
import { RequestTable } from "./request_table";
import { Response } from "./response";

const NS_PER_MS: u64 = 1_000_000;

@final
export class TcpConnection extends NetworkConnection implements ConnectionInfo {
  readonly downstream: FrameStream;
  readonly upstream: FrameStream;
  private readonly requests: RequestTable;
  /** Made on the first bytes: an idle connection holds none. */
  private nowNs: u64 = 0;
  /** Set when the close comes from a filter's decision rather than from bytes that are not the protocol. */
  private closingOnRejection: bool = false;
  /** The upstream cluster, once known (see ConnectionInfo). */
  cluster: string = "";
  /** Whether the upstream is decided: chosen by a filter, or left to tcp_proxy (then named once a response comes). */
  clusterSettled: bool;
  /** Chosen but not yet handed to Envoy (`takeChosenCluster`). */
  private clusterToAnnounce: bool = false;
  private clusterNameAsked: bool = false;
  /** Whether a request of this connection went through the chain (routed, or rejected). */
  firstRequestSeen: bool = false;
  /** The request a filter paused: the downstream stream stands still until `resume`. */
  private pausedRequest: Request | null = null;
  /** Set by `resume` for the frame it feeds first: the paused request, whose answer this is. */
  private answer: AsyncAnswer | null = null;

  constructor(public readonly id: u64, plugin: Plugin) {
    super(plugin);
    this.downstream = new FrameStream(Direction.Request, plugin.heldBytes);
    this.upstream = new FrameStream(Direction.Response, plugin.heldBytes);
    this.requests = new RequestTable(plugin.settings.maxPendingRequests);
    // A connection no filter holds goes where tcp_proxy sends it.
    this.clusterSettled = !plugin.holdsNewConnections;
    if (this.clusterSettled) plugin.stats.inc(CX_CLUSTER_TCP_PROXY);
  }

  get connectionId(): u64 {
    return this.id;
  }

  /** A request waits for a filter's asynchronous answer: client bytes must wait for `resume`. */
  get paused(): bool {
    return this.pausedRequest !== null;
  }

  /** Bytes read from the client (`Direction.Request`) or from the server (`Direction.Response`). */
  onData(direction: Direction, data: usize, size: i32, endStream: bool, nowNs: u64): StreamResult {
    if (this.closed) return StreamResult.Close;
    this.nowNs = nowNs;
    const stream = direction == Direction.Request ? this.downstream : this.upstream;
    let codec = this.codec;
    if (codec === null) this.codec = codec = this.plugin.codecs.create();
    const result = stream.feed(data, size, codec, this.plugin.settings.maxFrameSize, this);
    const stats = this.plugin.stats;
    if (result == StreamResult.Close) {
      this.closed = true;
      if (!this.closingOnRejection) stats.inc(direction == Direction.Request ? REQUEST_DECODING_ERROR : RESPONSE_DECODING_ERROR);
      this.plugin.logger.log(LogLevel.Warn, "connection " + this.id.toString() + " closed: " + this.closeReason);
    } else if (endStream && stream.pendingBytes > 0) {
      stats.inc(CX_INCOMPLETE_FRAME_AT_CLOSE);
      stream.discardPending();
    }
    stream.noteWait(nowNs);
    return result;
  }

  /**
   * Takes the downstream stream up again at the paused request, which starts `data`, with the answer to the call
   * that paused it; the bytes after it are processed as usual (and may pause again).
   */
  resume(answer: AsyncAnswer, data: usize, size: i32, endStream: bool, nowNs: u64): StreamResult {
    if (this.pausedRequest === null) return StreamResult.PassThrough;
    this.answer = answer;
    const result = this.onData(Direction.Request, data, size, endStream, nowNs);
    this.answer = null;
    return result;
  }

  /** When the oldest partial frame began to wait (0: none waits). */
  get oldestPartialSinceNs(): u64 {
    const a = this.downstream.waitingSinceNs;
    const b = this.upstream.waitingSinceNs;
    return a == 0 ? b : b == 0 ? a : min(a, b);
  }

  chooseCluster(name: string): void {
    if (this.clusterSettled) return;
    this.clusterSettled = true;
    this.clusterToAnnounce = true;
    this.cluster = name;
  }

  /** The cluster chosen since the last call, or "" (for the glue to hand it to tcp_proxy once: `announced`). */
  takeChosenCluster(): string {
    if (!this.clusterToAnnounce) return "";
    this.clusterToAnnounce = false;
    return this.cluster;
  }

  /** Whether Envoy took the chosen cluster; if not, tcp_proxy's own cluster applies (named at the first response). */
  announced(taken: bool): void {
    const stats = this.plugin.stats;
    if (!taken) {
      this.cluster = "";
      stats.inc(CX_CLUSTER_TCP_PROXY);
      return;
    }
    stats.inc(CX_CLUSTER_CHOSEN);
    this.countCluster();
  }

  /** The connection was let through to tcp_proxy without a chosen cluster (its first request was rejected). */
  leaveClusterToTcpProxy(): void {
    if (this.clusterSettled) return;
    this.clusterSettled = true;
    this.plugin.stats.inc(CX_CLUSTER_TCP_PROXY);
  }

  /**
   * Whether the connection goes to a cluster tcp_proxy chose, whose name Envoy has not been asked for yet (it is asked
   * once, at the first upstream bytes: what Envoy does not know then, it never will).
   */
  get clusterNameUnknown(): bool {
    return this.clusterSettled && this.cluster.length == 0 && !this.clusterNameAsked;
  }

  /** The name of the cluster tcp_proxy chose, as Envoy tells it ("" when it does not). */
  learnCluster(name: string): void {
    if (!this.clusterNameUnknown) return;
    this.clusterNameAsked = true;
    if (name.length == 0) return;
    this.cluster = name;
    this.countCluster();
  }

  private countCluster(): void {
    const stats = this.plugin.stats;
    const group = stats.clusterGroup(this.cluster);
    if (group !== null) stats.inc(CX_TOTAL, group);
  }

  /** Memory the connection holds for partial frames. */
  get heldCapacity(): i32 {
    return this.downstream.heldCapacity + this.upstream.heldCapacity;
  }

  /** The output of the last `onData` or `resume` was handed to the host: held memory it pointed into may go. */
  settle(): void {
    this.downstream.settle();
    this.upstream.settle();
  }

  /** The downstream connection closed (`local`: Envoy closed it). */
  onClose(local: bool): void {
    const stats = this.plugin.stats;
    const abandoned = this.requests.clear(stats);
    // A paused request is active for its client too, though not in flight.
    if (abandoned > 0 || this.pausedRequest !== null) stats.inc(local ? CX_DESTROY_LOCAL_WITH_ACTIVE_RQ : CX_DESTROY_REMOTE_WITH_ACTIVE_RQ);
    this.pausedRequest = null;
    if (this.downstream.pendingBytes > 0 || this.upstream.pendingBytes > 0) stats.inc(CX_INCOMPLETE_FRAME_AT_CLOSE);
    this.dispose();
  }

  /** Gives back the memory of partial frames (the connection is gone, or going). */
  dispose(): void {
    this.downstream.dispose();
    this.upstream.dispose();
  }

  onFrame(frame: Bytes, stream: FrameStream): FrameAction {
    if (stream.direction == Direction.Request) {
      const answer = this.answer;
      if (answer !== null) {
        this.answer = null;
        return this.onResumedRequest(frame, stream, answer);
      }
      return this.onRequest(frame, stream);
    }
    return this.onResponse(frame, stream);
  }

  private onRequest(frame: Bytes, stream: FrameStream): FrameAction {
    const plugin = this.plugin;
    const stats = plugin.stats;
    const request = this.requests.acquire();
    request.begin(this, stats, this.nowNs);
    const md = request.metadata;
    if (!this.decode(frame, Direction.Request, md)) {
      this.requests.release(request);
      return FrameAction.Close;
    }
    request.method = stats.methodOf(md);
    request.count(REQUEST);
    const type = md.messageType;
    stats.inc(type == MessageType.Heartbeat ? REQUEST_EVENT : type == MessageType.Oneway ? REQUEST_ONEWAY : REQUEST_TWOWAY);
    return this.afterChain(frame, stream, request, plugin.chain.onRequest(request));
  }

  /** The paused request, presented again with the answer to its call: its filters after the pausing one run now. */
  private onResumedRequest(frame: Bytes, stream: FrameStream, answer: AsyncAnswer): FrameAction {
    const request = this.pausedRequest!;
    this.pausedRequest = null;
    request.nowNs = this.nowNs;
    return this.afterChain(frame, stream, request, this.plugin.chain.onResume(request, answer));
  }

  /** Carries out what the chain decided for `request`. */
  private afterChain(frame: Bytes, stream: FrameStream, request: Request, status: FilterStatus): FrameAction {
    const stats = this.plugin.stats;
    const md = request.metadata;
    if (status == FilterStatus.Pause) {
      request.saveMutations();
      this.pausedRequest = request;
      return FrameAction.Pause;
    }
    if (md.messageType != MessageType.Heartbeat) this.firstRequestSeen = true;
    if (!md.bodyDecoded) stats.inc(REQUEST_BODY_NOT_DECODED);
    if (status == FilterStatus.Reject) return this.reject(stream, request);
    if (md.messageType == MessageType.Request) {
      if (this.requests.track(request)) {
        request.count(REQUEST_ACTIVE);
      } else {
        stats.inc(REQUEST_UNTRACKED);
      }
    }
    // A heartbeat is not a call: it carries no key/values, and mutating it is no one's wish.
    const mutate = request.mutations.length > 0 && md.messageType != MessageType.Heartbeat;
    const action = mutate ? this.applyMutations(frame, stream, md, request.mutations) : FrameAction.Forward;
    if (!request.inFlight) this.requests.release(request);
    return action;
  }

  /** Puts the codec's carrier in place of a rejected request (see the top of this file). */
  private reject(stream: FrameStream, request: Request): FrameAction {
    request.rejected = true;
    request.count(LOCAL_RESPONSE_ERROR);
    if (request.error == ErrorType.OverLimit) request.count(RATE_LIMITED);
    const md = request.metadata;
    if (md.messageType == MessageType.Oneway) {
      this.requests.release(request);
      stream.beginReplacement(); // dropped: nobody waits for an answer
      return FrameAction.Replaced;
    }
    const tracked = this.requests.track(request);
    const out = stream.beginReplacement();
    const before = out.length;
    if (tracked && this.codec!.encodeCarrier(md, out)) {
      request.count(REQUEST_ACTIVE);
      return FrameAction.Replaced;
    }
    out.length = before;
    if (tracked) this.requests.take(md.requestId);
    this.requests.release(request);
    this.closingOnRejection = true;
    this.closeReason = "request " + md.requestId.toString() + " rejected (" + request.message + ") and " +
      (tracked ? "the protocol has no carrier" : "too many requests in flight") + " to answer it with";
    return FrameAction.Close;
  }

  private applyMutations(frame: Bytes, stream: FrameStream, md: Metadata, mutations: Array<Mutation>): FrameAction {
    let mutation = mutations[0];
    if (mutations.length > 1) {
      mutation = this.plugin.merged;
      mutation.clear();
      for (let i = 0; i < mutations.length; i++) mutation.setAll(mutations[i]);
    }
    const out = stream.beginReplacement();
    const before = out.length;
    if (!this.codec!.mutate(frame, md, mutation, out)) {
      this.plugin.stats.inc(MUTATION_UNSUPPORTED);
      out.length = before;
      out.append(frame.ptr, frame.length);
    }
    return FrameAction.Replaced;
  }

  private onResponse(frame: Bytes, stream: FrameStream): FrameAction {
    const plugin = this.plugin;
    const stats = plugin.stats;
    const response = plugin.response;
    response.begin(this.nowNs);
    const md = response.metadata;
    if (!this.decode(frame, Direction.Response, md)) return FrameAction.Close;
    // A carrier's answer may be a heartbeat (Dubbo): it answers a rejected request, or is a heartbeat of its own.
    if (md.messageType == MessageType.Heartbeat && !this.answersCarrier(md.requestId)) {
      plugin.chain.onResponse(response);
      return FrameAction.Forward;
    }
    const request = this.requests.take(md.requestId);
    if (request === null) {
      // Nobody asked for it: it is not one of the responses the response counters count.
      stats.inc(RESPONSE_UNMATCHED);
      plugin.chain.onResponse(response);
      return FrameAction.Forward;
    }
    response.request = request;
    stats.add(REQUEST_ACTIVE, -1, request.method);
    let action = request.rejected ? this.answerRejected(stream, request, response) : FrameAction.Forward;
    this.countResponse(response, request);
    plugin.chain.onResponse(response);
    if (action == FrameAction.Forward && response.mutations.length > 0) {
      action = this.applyMutations(frame, stream, md, response.mutations);
    }
    this.requests.release(request);
    return action;
  }

  private answersCarrier(id: u64): bool {
    const request = this.requests.find(id);
    return request !== null && request.rejected;
  }

  /** Replaces a carrier's answer with the error reply to the rejected request. */
  private answerRejected(stream: FrameStream, request: Request, response: Response): FrameAction {
    const out = stream.beginReplacement();
    const before = out.length;
    this.codec!.encodeError(request.metadata, request.error, request.message, out);
    const md = response.metadata;
    md.messageType = MessageType.Response;
    md.responseStatus = ResponseStatus.Error;
    md.frameSize = out.length - before;
    return FrameAction.Replaced;
  }

  private countResponse(response: Response, request: Request): void {
    const stats = this.plugin.stats;
    const ok = response.metadata.responseStatus == ResponseStatus.Ok;
    const method = request.method;
    stats.inc(RESPONSE);
    stats.inc(ok ? RESPONSE_SUCCESS : RESPONSE_ERROR, method);
    const elapsed = this.nowNs > request.startNs ? this.nowNs - request.startNs : 0;
    stats.record(REQUEST_TIME_MS, elapsed / NS_PER_MS, method);
  }
}

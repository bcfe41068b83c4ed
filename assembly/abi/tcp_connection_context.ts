// A TcpConnection as Envoy drives it: applies its verdict on each data event to Envoy's buffer.
// - Connection routing: holds the new connection (StopIteration from proxy_on_new_connection; tcp_proxy must allow
//   early data) until its first request has chosen the cluster, handed to tcp_proxy through filter state.
// - A paused request (global rate limit): the data callback returns StopIteration and leaves the bytes in Envoy's
//   buffer, in order; later reads append to it. Envoy keeps pointing the context at that buffer after a
//   StopIteration, so when the answer arrives (on the root context) `resume` reads and rewrites it under
//   proxy_set_effective_context, then proxy_continue_stream hands it to the filter after ours.
import { ByteBuffer } from "../lib/bytes";
import { Direction } from "../core/codec";
import { TcpConnection } from "../core/tcp_connection";
import { AsyncAnswer } from "../core/async_answer";
import { StreamResult } from "../core/frame_stream";
import { LogLevel } from "../core/log";
import { readBuffer, readBufferSize, releaseBuffer, replaceBuffer } from "./buffers";
import { setTcpProxyCluster } from "./foreign";
import { upstreamClusterName } from "./properties";
import { closeDownstream, continueDownstream, nowNanoseconds, setEffectiveContext } from "./stream";
import { Action, BufferType } from "./types";
import { ConnectionContext } from "./connection_context";

/** Reads a whole buffer, whatever its size (the host clamps the length). */
const WHOLE: i32 = i32.MAX_VALUE;

@final
export class TcpConnectionContext extends ConnectionContext {
  /** tcp_proxy has not been let through yet: what goes upstream waits in `held`. */
  holding: bool = false;
  private held: ByteBuffer | null = null;
  /** While paused: the bytes at the front of Envoy's buffer that were processed before the paused request. */
  private pausedOffset: i32 = 0;
  private endOfStreamWhilePaused: bool = false;
  private joined: ByteBuffer | null = null;
  constructor(contextId: u32, private readonly tcp: TcpConnection) {
    super(contextId, tcp);
  }

  /** Whether this connection waits for its first request before tcp_proxy may connect. */
  onNewConnection(): u32 {
    this.holding = this.tcp.plugin.holdsNewConnections;
    return this.holding ? Action.Pause : Action.Continue;
  }

  onData(direction: Direction, type: BufferType, dataSize: u32, endOfStream: bool): u32 {
    const connection = this.tcp;
    if (direction == Direction.Request && connection.paused) {
      // The bytes wait in Envoy's buffer behind the paused request (bounded by its buffer limit).
      this.endOfStreamWhilePaused = this.endOfStreamWhilePaused || endOfStream;
      return Action.Pause;
    }
    if (dataSize == 0 && !endOfStream) return Action.Continue;
    // Responses come from the upstream tcp_proxy connected to: Envoy can name its cluster now.
    if (direction == Direction.Response && connection.clusterNameUnknown) connection.learnCluster(upstreamClusterName());
    const data = dataSize > 0 ? readBuffer(type, <i32>dataSize) : 0;
    const size = data != 0 ? readBufferSize() : 0;
    const result = connection.onData(direction, data, size, endOfStream, nowNanoseconds());
    const status = this.apply(direction, type, data, size, 0, result, endOfStream);
    releaseBuffer(data);
    connection.settle();
    connection.plugin.stats.flush();
    return status;
  }

  /** The answer to the paused request's call arrived (outside any data callback of this connection). */
  resume(answer: AsyncAnswer): void {
    const connection = this.tcp;
    if (!connection.paused) return;
    setEffectiveContext(this.contextId);
    const type = BufferType.NetworkDownstreamData;
    const data = readBuffer(type, WHOLE);
    const size = data != 0 ? readBufferSize() : 0;
    const prefix = this.pausedOffset <= size ? this.pausedOffset : size;
    const endOfStream = this.endOfStreamWhilePaused;
    this.endOfStreamWhilePaused = false;
    const result = connection.resume(answer, data + <usize>prefix, size - prefix, endOfStream, nowNanoseconds());
    const status = this.apply(Direction.Request, type, data, size, prefix, result, endOfStream);
    releaseBuffer(data);
    connection.settle();
    if (status == Action.Continue) continueDownstream();
    connection.plugin.stats.flush();
  }

  /**
   * Puts the connection's verdict on Envoy's buffer (`size` bytes at `data`): the first `keep` bytes were dealt
   * with before and stay in front; the rest is what the connection just processed.
   */
  private apply(direction: Direction, type: BufferType, data: usize, size: i32, keep: i32, result: StreamResult, endOfStream: bool): u32 {
    if (result == StreamResult.Close) {
      closeDownstream();
      return Action.Pause;
    }
    const stream = direction == Direction.Request ? this.tcp.downstream : this.tcp.upstream;
    const processed = data + <usize>keep;
    let outPtr = processed;
    let outLength = size - keep;
    if (result != StreamResult.PassThrough) {
      outPtr = stream.outputPtr;
      outLength = stream.outputLength;
    }
    let changed = outPtr != processed || outLength != size - keep;
    if (keep > 0) {
      if (changed) {
        const joined = this.joinedBuffer();
        joined.append(data, keep);
        joined.append(outPtr, outLength);
        outPtr = joined.ptr;
        outLength = joined.length;
      } else {
        outPtr = data;
        outLength = size;
      }
    }
    if (result == StreamResult.Pause) return this.pause(type, size, outPtr, outLength, keep + stream.pausedOffset, changed);
    if (direction == Direction.Request && this.holding) return this.hold(type, size, outPtr, outLength, endOfStream);
    if (changed) replaceBuffer(type, size, outPtr, outLength);
    return Action.Continue;
  }

  /** Leaves what is processed and what waits in Envoy's buffer (behind anything held for connection routing). */
  private pause(type: BufferType, size: i32, outPtr: usize, outLength: i32, pausedOffset: i32, changed: bool): u32 {
    const held = this.held;
    if (held !== null && held.length > 0) {
      this.pausedOffset = held.length + pausedOffset;
      held.append(outPtr, outLength);
      replaceBuffer(type, size, held.ptr, held.length);
      held.clear();
    } else {
      this.pausedOffset = pausedOffset;
      if (changed) replaceBuffer(type, size, outPtr, outLength);
    }
    return Action.Pause;
  }

  /** While holding, keeps what must go upstream; once the first request is routed, lets it all through. */
  private hold(type: BufferType, size: i32, outPtr: usize, outLength: i32, endOfStream: bool): u32 {
    let held = this.held;
    if (held === null) this.held = held = new ByteBuffer();
    held.append(outPtr, outLength);
    const connection = this.tcp;
    const cluster = connection.takeChosenCluster();
    if (cluster.length > 0) {
      const taken = setTcpProxyCluster(cluster);
      if (!taken) connection.plugin.logger.log(LogLevel.Warn, "could not set envoy.tcp_proxy.cluster (Envoy older than 1.28?): tcp_proxy's cluster applies");
      connection.announced(taken);
    }
    // A rejected first request routes nowhere: tcp_proxy's own cluster answers its carrier.
    const release = cluster.length > 0 || connection.firstRequestSeen || endOfStream;
    replaceBuffer(type, size, release ? held.ptr : 0, release ? held.length : 0);
    if (!release) return Action.Pause;
    connection.leaveClusterToTcpProxy();
    this.holding = false;
    this.held = null;
    return Action.Continue;
  }

  private joinedBuffer(): ByteBuffer {
    let joined = this.joined;
    if (joined === null) this.joined = joined = new ByteBuffer();
    joined.clear();
    return joined;
  }
}

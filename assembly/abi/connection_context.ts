// A Connection as Envoy drives it: applies its verdict on each data event to Envoy's buffer, and, with connection
// routing, holds the new connection (StopIteration from proxy_on_new_connection; tcp_proxy must allow early data)
// until its first request has chosen the cluster, which is handed to tcp_proxy through filter state.
import { ByteBuffer } from "../framework/bytes";
import { Direction } from "../framework/codec";
import { Connection } from "../framework/connection";
import { StreamResult } from "../framework/frame_stream";
import { LogLevel } from "../framework/log";
import { readBuffer, readBufferSize, releaseBuffer, replaceBuffer } from "./buffers";
import { setTcpProxyCluster } from "./foreign";
import { closeDownstream, nowNanoseconds } from "./stream";
import { BufferType, FilterStatus } from "./types";

@final
export class ConnectionContext {
  /** tcp_proxy has not been let through yet: what goes upstream waits in `held`. */
  holding: bool = false;
  private held: ByteBuffer | null = null;

  constructor(public readonly connection: Connection) {}

  /** Whether this connection waits for its first request before tcp_proxy may connect. */
  onNewConnection(): u32 {
    const config = this.connection.plugin.config;
    this.holding = config.connectionRouting && config.routes.size > 0;
    return this.holding ? FilterStatus.StopIteration : FilterStatus.Continue;
  }

  onData(direction: Direction, type: BufferType, dataSize: u32, endOfStream: bool): u32 {
    const connection = this.connection;
    if (dataSize == 0 && !endOfStream) return FilterStatus.Continue;
    const data = dataSize > 0 ? readBuffer(type, <i32>dataSize) : 0;
    const size = data != 0 ? readBufferSize() : 0;
    const result = connection.onData(direction, data, size, endOfStream, nowNanoseconds());
    let status = FilterStatus.Continue;
    if (result == StreamResult.Close) {
      closeDownstream();
      status = FilterStatus.StopIteration;
    } else {
      const stream = direction == Direction.Request ? connection.downstream : connection.upstream;
      const replaced = result == StreamResult.Replace;
      const outPtr = replaced ? stream.outputPtr : data;
      const outLength = replaced ? stream.outputLength : size;
      if (direction == Direction.Request && this.holding) {
        status = this.hold(type, <i32>dataSize, outPtr, outLength, endOfStream);
      } else if (replaced) {
        replaceBuffer(type, <i32>dataSize, outPtr, outLength);
      }
    }
    releaseBuffer(data);
    connection.plugin.stats.flush();
    return status;
  }

  /** While holding, keeps what must go upstream; once the first request is routed, lets it all through. */
  private hold(type: BufferType, dataSize: i32, outPtr: usize, outLength: i32, endOfStream: bool): u32 {
    let held = this.held;
    if (held === null) this.held = held = new ByteBuffer();
    held.append(outPtr, outLength);
    const cluster = this.connection.takeChosenCluster();
    if (cluster.length > 0 && !setTcpProxyCluster(cluster)) {
      this.connection.plugin.logger.log(LogLevel.Warn, "could not set envoy.tcp_proxy.cluster (Envoy older than 1.28?): tcp_proxy's cluster applies");
    }
    // A rejected first request routes nowhere: tcp_proxy's own cluster answers its carrier.
    const release = cluster.length > 0 || this.connection.firstRequestSeen || endOfStream;
    replaceBuffer(type, dataSize, release ? held.ptr : 0, release ? held.length : 0);
    if (!release) return FilterStatus.StopIteration;
    this.holding = false;
    this.held = null;
    return FilterStatus.Continue;
  }
}

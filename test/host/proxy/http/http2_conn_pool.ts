// Envoy's HTTP/2 connection pool (source/common/http/http2/conn_pool.cc, source/common/conn_pool/conn_pool_base.cc)
// reduced to what the router needs: per worker, per cluster and per upstream host ONE connection that carries every
// stream, whatever downstream connection it comes from; a new one is opened once the current one failed or closed.
// A connection attempt is bounded by the cluster's connect_timeout and counted in the cluster's upstream_cx_* stats.
// Node's http2 (nghttp2, Envoy's default codec) is the client.
import http2, { type ClientHttp2Session } from "node:http2";
import net from "node:net";
import type { Endpoint } from "../../api.ts";
import { hostPort } from "../bootstrap.ts";
import type { ClusterEntry } from "../clusters.ts";
import { ResetReason } from "./local_reply.ts";

/** One upstream connection and what became of it. */
export interface PooledConnection {
  readonly session: ClientHttp2Session;
  /** Why a stream on this connection ended, given the RST_STREAM code it ended with. */
  resetReason(rstCode: number): ResetReason;
}

export class Http2ConnectionPools {
  private readonly connections = new Map<string, PooledConnection>();

  /** The live connection to `endpoint` of `cluster` for `worker`, opened on first use. */
  connection(cluster: ClusterEntry, endpoint: Endpoint, worker: number): PooledConnection {
    const key = `${worker}|${cluster.name}|${hostPort(endpoint)}`;
    const existing = this.connections.get(key);
    if (existing !== undefined && !existing.session.closed && !existing.session.destroyed) return existing;
    const created = openConnection(cluster, endpoint, () => {
      if (this.connections.get(key) === created) this.connections.delete(key);
    });
    this.connections.set(key, created);
    return created;
  }

  /** Closes every upstream connection (host shutdown). */
  closeAll(): void {
    for (const connection of this.connections.values()) connection.session.destroy();
    this.connections.clear();
  }
}

function openConnection(cluster: ClusterEntry, endpoint: Endpoint, onClosed: () => void): PooledConnection {
  const { stats } = cluster;
  stats.upstreamCxTotal.add(1);
  stats.upstreamCxActive.add(1);
  let connected = false;
  let timedOut = false;
  const socket = net.connect({ host: endpoint.address, port: endpoint.port });
  socket.setNoDelay(true);
  const session = http2.connect(`http://${hostPort(endpoint)}`, { createConnection: () => socket });
  const timer = setTimeout(() => {
    timedOut = true;
    stats.upstreamCxConnectTimeout.add(1);
    session.destroy();
  }, cluster.connectTimeoutMs);
  socket.once("connect", () => {
    connected = true;
    clearTimeout(timer);
  });
  session.on("error", () => {}); // each stream on it ends too, and its router reports why
  session.once("close", () => {
    clearTimeout(timer);
    if (!connected) stats.upstreamCxConnectFail.add(1);
    stats.upstreamCxActive.add(-1);
    onClosed();
  });
  return {
    session,
    resetReason(rstCode) {
      if (timedOut) return ResetReason.ConnectionTimeout;
      if (!connected) return ResetReason.RemoteConnectionFailure;
      if (rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) return ResetReason.RemoteRefusedStreamReset;
      return session.destroyed || session.closed ? ResetReason.ConnectionTermination : ResetReason.RemoteReset;
    },
  };
}

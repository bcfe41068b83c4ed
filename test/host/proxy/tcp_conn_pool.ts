// Opening a connection to a cluster endpoint, as Envoy's TCP connection pool does it for tcp_proxy (which never
// reuses a connection): the cluster's connect_timeout, and the cluster's connection stats. A timed-out attempt counts
// as both upstream_cx_connect_timeout and upstream_cx_connect_fail, as in Envoy.
import { CloseType, ConnectionEvent, type Endpoint } from "../api.ts";
import type { ClusterEntry } from "./clusters.ts";
import { Connection } from "./connection.ts";

export enum PoolFailureReason {
  RemoteConnectionFailure = "remote connection failure",
  Timeout = "connect timeout",
}

export interface PoolCallbacks {
  onPoolReady(connection: Connection, host: Endpoint): void;
  onPoolFailure(reason: PoolFailureReason, host: Endpoint, detail: string): void;
}

export interface PendingConnection {
  /** Abandons the attempt (the downstream went away); no callback follows. */
  cancel(): void;
}

export function newConnection(cluster: ClusterEntry, host: Endpoint, callbacks: PoolCallbacks): PendingConnection {
  const stats = cluster.stats;
  stats.upstreamCxTotal.add(1);
  stats.upstreamCxActive.add(1);
  const connection = Connection.connect(host, cluster.bufferLimitBytes);
  connection.setByteCounters({ received: stats.upstreamCxRxBytesTotal, sent: stats.upstreamCxTxBytesTotal });

  let pending = true;
  const settle = () => {
    pending = false;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => {
    settle();
    stats.upstreamCxConnectTimeout.add(1);
    stats.upstreamCxConnectFail.add(1);
    connection.close(CloseType.NoFlush);
    callbacks.onPoolFailure(PoolFailureReason.Timeout, host, `no connection after ${cluster.connectTimeoutMs} ms`);
  }, cluster.connectTimeoutMs);
  timer.unref();

  connection.addConnectionCallbacks({
    onEvent(event) {
      if (event !== ConnectionEvent.Connected) stats.upstreamCxActive.add(-1);
      if (!pending) return;
      settle();
      if (event === ConnectionEvent.Connected) {
        callbacks.onPoolReady(connection, host);
      } else {
        stats.upstreamCxConnectFail.add(1);
        callbacks.onPoolFailure(PoolFailureReason.RemoteConnectionFailure, host, connection.failureReason ?? "closed");
      }
    },
  });

  return {
    cancel() {
      if (!pending) return;
      settle();
      connection.close(CloseType.NoFlush);
    },
  };
}

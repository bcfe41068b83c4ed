// What filters may know of, and ask of, the connection a request arrived on, whatever kind of connection carries it.

export interface ConnectionInfo {
  /** Envoy's connection id (the one its own access logs show). */
  readonly id: u64;
  /**
   * Where the connection's bytes go is decided: a filter chose the upstream cluster, or the connection was left to
   * the proxy's own choice. The cluster's name may still be unknown (`cluster` is "" until then).
   */
  readonly clusterSettled: bool;
  /** The upstream cluster this connection goes to, once known ("" until then). */
  readonly cluster: string;
  /** Chooses the connection's cluster (tcp_proxy connects to it); only a choice before it is settled counts. */
  chooseCluster(name: string): void;
}

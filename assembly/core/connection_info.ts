// What filters may know of, and ask of, the connection a request arrived on, whatever kind of connection carries it.

export interface ConnectionInfo {
  /** Envoy's connection id (the one its own access logs show). */
  readonly id: u64;
  /** The upstream cluster this connection goes to, once known ("" until then). */
  readonly cluster: string;
  /** Chooses the connection's cluster (tcp_proxy connects to it); only the first choice counts. */
  chooseCluster(name: string): void;
}

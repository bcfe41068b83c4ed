// The contracts between the two halves of the bundled Envoy-compatible host:
//   proxy/  Envoy's connection handling: bootstrap YAML, listeners, the network filter manager, tcp_proxy,
//           clusters, admin (owns the event loop and the sockets).
//   wasm/   envoy.filters.network.wasm: the proxy-wasm ABI served to one plugin, and the stats store.
// The shapes mirror Envoy's Network::ReadFilter / WriteFilter / ReadFilterCallbacks so that the semantics listed in
// docs/envoy/network-filters.md can be reproduced one to one.

export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

export enum ConnectionEvent {
  RemoteClose = 0,
  LocalClose = 1,
  Connected = 2,
}

export enum CloseType {
  /** Write what is buffered for the peer, then close (Envoy ConnectionCloseType::FlushWrite). */
  FlushWrite = 0,
  NoFlush = 1,
}

/** Envoy's Buffer::Instance reduced to what network filters use. Bytes live in one contiguous array. */
export class ByteBuffer {
  private data: Uint8Array;
  private start = 0;
  private end = 0;

  constructor(initial?: Uint8Array) {
    this.data = new Uint8Array(Math.max(64, initial?.length ?? 0));
    if (initial) this.append(initial);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** A view of the current bytes; valid until the buffer is next modified. */
  view(): Uint8Array {
    return this.data.subarray(this.start, this.end);
  }

  append(bytes: Uint8Array): void {
    this.reserveTail(bytes.length);
    this.data.set(bytes, this.end);
    this.end += bytes.length;
  }

  prepend(bytes: Uint8Array): void {
    if (bytes.length <= this.start) {
      this.start -= bytes.length;
      this.data.set(bytes, this.start);
      return;
    }
    // A replaced buffer (drained, then prepended): reuse the memory, as Envoy's buffer reuses its slices.
    if (this.length === 0 && bytes.length <= this.data.length) {
      this.data.set(bytes, 0);
      this.start = 0;
      this.end = bytes.length;
      return;
    }
    const merged = new Uint8Array(Math.max(64, (bytes.length + this.length) * 2));
    merged.set(bytes, 0);
    merged.set(this.view(), bytes.length);
    this.end = bytes.length + this.length;
    this.start = 0;
    this.data = merged;
  }

  drain(count: number): void {
    this.start += Math.min(count, this.length);
    if (this.start === this.end) this.start = this.end = 0;
  }

  /** Removes and returns every byte (what a terminal filter such as tcp_proxy does with the read buffer). */
  takeAll(): Uint8Array {
    const out = this.view().slice();
    this.start = this.end = 0;
    return out;
  }

  private reserveTail(extra: number): void {
    if (this.end + extra <= this.data.length) return;
    const needed = this.length + extra;
    if (needed * 2 <= this.data.length) {
      this.data.copyWithin(0, this.start, this.end); // room enough once compacted
    } else {
      const next = new Uint8Array(needed * 2);
      next.set(this.view(), 0);
      this.data = next;
    }
    this.end = this.length;
    this.start = 0;
  }
}

/** Connection-level facts a filter can read (Envoy StreamInfo / Connection), used for proxy-wasm properties. */
export interface ConnectionInfo {
  readonly id: number;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** The listener's local address the client connected to. */
  readonly destinationAddress: string;
  readonly destinationPort: number;
  readonly listenerName: string;
  /** Envoy's `traffic_direction` of the listener: 0 UNSPECIFIED, 1 INBOUND, 2 OUTBOUND. */
  readonly listenerDirection: number;
  readonly filterChainName: string;
  /** Set by tcp_proxy once it has picked its cluster. */
  upstreamClusterName?: string;
  /** Set by tcp_proxy once the upstream connection is established ("ip:port"). */
  upstreamAddress?: string;
}

/** Envoy StreamInfo::FilterState, with the life span the value was set with. */
export interface FilterState {
  set(key: string, value: string, lifeSpan: FilterStateLifeSpan): void;
  get(key: string): string | undefined;
}

export enum FilterStateLifeSpan {
  FilterChain = 0,
  DownstreamRequest = 1,
  DownstreamConnection = 2,
}

/** What the filter manager hands each read filter (Envoy Network::ReadFilterCallbacks + its Connection). */
export interface ReadFilterCallbacks {
  readonly connection: ConnectionInfo;
  readonly filterState: FilterState;
  /** Restarts iteration at the filter after the caller, with the connection's whole undrained read buffer. */
  continueReading(): void;
  close(type: CloseType): void;
  readDisable(disable: boolean): void;
}

export interface NetworkFilter {
  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void;
  /** Runs the first time iteration reaches the filter (Envoy initialises read filters lazily). */
  onNewConnection(): FilterStatus;
  /** Read path. `data` is the connection's whole undrained read buffer. */
  onData(data: ByteBuffer, endStream: boolean): FilterStatus;
  /** Write path (bytes from upstream on their way to the client). Write filters run in reverse order. */
  onWrite(data: ByteBuffer, endStream: boolean): FilterStatus;
  onEvent(event: ConnectionEvent): void;
}

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface Cluster {
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
  readonly connectTimeoutMs: number;
  /** True when the cluster is configured for HTTP/2 upstream (needed for gRPC calls). */
  readonly http2: boolean;
}

export interface ClusterManager {
  get(name: string): Cluster | undefined;
  /** Round-robin choice of an endpoint of the cluster. */
  pickEndpoint(cluster: Cluster): Endpoint;
}

export interface Counter {
  add(amount: number): void;
  value(): number;
}
export interface Gauge {
  set(value: number): void;
  add(amount: number): void;
  value(): number;
}
export interface Histogram {
  record(value: number): void;
}

/** Envoy's stats store: names are dotted; tags are extracted from names by `stats_config.stats_tags`. */
export interface StatsStore {
  counter(name: string): Counter;
  gauge(name: string): Gauge;
  histogram(name: string): Histogram;
  /** Envoy admin `/stats` text. */
  renderText(): string;
  /** Envoy admin `/stats/prometheus`. */
  renderPrometheus(): string;
}

export interface TagSpecifier {
  readonly tagName: string;
  readonly regex: string;
}

/** Envoy log levels, as proxy-wasm numbers them. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export type LogSink = (level: LogLevel, message: string) => void;

/** A PluginConfig's `failure_policy` (extensions.wasm.v3.FailurePolicy), UNSPECIFIED left out. */
export type FailurePolicy = "FAIL_RELOAD" | "FAIL_CLOSED" | "FAIL_OPEN";

/** envoy.extensions.filters.network.wasm.v3.Wasm `config` (PluginConfig + VmConfig), already resolved. */
export interface WasmPluginConfig {
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
  /** `configuration` StringValue (the JSON the plugin reads in proxy_on_configure). */
  readonly configuration: string;
  readonly vmConfiguration: string;
  /** `vm_config.code.local.filename`, resolved against the working directory. */
  readonly wasmPath: string;
  /** The deprecated `fail_open` field, as written. */
  readonly failOpen: boolean;
  /** `failure_policy`; absent when UNSPECIFIED. */
  readonly failurePolicy?: FailurePolicy;
  /** `reload_config.backoff.base_interval` in milliseconds, when set. */
  readonly reloadBaseIntervalMs?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The `traffic_direction` of the plugin's listener (0 UNSPECIFIED, 1 INBOUND, 2 OUTBOUND); part of the plugin key. */
  readonly listenerDirection?: number;
}

/** What the proxy half provides to the wasm half. */
export interface HostServices {
  readonly stats: StatsStore;
  readonly clusters: ClusterManager;
  readonly log: LogSink;
  /** The level proxy_get_log_level answers and below which proxy_log lines are dropped. */
  readonly logLevel: LogLevel;
  /** Number of worker threads Envoy would run (`--concurrency`): one VM instance per worker and VM key. */
  readonly concurrency: number;
  /** The bootstrap's `node` in proto JSON form (id, cluster, metadata): what the `xds.node` property shows. */
  readonly node?: Readonly<Record<string, unknown>>;
}

/** One per wasm filter entry of a listener; creates a filter per downstream connection. */
export interface NetworkFilterFactory {
  /**
   * The filter for a connection handled by worker `worker` (0 to concurrency - 1); without one, the workers take
   * connections in turn.
   */
  createFilter(worker?: number): NetworkFilter;
  /** Tears down the VMs (proxy_on_done / proxy_on_delete on root contexts), timers and pending calls. */
  close(): Promise<void>;
}

// Envoy's wasm Context (proxy-wasm-cpp-host ContextBase): the VM context (id 0, runs _initialize and malloc, belongs
// to no plugin), one root context per plugin started in the VM, and one stream context per downstream connection,
// whose parent is its plugin's root context. A VM may serve several plugins: what belongs to a plugin (its name,
// root_id, configuration) is read from the context's plugin, never from the VM.
// Host calls act on the "effective" context (the one proxy_set_effective_context chose during this VM call, else
// the context the call is running in); async calls and their callbacks belong to the ROOT context.
import type { ByteBuffer, ConnectionInfo, FilterState, ReadFilterCallbacks, WasmPluginConfig } from "../api.ts";
import type { Pairs } from "./header_pairs.ts";

/** What the root context holds while a callback about an async result runs (Envoy keeps them on the root). */
export interface CallbackData {
  /** The gRPC response message; Envoy hands it out as a (mutable) buffer instance. */
  grpcReceiveBuffer?: ByteBuffer;
  httpCallResponse?: { headers: Pairs; body: Uint8Array; trailers: Pairs };
  /** The CallData buffer of a callback that brings data (proxy_on_resolve_dns). */
  callData?: Uint8Array;
  /** proxy_get_status: set for proxy_on_grpc_close. */
  status: { code: number; message: string };
}

/** A downstream connection as its stream context sees it. */
export interface ConnectionState {
  readonly callbacks: ReadFilterCallbacks;
  readonly info: ConnectionInfo;
  readonly filterState: FilterState;
  /**
   * The buffers of the data callbacks. Envoy points its buffer at the connection's buffer for the callback and
   * clears the pointer only when the callback returns Continue; outside of it the pointer is null (an empty buffer).
   */
  downstreamData?: ByteBuffer;
  upstreamData?: ByteBuffer;
}

export class Context {
  /** The root of a stream context; a root (or the VM context) is its own root. */
  readonly root: Context;
  /** Set on the root context while proxy_on_configure runs: the PluginConfiguration buffer. */
  pluginConfiguration?: Uint8Array;
  /** Async-call results, on root contexts only. */
  readonly callbackData: CallbackData = { status: { code: 0, message: "" } };
  /** in_vm_context_created_: proxy_on_context_create has run (or the VM had failed when it would have). */
  created = false;

  private constructor(
    readonly id: number,
    root: Context | undefined,
    /** The plugin a root context was started for; a stream context's is its root's; the VM context has none. */
    readonly plugin: WasmPluginConfig | undefined,
    readonly connection?: ConnectionState,
  ) {
    this.root = root ?? this;
  }

  /** The VM context (id 0). */
  static vm(): Context {
    return new Context(0, undefined, undefined);
  }

  static root(id: number, plugin: WasmPluginConfig): Context {
    return new Context(id, undefined, plugin);
  }

  static stream(id: number, root: Context, connection: ConnectionState): Context {
    return new Context(id, root, root.plugin, connection);
  }

  get isRoot(): boolean {
    return this.root === this;
  }
}

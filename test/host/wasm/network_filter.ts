// envoy.filters.network.wasm for one downstream connection: Envoy's wasm Context used as a network read and write
// filter. Sequence per connection: proxy_on_context_create(ctx, root) + proxy_on_new_connection when iteration first
// reaches the filter; proxy_on_downstream_data / proxy_on_upstream_data with the whole buffer; on a close event
// proxy_on_downstream_connection_close(ctx, Remote 2 | Local 1) then proxy_on_done, proxy_on_log, proxy_on_delete.
// Upstream end of stream (data with end_stream) calls proxy_on_upstream_connection_close(ctx, Unknown 0).
// On a failed VM every callback is skipped and the connection is closed (FlushWrite) on its next data, or, with the
// deprecated fail_open (PluginBase::fail_open_), every callback answers Continue.
// Read: envoy source/extensions/common/wasm/context.cc (onNewConnection, onData, onWrite, onEvent,
// onDownstreamConnectionClose, onUpstreamConnectionClose, onCloseTCP, failStream) and cpp-host src/context.cc
// (CHECK_FAIL_NET, onNetworkNewConnection, onDownstreamData, onDone, onLog, onDelete).
import {
  type ByteBuffer,
  CloseType,
  ConnectionEvent,
  FilterStatus,
  type NetworkFilter,
  type ReadFilterCallbacks,
} from "../api.ts";
import { PeerType } from "./abi_codes.ts";
import type { ConnectionState, Context } from "./context.ts";
import type { WasmVm } from "./wasm_vm.ts";

export class WasmNetworkFilter implements NetworkFilter {
  private connection!: ConnectionState;
  private context!: Context;
  private streamFailed = false;
  private downstreamClosed = false;
  private tcpClosed = false;

  constructor(
    private readonly vm: WasmVm,
    private readonly root: Context,
    /** PluginBase::fail_open_: on a failed VM, pass instead of closing. */
    private readonly failOpen: boolean,
  ) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.connection = { callbacks, info: callbacks.connection, filterState: callbacks.filterState };
    this.context = this.vm.createStreamContext(this.root, this.connection);
  }

  onNewConnection(): FilterStatus {
    const context = this.context;
    if (!context.created) this.vm.call(context, "proxy_on_context_create", context.id, this.root.id);
    context.created = true;
    return this.callWithStatus("proxy_on_new_connection", context.id);
  }

  onData(data: ByteBuffer, endStream: boolean): FilterStatus {
    if (!this.context.created) return FilterStatus.Continue;
    this.connection.downstreamData = data;
    const status = this.callWithStatus("proxy_on_downstream_data", this.context.id, data.length, endStream ? 1 : 0);
    if (status === FilterStatus.Continue) this.connection.downstreamData = undefined;
    return status;
  }

  onWrite(data: ByteBuffer, endStream: boolean): FilterStatus {
    if (!this.context.created) return FilterStatus.Continue;
    this.connection.upstreamData = data;
    const status = this.callWithStatus("proxy_on_upstream_data", this.context.id, data.length, endStream ? 1 : 0);
    if (status === FilterStatus.Continue) this.connection.upstreamData = undefined;
    // Envoy has no upstream-close event for a network filter: end of stream on the write path stands for it.
    if (endStream) this.onUpstreamConnectionClose();
    return status;
  }

  onEvent(event: ConnectionEvent): void {
    if (event === ConnectionEvent.Connected) return;
    if (this.context.created) {
      const peer = event === ConnectionEvent.RemoteClose ? PeerType.Remote : PeerType.Local;
      this.vm.call(this.context, "proxy_on_downstream_connection_close", this.context.id, peer);
      this.downstreamClosed = true;
      this.closeTcp();
    }
    this.vm.releaseContext(this.context);
  }

  private onUpstreamConnectionClose(): void {
    this.vm.call(this.context, "proxy_on_upstream_connection_close", this.context.id, PeerType.Unknown);
    if (this.downstreamClosed) this.closeTcp();
  }

  private closeTcp(): void {
    if (this.tcpClosed) return;
    this.tcpClosed = true;
    for (const callback of ["proxy_on_done", "proxy_on_log", "proxy_on_delete"]) {
      this.vm.call(this.context, callback, this.context.id);
    }
  }

  /** A filter callback's answer: the module's (0 Continue, else StopIteration), or the failed-VM answer. */
  private callWithStatus(callback: string, ...args: number[]): FilterStatus {
    if (this.vm.failed) return this.failStream();
    const result = this.vm.call(this.context, callback, ...args);
    if (this.vm.failed) return this.failStream();
    return result === undefined || result === 0 ? FilterStatus.Continue : FilterStatus.StopIteration;
  }

  private failStream(): FilterStatus {
    if (this.failOpen) return FilterStatus.Continue;
    if (!this.streamFailed) {
      this.streamFailed = true;
      this.connection.callbacks.close(CloseType.FlushWrite);
    }
    return FilterStatus.StopIteration;
  }
}

/** What stands for no filter at all: Envoy installs none when the VM failed under FAIL_OPEN, or never started. */
export class PassThroughFilter implements NetworkFilter {
  initializeReadFilterCallbacks(): void {}

  onNewConnection(): FilterStatus {
    return FilterStatus.Continue;
  }

  onData(): FilterStatus {
    return FilterStatus.Continue;
  }

  onWrite(): FilterStatus {
    return FilterStatus.Continue;
  }

  onEvent(): void {}
}

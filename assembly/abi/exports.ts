// The entry points Envoy calls (proxy-wasm ABI 0.2.1), dispatching to the plugins (root contexts) and to one
// TcpConnection per downstream connection. A protocol module re-exports this file and registers its protocol.
//
// Envoy runs every plugin whose VM key (vm_id, VM configuration, code) matches in ONE VM per worker: the maps below
// hold every plugin's contexts by id, and nothing about a plugin lives anywhere but in its Plugin.
import { FILTERS } from "../chain/filters";
import { AsyncAnswer } from "../core/async_answer";
import { Direction } from "../core/codec";
import { configurePlugin } from "../core/configure";
import { applyVmSettings } from "../core/vm_settings";
import { HostServices } from "../core/host_services";
import { LogLevel } from "../core/log";
import { Plugin } from "../core/plugin";
import { TcpConnection } from "../core/tcp_connection";
import { readBuffer, readBufferSize, releaseBuffer } from "./buffers";
import { connectionClosed, connectionOpened, enterCallback, leaveCallback } from "./collector";
import { HostGrpcClient } from "./grpc_client";
import { HostLogger } from "./logging";
import { HostMetricSink } from "./metrics";
import { connectionId } from "./properties";
import { registeredProtocol } from "./protocol";
import { HostSharedStore } from "./shared_data";
import { closeDownstream, nowNanoseconds, setEffectiveContext, setTickPeriodMs } from "./stream";
import { PartialFrameHolders } from "./partial_frame_holders";
import { TcpConnectionContext } from "./tcp_connection_context";
import { ConnectionContext } from "./connection_context";
import { BridgeConnectionContext } from "./bridge_connection_context";
import { BridgeSide } from "../core/bridge/bridge_settings";
import { BridgeConnection } from "../core/bridge/bridge_connection";
import { BridgeClientSide } from "../core/bridge/client_side";
import { BridgeServerSide } from "../core/bridge/server_side";
import { Action, BufferType, PeerType } from "./types";

export { malloc } from "@solo-io/proxy-runtime/assembly/malloc";
// The module's abort handler (asconfig.json "use").
import "./abort";

const plugins = new Map<u32, Plugin>();
const connections = new Map<u32, ConnectionContext>();
const logger = new HostLogger();
const grpc = new HostGrpcClient();
const host = new HostServices(new HostMetricSink(), logger, new HostSharedStore(), grpc);
/** What a gRPC callback hands the connection it resumes. */
const answer = new AsyncAnswer();
const holders = new PartialFrameHolders();

export function proxy_abi_version_0_2_1(): void {}

function onContextCreate(contextId: u32, rootContextId: u32): void {
  if (rootContextId == 0 || !plugins.has(rootContextId)) return;
  connections.set(contextId, newConnection(contextId, plugins.get(rootContextId)));
  connectionOpened();
}

function newConnection(contextId: u32, plugin: Plugin): ConnectionContext {
  const bridge = plugin.bridge;
  if (bridge === null) return new TcpConnectionContext(contextId, new TcpConnection(connectionId(), plugin));
  const id = connectionId();
  const side = bridge.side == BridgeSide.Client ? <BridgeConnection>new BridgeClientSide(id, plugin, bridge.names) : new BridgeServerSide(id, plugin, bridge.names);
  return new BridgeConnectionContext(contextId, side);
}

function onVmStart(rootContextId: u32, vmConfigurationSize: u32): u32 {
  logger.refreshLevel();
  const problem = applyVmSettings(readWhole(BufferType.VmConfiguration, vmConfigurationSize), host.heldBytes);
  if (problem.length == 0) return 1;
  logger.log(LogLevel.Critical, "invalid VM configuration: " + problem);
  return 0;
}

function onConfigure(rootContextId: u32, configurationSize: u32): u32 {
  logger.refreshLevel();
  const protocol = registeredProtocol();
  if (protocol === null) {
    logger.log(LogLevel.Critical, "module has no protocol registered");
    return 0;
  }
  const configured = configurePlugin(readWhole(BufferType.PluginConfiguration, configurationSize), protocol, FILTERS, host);
  const plugin = configured.plugin;
  if (plugin === null) {
    logger.log(LogLevel.Critical, protocol.name() + ": invalid plugin configuration: " + configured.error);
    return 0;
  }
  plugins.set(rootContextId, plugin);
  const frameTimeoutNs = plugin.settings.frameTimeoutNs;
  if (frameTimeoutNs > 0) setTickPeriodMs(<u32>min<u64>(1000, max<u64>(50, frameTimeoutNs / 4_000_000)));
  return 1;
}

/** Closes the connections whose partial frame waited longer than their plugin's frame_timeout. */
function onTick(rootContextId: u32): void {
  if (!plugins.has(rootContextId)) return;
  const plugin = plugins.get(rootContextId);
  const now = nowNanoseconds();
  // Closing a connection here does not change the list: it leaves at its close event.
  for (let i = 0; i < holders.size; i++) {
    const context = holders.at(i);
    const connection = context.connection;
    if (connection.plugin === plugin && connection.frameTimedOut(now, plugin.settings.frameTimeoutNs)) {
      setEffectiveContext(context.contextId);
      closeDownstream();
    }
  }
  plugin.stats.flush();
}

function onNewConnection(contextId: u32): u32 {
  logger.refreshLevel();
  return connections.has(contextId) ? connections.get(contextId).onNewConnection() : Action.Continue;
}

function onDownstreamData(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!connections.has(contextId)) return Action.Continue;
  const context = connections.get(contextId);
  grpc.caller = context;
  const status = context.onData(Direction.Request, BufferType.NetworkDownstreamData, dataSize, endOfStream != 0);
  grpc.caller = null;
  afterData(context);
  return status;
}

function onUpstreamData(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!connections.has(contextId)) return Action.Continue;
  const context = connections.get(contextId);
  const status = context.onData(Direction.Response, BufferType.NetworkUpstreamData, dataSize, endOfStream != 0);
  afterData(context);
  return status;
}

/** Keeps the list of connections holding partial frames, and the VM's partial frames within their budget. */
function afterData(context: ConnectionContext): void {
  holders.update(context);
  if (host.heldBytes.overBudget) enforcePartialFrameBudget(context.contextId);
}

/**
 * Closes the connections holding the most in partial frames until the VM's partial frames fit their budget again
 * (each closed connection's bytes are given back at once). `current` is the connection whose callback runs.
 */
function enforcePartialFrameBudget(current: u32): void {
  const heldBytes = host.heldBytes;
  while (heldBytes.overBudget) {
    let largest: ConnectionContext | null = null;
    for (let i = 0; i < holders.size; i++) {
      const candidate = holders.at(i);
      if (largest === null || candidate.connection.heldCapacity > largest.connection.heldCapacity) largest = candidate;
    }
    if (largest === null || largest.connection.heldCapacity == 0) return;
    largest.connection.closeOverBudget();
    largest.connection.plugin.stats.flush();
    setEffectiveContext(largest.contextId);
    closeDownstream();
  }
  setEffectiveContext(current);
}

function onDownstreamConnectionClose(contextId: u32, peerType: u32): void {
  if (!connections.has(contextId)) return;
  const context = connections.get(contextId);
  grpc.cancel(context);
  const connection = context.connection;
  connection.onClose(peerType == PeerType.Local);
  connection.plugin.stats.flush();
}

// Envoy has no upstream-close callback for network filters (the reference lists only end_of_stream data); the
// export is here so that a host that does call it finds it.
export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {}

// Answers to gRPC calls come to the root context; each resumes the connection whose request made the call.
function onGrpcReceive(rootContextId: u32, token: u32, responseSize: u32): void {
  const context = grpc.take(token);
  if (context === null) return;
  const response = responseSize > 0 ? readBuffer(BufferType.GrpcReceiveBuffer, <i32>responseSize) : 0;
  resumeConnection(context, answer.set(true, 0, response, response != 0 ? readBufferSize() : 0));
  releaseBuffer(response);
}

function onGrpcClose(rootContextId: u32, token: u32, statusCode: u32): void {
  const context = grpc.take(token);
  if (context !== null) resumeConnection(context, answer.set(false, statusCode, 0, 0));
}

function resumeConnection(context: ConnectionContext, answer: AsyncAnswer): void {
  grpc.caller = context;
  context.resume(answer);
  grpc.caller = null;
}

export function proxy_on_done(contextId: u32): u32 {
  return 1;
}

export function proxy_on_log(contextId: u32): void {}

function onDelete(contextId: u32): void {
  if (connections.has(contextId)) {
    const context = connections.get(contextId);
    holders.remove(context);
    context.connection.dispose();
    connections.delete(contextId);
    connectionClosed();
  }
  plugins.delete(contextId);
}

/** A configuration buffer as text. */
function readWhole(type: BufferType, size: u32): string {
  if (size == 0) return "";
  const ptr = readBuffer(type, <i32>size);
  if (ptr == 0) return "";
  const text = String.UTF8.decodeUnsafe(ptr, <usize>readBufferSize());
  releaseBuffer(ptr);
  return text;
}

// The entry points that may allocate, each bracketed for the collector (collector.ts): it collects garbage only when
// the outermost one returns.

export function proxy_on_context_create(contextId: u32, rootContextId: u32): void {
  enterCallback();
  onContextCreate(contextId, rootContextId);
  leaveCallback();
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 {
  enterCallback();
  const result = onVmStart(rootContextId, vmConfigurationSize);
  leaveCallback();
  return result;
}

export function proxy_on_configure(rootContextId: u32, configurationSize: u32): u32 {
  enterCallback();
  const result = onConfigure(rootContextId, configurationSize);
  leaveCallback();
  return result;
}

export function proxy_on_tick(rootContextId: u32): void {
  enterCallback();
  onTick(rootContextId);
  leaveCallback();
}

export function proxy_on_new_connection(contextId: u32): u32 {
  enterCallback();
  const result = onNewConnection(contextId);
  leaveCallback();
  return result;
}

export function proxy_on_downstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  enterCallback();
  const result = onDownstreamData(contextId, dataSize, endOfStream);
  leaveCallback();
  return result;
}

export function proxy_on_upstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  enterCallback();
  const result = onUpstreamData(contextId, dataSize, endOfStream);
  leaveCallback();
  return result;
}

export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {
  enterCallback();
  onDownstreamConnectionClose(contextId, peerType);
  leaveCallback();
}

export function proxy_on_grpc_receive(rootContextId: u32, token: u32, responseSize: u32): void {
  enterCallback();
  onGrpcReceive(rootContextId, token, responseSize);
  leaveCallback();
}

export function proxy_on_grpc_close(rootContextId: u32, token: u32, statusCode: u32): void {
  enterCallback();
  onGrpcClose(rootContextId, token, statusCode);
  leaveCallback();
}

export function proxy_on_delete(contextId: u32): void {
  enterCallback();
  onDelete(contextId);
  leaveCallback();
}

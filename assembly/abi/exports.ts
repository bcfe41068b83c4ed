// The entry points Envoy calls (proxy-wasm ABI 0.2.1), dispatching to the plugin (root context) and to one
// Connection per downstream connection. A protocol module re-exports this file and registers its codec.
import { buildFilterChain } from "../chain/filters";
import { Direction } from "../core/codec";
import { parsePluginConfig } from "../core/plugin_config";
import { Connection } from "../core/tcp_connection";
import { LogLevel } from "../core/log";
import { Plugin } from "../core/plugin";
import { decodeRateLimitResponse, RateLimitAnswer } from "../chain/global_rate_limit/rls";
import { Stats } from "../core/stats/stats";
import { readBuffer, readBufferSize, releaseBuffer } from "./buffers";
import { connectionClosed, connectionOpened, enterCallback, leaveCallback } from "./collector";
import { ConnectionContext } from "./tcp_connection_context";
import { HostLogger } from "./logging";
import { registeredCodecFactory } from "./protocol";
import { HostMetricSink } from "./metrics";
import { connectionId } from "./properties";
import { HostRateLimitService } from "./grpc_client";
import { HostSharedStore } from "./shared_data";
import { closeDownstream, nowNanoseconds, setEffectiveContext, setTickPeriodMs } from "./stream";
import { BufferType, FilterStatus, PeerType } from "./types";

export { malloc } from "@solo-io/proxy-runtime/assembly/malloc";
// The module's abort handler (asconfig.json "use").
import "./abort";

const plugins = new Map<u32, Plugin>();
const connections = new Map<u32, ConnectionContext>();
const logger = new HostLogger();
const rateLimitService = new HostRateLimitService();
/** Connections that hold a partial frame, for the frame_timeout check (swept, and pruned, on each tick). */
const waitingForFrames: Array<ConnectionContext> = [];

export function proxy_abi_version_0_2_1(): void {}

function onContextCreate(contextId: u32, rootContextId: u32): void {
  if (rootContextId == 0 || !plugins.has(rootContextId)) return;
  connections.set(contextId, new ConnectionContext(contextId, new Connection(connectionId(), plugins.get(rootContextId))));
  connectionOpened();
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 {
  return 1;
}

function onConfigure(rootContextId: u32, configurationSize: u32): u32 {
  logger.refreshLevel();
  const createCodec = registeredCodecFactory();
  if (createCodec === null) {
    logger.log(LogLevel.Critical, "module has no codec registered");
    return 0;
  }
  const protocolCodec = createCodec();
  const protocol = protocolCodec.protocol();
  const result = parsePluginConfig(readConfiguration(configurationSize), protocol);
  const config = result.config;
  if (config === null) {
    logger.log(LogLevel.Critical, protocol + ": invalid plugin configuration: " + result.error);
    return 0;
  }
  const codecError = protocolCodec.configure(config.codecOptions);
  if (codecError.length > 0) {
    logger.log(LogLevel.Critical, protocol + ": invalid plugin configuration: field 'codec': " + codecError);
    return 0;
  }
  const prefix = "meta_protocol." + protocol + "." + config.statPrefix + ".";
  const stats = new Stats(new HostMetricSink(), prefix, protocolCodec.serviceKey(), protocolCodec.methodKey());
  const plugin = new Plugin(protocolCodec, createCodec, config, stats, logger, new HostSharedStore(), rateLimitService);
  buildFilterChain(plugin);
  plugins.set(rootContextId, plugin);
  if (config.frameTimeoutNs > 0) setTickPeriodMs(<u32>min<u64>(1000, max<u64>(50, config.frameTimeoutNs / 4_000_000)));
  return 1;
}

/** Closes the connections whose partial frame waited longer than their plugin's frame_timeout. */
function onTick(rootContextId: u32): void {
  if (!plugins.has(rootContextId)) return;
  const plugin = plugins.get(rootContextId);
  const now = nowNanoseconds();
  for (let i = 0; i < waitingForFrames.length; ) {
    const context = waitingForFrames[i];
    const connection = context.connection;
    if (context.deleted || connection.oldestPartialSinceNs == 0) {
      context.waitingForFrame = false;
      waitingForFrames[i] = waitingForFrames[waitingForFrames.length - 1];
      waitingForFrames.pop();
      continue;
    }
    if (connection.plugin === plugin && connection.frameTimedOut(now, plugin.config.frameTimeoutNs)) {
      setEffectiveContext(context.contextId);
      closeDownstream();
    }
    i++;
  }
  plugin.stats.flush();
}

function onNewConnection(contextId: u32): u32 {
  logger.refreshLevel();
  return connections.has(contextId) ? connections.get(contextId).onNewConnection() : FilterStatus.Continue;
}

function onDownstreamData(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!connections.has(contextId)) return FilterStatus.Continue;
  const context = connections.get(contextId);
  rateLimitService.caller = context;
  const status = context.onData(Direction.Request, BufferType.NetworkDownstreamData, dataSize, endOfStream != 0);
  rateLimitService.caller = null;
  listIfWaitingForFrame(context);
  return status;
}

function onUpstreamData(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!connections.has(contextId)) return FilterStatus.Continue;
  const context = connections.get(contextId);
  const status = context.onData(Direction.Response, BufferType.NetworkUpstreamData, dataSize, endOfStream != 0);
  listIfWaitingForFrame(context);
  return status;
}

function listIfWaitingForFrame(context: ConnectionContext): void {
  if (context.waitingForFrame || context.connection.oldestPartialSinceNs == 0) return;
  if (context.connection.plugin.config.frameTimeoutNs == 0) return;
  context.waitingForFrame = true;
  waitingForFrames.push(context);
}

function onDownstreamConnectionClose(contextId: u32, peerType: u32): void {
  if (!connections.has(contextId)) return;
  const context = connections.get(contextId);
  rateLimitService.cancel(context);
  const connection = context.connection;
  connection.onClose(peerType == PeerType.Local);
  connection.plugin.stats.flush();
}

// Envoy has no upstream-close callback for network filters (the reference lists only end_of_stream data); the
// export is here so that a host that does call it finds it.
export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {}

// Answers to the rate limit service calls come to the root context; each resumes the connection that asked.
function onGrpcReceive(rootContextId: u32, token: u32, responseSize: u32): void {
  const context = rateLimitService.take(token);
  if (context === null) return;
  const response = responseSize > 0 ? readBuffer(BufferType.GrpcReceiveBuffer, <i32>responseSize) : 0;
  const answer = decodeRateLimitResponse(response, response != 0 ? readBufferSize() : 0);
  releaseBuffer(response);
  resumeConnection(context, answer);
}

function onGrpcClose(rootContextId: u32, token: u32, statusCode: u32): void {
  const context = rateLimitService.take(token);
  if (context !== null) resumeConnection(context, RateLimitAnswer.Error);
}

function resumeConnection(context: ConnectionContext, answer: RateLimitAnswer): void {
  rateLimitService.caller = context;
  context.resume(answer);
  rateLimitService.caller = null;
}

export function proxy_on_done(contextId: u32): u32 {
  return 1;
}

export function proxy_on_log(contextId: u32): void {}

function onDelete(contextId: u32): void {
  if (connections.has(contextId)) {
    connections.get(contextId).deleted = true;
    connections.delete(contextId);
    connectionClosed();
  }
  plugins.delete(contextId);
}

function readConfiguration(size: u32): string {
  if (size == 0) return "";
  const ptr = readBuffer(BufferType.PluginConfiguration, <i32>size);
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

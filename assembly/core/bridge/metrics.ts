// Bridge mode's metrics (see ../stats/metric.ts for the form of each line); the core's request and response metrics
// count bridged calls too.
import { counter, Scope } from "../stats/metric";

export const BRIDGE_HEADER_SKIPPED = counter("bridge_header_skipped", Scope.Plugin); // Key/values left out of a call's HTTP/2 request: a name that is not a token or that HTTP/2 reserves, or a value with a control character
export const BRIDGE_LOCAL_REPLY = counter("bridge_local_reply", Scope.PluginAndMethod); // Calls Envoy answered itself (no route, rate limited, timeout, no healthy upstream, denied), turned into the protocol's error reply
export const BRIDGE_STREAM_RESET = counter("bridge_stream_reset", Scope.Plugin); // Calls whose HTTP/2 stream ended before their response: an error reply on the client side, the server's late answer dropped on the server side
export const BRIDGE_LATE_RESPONSE = counter("bridge_late_response", Scope.Plugin); // Server answers dropped on the server side because Envoy had ended their stream (timeout, cancelled retry)
export const BRIDGE_HEARTBEAT = counter("bridge_heartbeat", Scope.Plugin); // Heartbeats carried as HTTP/2 PINGs (from the client on the client side, from the server on the server side)
export const BRIDGE_CARRIER = counter("bridge_carrier", Scope.Plugin); // Carriers the server side sent the server so that HTTP/2 frames owed to Envoy (settings, acknowledgements, one-way answers) could go while the server is silent
export const CX_BRIDGE_HTTP2_ERROR = counter("cx_bridge_http2_error", Scope.Plugin); // Connections closed for an HTTP/2 connection error of Envoy's side (the log line says which)

// The core's metrics (see stats/metric.ts for the form of each line). Names follow MetaProtocol's (stats.h).
import { counter, gauge, histogram, Scope } from "./stats/metric";

export const REQUEST = counter("request", Scope.PluginAndMethod); // Requests decoded, heartbeats included
export const REQUEST_ONEWAY = counter("request_oneway", Scope.Plugin); // One-way requests (no response expected)
export const REQUEST_TWOWAY = counter("request_twoway", Scope.Plugin); // Requests that expect a response
export const REQUEST_EVENT = counter("request_event", Scope.Plugin); // Heartbeats from the client
export const REQUEST_DECODING_ERROR = counter("request_decoding_error", Scope.Plugin); // Connections closed for a request that is not the protocol (malformed, or larger than max_frame_size)
export const REQUEST_ACTIVE = gauge("request_active", Scope.PluginAndMethod); // Requests awaiting their response
export const REQUEST_UNTRACKED = counter("request_untracked", Scope.Plugin); // Requests forwarded without being tracked (over max_pending_requests, or a request id already in flight)
export const REQUEST_BODY_NOT_DECODED = counter("request_body_not_decoded", Scope.Plugin); // Requests the codec read only the header of (for example another Dubbo serialization)
export const RESPONSE = counter("response", Scope.Plugin); // Responses to requests in flight (heartbeats and unmatched responses not included)
export const RESPONSE_SUCCESS = counter("response_success", Scope.PluginAndMethod); // Responses with an OK status
export const RESPONSE_ERROR = counter("response_error", Scope.PluginAndMethod); // Responses with an error status or an exception, the filter's own error replies included
export const RESPONSE_DECODING_ERROR = counter("response_decoding_error", Scope.Plugin); // Connections closed for a response that is not the protocol
export const RESPONSE_UNMATCHED = counter("response_unmatched", Scope.Plugin); // Responses whose request id matches no request in flight
export const LOCAL_RESPONSE_ERROR = counter("local_response_error", Scope.PluginAndMethod); // Requests the filter answered itself with an error reply (or dropped, if one-way)
export const RATE_LIMITED = counter("rate_limited", Scope.PluginAndMethod); // Requests answered with an over-limit error (local or global rate limit)
export const MUTATION_UNSUPPORTED = counter("mutation_unsupported", Scope.Plugin); // Frames that should have been mutated but whose protocol has no room for key/values (forwarded untouched)
export const CX_DESTROY_LOCAL_WITH_ACTIVE_RQ = counter("cx_destroy_local_with_active_rq", Scope.Plugin); // Connections Envoy closed with requests awaiting responses
export const CX_DESTROY_REMOTE_WITH_ACTIVE_RQ = counter("cx_destroy_remote_with_active_rq", Scope.Plugin); // Connections the client closed with requests awaiting responses
export const CX_INCOMPLETE_FRAME_AT_CLOSE = counter("cx_incomplete_frame_at_close", Scope.Plugin); // Connections that ended in the middle of a frame
export const CX_PARTIAL_FRAME_BUDGET = counter("cx_partial_frame_budget", Scope.Plugin); // Connections closed because the VM's partial frames were over partial_frame_budget and theirs held the most
export const CX_FRAME_TIMEOUT = counter("cx_frame_timeout", Scope.Plugin); // Connections closed because a frame waited longer than frame_timeout for its rest
export const REQUEST_TIME_MS = histogram("request_time_ms", Scope.PluginAndMethod); // Time from a request to its response, in milliseconds
export const METHOD_METRICS_OVERFLOW = counter("method_metrics_overflow", Scope.Plugin); // Requests of methods beyond the bound of distinct methods with their own metrics
export const CX_CLUSTER_CHOSEN = counter("cx_cluster_chosen", Scope.Plugin); // Connections whose upstream cluster a filter chose from their first request
export const CX_CLUSTER_TCP_PROXY = counter("cx_cluster_tcp_proxy", Scope.Plugin); // Connections left to tcp_proxy's own cluster (no routing by connection, or their first request rejected)
export const CX_TOTAL = counter("cx_total", Scope.Cluster); // Connections that went to the cluster, once its name is known (chosen, or read from Envoy at the first response)
export const CLUSTER_METRICS_OVERFLOW = counter("cluster_metrics_overflow", Scope.Plugin); // Connections to clusters beyond the bound of distinct clusters with their own metrics

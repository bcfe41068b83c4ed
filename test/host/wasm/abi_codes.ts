// The numbers of the proxy-wasm ABI 0.2.x, as Envoy uses them.
// Read: proxy-wasm-cpp-host include/proxy-wasm/proxy_wasm_enums.h and context.h (WasmResult, WasmBufferType,
// WasmHeaderMapType, WasmStreamType, MetricType, CloseType).

export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  NetworkDownstreamData = 2,
  NetworkUpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}
export const MAX_BUFFER_TYPE = BufferType.CallData;

export enum HeaderMapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}
export const MAX_HEADER_MAP_TYPE = HeaderMapType.HttpCallResponseTrailers;

export enum StreamType {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
}
export const MAX_STREAM_TYPE = StreamType.Upstream;

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** The peer type of proxy_on_downstream_connection_close / proxy_on_upstream_connection_close. */
export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** gRPC status codes the host itself produces (the server's own codes are passed through). */
export enum GrpcStatus {
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  Internal = 13,
  Unavailable = 14,
}

// Numbers the proxy-wasm ABI uses on the wire.

export enum BufferType {
  NetworkDownstreamData = 2,
  NetworkUpstreamData = 3,
  GrpcReceiveBuffer = 5,
  PluginConfiguration = 7,
}

export enum StreamType {
  Downstream = 2,
}

export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

export const WASM_RESULT_OK: u32 = 0;

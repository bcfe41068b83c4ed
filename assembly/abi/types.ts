// Numbers the proxy-wasm ABI uses on the wire.

export enum BufferType {
  NetworkDownstreamData = 2,
  NetworkUpstreamData = 3,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
}

export enum StreamType {
  Downstream = 2,
}

/** What a network filter callback answers Envoy (Network::FilterStatus). */
export enum Action {
  Continue = 0,
  /** StopIteration: the filters after this one do not see the data (yet). */
  Pause = 1,
}

export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

export const WASM_RESULT_OK: u32 = 0;

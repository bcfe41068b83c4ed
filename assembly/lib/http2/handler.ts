// What an HTTP/2 connection tells its owner. Every method has a default that does nothing: a handler overrides
// what it needs. Views (header lists, data pointers) are valid during the call only. A handler may call the
// connection's submit methods from inside these calls.
import { HeaderList } from "../hpack/header_list";

export abstract class Http2Handler {
  /**
   * A message's headers: a request opening a stream (server), or a response (client), 1xx informational responses
   * included (`endStream` false, the final response follows).
   */
  onHeaders(streamId: u32, headers: HeaderList, endStream: bool): void {}

  /** Body bytes, in order; `endStream` on the last (which may be empty). */
  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void {}

  /** Trailers: the message ends with them. */
  onTrailers(streamId: u32, trailers: HeaderList): void {}

  /**
   * The stream ended abnormally: the peer sent RST_STREAM or a GOAWAY that does not cover it (`byPeer`), or this
   * side found a stream error and sent RST_STREAM with `errorCode`. No further event concerns the stream.
   */
  onReset(streamId: u32, errorCode: u32, byPeer: bool): void {}

  /** The peer sent GOAWAY: streams above `lastStreamId` were not processed (each also gets onReset). */
  onGoAway(lastStreamId: u32, errorCode: u32, debugPtr: usize, debugLength: i32): void {}

  /** A PING from the peer (already acknowledged in the pending output), or the acknowledgement of ours. */
  onPing(opaque: u64, ack: bool): void {}

  /** The peer's SETTINGS arrived and were applied (`ack` false; the connection's `peerSettings`), or it acknowledged ours. */
  onSettings(ack: bool): void {}

  /** The connection failed: this side wrote GOAWAY with `errorCode` into the pending output. Nothing follows. */
  onConnectionError(errorCode: u32, reason: string): void {}
}

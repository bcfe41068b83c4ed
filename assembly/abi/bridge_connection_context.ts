// A bridge connection as Envoy drives it: after each data event, Envoy's buffer is replaced whole by what the
// connection made of it (HTTP/2 towards Envoy's face, protocol frames towards the other), and the filter chain goes
// on. It must go on: on the write path in front of the HTTP connection manager, bytes a filter stops are lost
// (docs/envoy/bridge.md).
import { Direction } from "../core/codec";
import { BridgeConnection } from "../core/bridge/bridge_connection";
import { readBuffer, readBufferSize, releaseBuffer, replaceBuffer } from "./buffers";
import { ConnectionContext } from "./connection_context";
import { closeDownstream, nowNanoseconds } from "./stream";
import { Action, BufferType } from "./types";

@final
export class BridgeConnectionContext extends ConnectionContext {
  constructor(contextId: u32, private readonly bridge: BridgeConnection) {
    super(contextId, bridge);
  }

  onNewConnection(): u32 {
    return Action.Continue;
  }

  onData(direction: Direction, type: BufferType, dataSize: u32, endOfStream: bool): u32 {
    const bridge = this.bridge;
    if (dataSize == 0) return Action.Continue;
    const data = readBuffer(type, <i32>dataSize);
    const size = data != 0 ? readBufferSize() : 0;
    const output = bridge.onData(direction, data, size, endOfStream, nowNanoseconds());
    if (output === null) {
      releaseBuffer(data);
      closeDownstream();
      bridge.plugin.stats.flush();
      return Action.Pause;
    }
    replaceBuffer(type, size, output.ptr, output.length);
    releaseBuffer(data);
    bridge.settle();
    bridge.plugin.stats.flush();
    return Action.Continue;
  }
}

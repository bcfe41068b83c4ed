// A downstream connection as the entry points see it, whatever its mode: Envoy's context id, the connection, and
// what Envoy's callbacks ask of it.
import { AsyncAnswer } from "../core/async_answer";
import { Direction } from "../core/codec";
import { NetworkConnection } from "../core/network_connection";
import { BufferType } from "./types";

export abstract class ConnectionContext {
  /** The token of this connection's gRPC call in flight, or 0. */
  pendingCall: u32 = 0;
  /** Its place among the VM's connections holding a partial frame (partial_frame_holders.ts), or -1. */
  holderIndex: i32 = -1;

  constructor(public readonly contextId: u32, public readonly connection: NetworkConnection) {}

  /** proxy_on_new_connection's answer. */
  abstract onNewConnection(): u32;

  /** A data callback's answer, after the connection's verdict is put on Envoy's buffer of `type`. */
  abstract onData(direction: Direction, type: BufferType, dataSize: u32, endOfStream: bool): u32;

  /** The answer to a call the connection made (outside any data callback of it). */
  resume(answer: AsyncAnswer): void {}
}

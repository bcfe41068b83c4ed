// What every mode's downstream connection gives the glue that drives it: its plugin, the memory its partial frames
// hold (for the VM's budget and frame_timeout), and its end.
import { Bytes } from "../lib/bytes";
import { Codec, Direction } from "./codec";
import { FrameHandler } from "./frame_stream";
import { LogLevel } from "./log";
import { CX_FRAME_TIMEOUT, CX_PARTIAL_FRAME_BUDGET } from "./metrics";
import { Metadata } from "./metadata";
import { Plugin } from "./plugin";

export abstract class NetworkConnection extends FrameHandler {
  /** Set once the connection is done for: what comes after is not processed. */
  protected closed: bool = false;
  /** Made on the first bytes: an idle connection holds none. */
  protected codec: Codec | null = null;

  constructor(public readonly plugin: Plugin) {
    super();
  }

  /**
   * Envoy's connection id. Each class keeps its own `id` field: AssemblyScript finds an interface's field
   * (ConnectionInfo.id) only on the class that declares it.
   */
  abstract get connectionId(): u64;

  /** When the oldest partial frame began to wait (0: none waits). */
  abstract get oldestPartialSinceNs(): u64;

  /** Memory the connection holds for partial frames. */
  abstract get heldCapacity(): i32;

  /** Reads one whole frame into `md`; false (and `closeReason`) when it is not the protocol. */
  protected decode(frame: Bytes, direction: Direction, md: Metadata): bool {
    md.frameSize = frame.length;
    const malformed = this.codec!.decode(frame, direction, md);
    if (malformed === null) return true;
    this.closeReason = "malformed " + (direction == Direction.Request ? "request: " : "response: ") + malformed;
    return false;
  }

  /**
   * Whether a partial frame has waited longer than `timeoutNs` for its rest; if so the connection is done for
   * (counted as cx_frame_timeout: the glue closes it).
   */
  frameTimedOut(nowNs: u64, timeoutNs: u64): bool {
    const since = this.oldestPartialSinceNs;
    if (this.closed || since == 0 || nowNs <= since || nowNs - since < timeoutNs) return false;
    this.closed = true;
    this.plugin.stats.inc(CX_FRAME_TIMEOUT);
    this.plugin.logger.log(LogLevel.Warn, "connection " + this.connectionId.toString() + " closed: a frame waited more than frame_timeout for its rest");
    return true;
  }

  /**
   * The VM's partial frames are over their budget and this connection holds the most: it is done for (counted as
   * cx_partial_frame_budget: the glue closes it), and what it held is given back at once.
   */
  closeOverBudget(): void {
    this.closed = true;
    this.plugin.stats.inc(CX_PARTIAL_FRAME_BUDGET);
    this.plugin.logger.log(LogLevel.Warn, "connection " + this.connectionId.toString() + " closed: its partial frames held the most of the VM's partial_frame_budget (" + this.heldCapacity.toString() + " bytes)");
    this.dispose();
  }

  /** The output of the last data event was handed to the host: memory it pointed into may go. */
  abstract settle(): void;

  /** The downstream connection closed (`local`: Envoy closed it). */
  abstract onClose(local: bool): void;

  /** Gives back the memory the connection holds (it is gone, or going). */
  abstract dispose(): void;
}

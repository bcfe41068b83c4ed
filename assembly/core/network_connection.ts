// What every mode's downstream connection gives the glue that drives it: its plugin, the memory its partial frames
// hold (for the VM's budget and frame_timeout), and its end.
import { FrameHandler } from "./frame_stream";
import { Plugin } from "./plugin";

export abstract class NetworkConnection extends FrameHandler {
  // Not `id` here: AssemblyScript finds an interface's field (ConnectionInfo.id) only on the class that declares it.
  constructor(public readonly plugin: Plugin) {
    super();
  }

  /** When the oldest partial frame began to wait (0: none waits). */
  abstract get oldestPartialSinceNs(): u64;

  /** Memory the connection holds for partial frames. */
  abstract get heldCapacity(): i32;

  /** Whether a partial frame waited longer than `timeoutNs`; if so the connection is done for (the glue closes it). */
  abstract frameTimedOut(nowNs: u64, timeoutNs: u64): bool;

  /** The VM's partial frames are over their budget and this connection holds the most: it is done for. */
  abstract closeOverBudget(): void;

  /** The output of the last data event was handed to the host: memory it pointed into may go. */
  abstract settle(): void;

  /** The downstream connection closed (`local`: Envoy closed it). */
  abstract onClose(local: bool): void;

  /** Gives back the memory the connection holds (it is gone, or going). */
  abstract dispose(): void;
}

// The connections of the VM that hold a partial frame: swept by each plugin's frame_timeout tick, searched when the
// VM's partial frames are over their budget. A connection joins and leaves as its data events start and finish
// frames, and leaves when Envoy deletes it, so the list holds no connection that is gone.
import { ConnectionContext } from "./connection_context";

@final
export class PartialFrameHolders {
  private readonly list: Array<ConnectionContext> = [];

  get size(): i32 {
    return this.list.length;
  }

  at(index: i32): ConnectionContext {
    return this.list[index];
  }

  /** Lists or unlists `context` by whether it holds a partial frame now. */
  update(context: ConnectionContext): void {
    const holds = context.connection.oldestPartialSinceNs != 0;
    if (holds && context.holderIndex < 0) {
      context.holderIndex = this.list.length;
      this.list.push(context);
    } else if (!holds && context.holderIndex >= 0) {
      this.remove(context);
    }
  }

  remove(context: ConnectionContext): void {
    const at = context.holderIndex;
    if (at < 0) return;
    const last = this.list.pop();
    if (last !== context) {
      this.list[at] = last;
      last.holderIndex = at;
    }
    context.holderIndex = -1;
  }
}

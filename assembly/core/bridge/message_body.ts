// A message body as HTTP/2 DATA frames bring it: usually whole in one frame, then it is used where it lies; spread
// over several, it is collected in memory the allocator hands out directly (given back the moment the body is
// used) and counted in the VM's account of held bytes, like a partial frame.
import { OwnedBytes } from "../../lib/owned_bytes";
import { HeldBytes } from "../held_bytes";

@final
export class MessageBody {
  /** The whole body once `add` said so; valid until the next `add` or `clear`. */
  ptr: usize = 0;
  length: i32 = 0;
  /** The body would exceed its limit: nothing more is kept. */
  tooLarge: bool = false;
  private readonly collected: OwnedBytes = new OwnedBytes();

  /** Adds `length` bytes at `ptr`. True when `last` made the body whole (then `ptr`/`length` are set). */
  add(ptr: usize, length: i32, last: bool, limit: i32, account: HeldBytes): bool {
    const collected = this.collected;
    if (this.tooLarge) return false;
    if (collected.length == 0 && last) {
      this.ptr = ptr;
      this.length = length;
      return true;
    }
    if (collected.length + length > limit) {
      this.tooLarge = true;
      return false;
    }
    const before = collected.capacity;
    collected.append(ptr, length);
    account.add(collected.capacity - before);
    if (!last) return false;
    this.ptr = collected.ptr;
    this.length = collected.length;
    return true;
  }

  /** Memory held for a body spread over frames. */
  get heldCapacity(): i32 {
    return this.collected.capacity;
  }

  /** Gives back what was collected (the body was used, or its stream ended). */
  clear(account: HeldBytes): void {
    account.add(-this.collected.capacity);
    this.collected.free();
    this.ptr = 0;
    this.length = 0;
    this.tooLarge = false;
  }
}

// Frame assembly for one direction of a connection, over Envoy's buffer semantics: a filter may only replace,
// prepend or append to the data it is shown. So complete frames go on (untouched, or rewritten), and a partial
// tail is drained into wasm memory and joined with the next bytes. Bytes are never copied when a read carries only
// whole frames that pass untouched.
import { Bytes, ByteBuffer } from "../lib/bytes";
import { OwnedBytes } from "../lib/owned_bytes";
import { Codec, Direction, MALFORMED, NEED_MORE_DATA } from "./codec";
import { HeldBytes } from "./held_bytes";

export enum FrameAction {
  /** The frame goes on unchanged. */
  Forward = 0,
  /** The handler wrote what replaces the frame (possibly nothing) into `beginReplacement()`. */
  Replaced = 1,
  /** Close the connection: the handler set `closeReason`. */
  Close = 2,
  /** Stop before this frame: it and everything after it wait, unprocessed, for `resume`. */
  Pause = 3,
}

export enum StreamResult {
  /** Envoy's buffer already holds exactly what must go on. */
  PassThrough = 0,
  /** Envoy's buffer must be replaced by `outputPtr`/`outputLength`. */
  Replace = 1,
  /** Close the connection (`FrameStream.closeReason` says why). */
  Close = 2,
  /**
   * A frame paused the stream: `outputPtr`/`outputLength` is what Envoy's buffer must hold meanwhile (the frames
   * before it as they must go on, then the paused frame and every byte after it as they came), and the paused
   * frame starts at `pausedOffset` in it. Nothing is held in wasm memory.
   */
  Pause = 3,
}

export abstract class FrameHandler {
  closeReason: string = "";
  abstract onFrame(frame: Bytes, stream: FrameStream): FrameAction;
}

/** Held memory above this is given back once the frame it held has gone through. */
const RETAINED_BYTES: i32 = 16 * 1024;

// Scratch shared by every stream of the VM: a VM runs one callback at a time, and a stream's output is consumed
// before the next feed. Per-stream copies would cost every idle connection their memory.
const out = new ByteBuffer();
const window = new Bytes();
const frameView = new Bytes();

@final
export class FrameStream {
  outputPtr: usize = 0;
  outputLength: i32 = 0;
  /** With StreamResult.Pause: where the paused frame starts in the output. */
  pausedOffset: i32 = 0;
  /** Whole frames the last feed handed on. */
  completedFrames: i32 = 0;
  /** Since when a partial frame has waited for its rest (0: none waits), as of the last `noteWait`. */
  waitingSinceNs: u64 = 0;

  /** A partial frame waiting for the rest (its memory counted in the VM's account). */
  private readonly held: OwnedBytes = new OwnedBytes();
  /** Bytes at the front of `held` already forwarded; dropped lazily so the output stays valid until the next feed. */
  private heldConsumed: i32 = 0;
  private rewriting: bool = false;
  private work: usize = 0;
  private runStart: i32 = 0;
  private framePos: i32 = 0;

  constructor(public readonly direction: Direction, private readonly account: HeldBytes) {}

  /** Bytes of an incomplete frame waiting for more data. */
  get pendingBytes(): i32 {
    return this.held.length - this.heldConsumed;
  }

  /** Memory the stream holds for partial frames. */
  get heldCapacity(): i32 {
    return this.held.capacity;
  }

  /**
   * Updates `waitingSinceNs` after a feed: a partial frame's wait starts when it is first held, and again whenever
   * a frame completes (progress).
   */
  noteWait(nowNs: u64): void {
    const since = this.waitingSinceNs;
    this.waitingSinceNs = this.pendingBytes == 0 ? 0 : since == 0 || this.completedFrames > 0 ? nowNs : since;
  }

  /** Processes `size` new bytes at `data`. The output stays valid until the next call on any stream of the VM. */
  feed(data: usize, size: i32, codec: Codec, maxFrameSize: i32, handler: FrameHandler): StreamResult {
    let workLength: i32;
    const joined = this.pendingBytes > 0;
    const held = this.held;
    if (joined) {
      held.discardFront(this.heldConsumed);
      this.hold(data, size);
      this.work = held.ptr;
      workLength = held.length;
    } else {
      held.clear();
      this.work = data;
      workLength = size;
    }
    this.heldConsumed = 0;
    out.clear();
    out.release(RETAINED_BYTES);
    this.rewriting = false;
    this.runStart = 0;
    this.completedFrames = 0;

    let pos = 0;
    while (pos < workLength) {
      const available = workLength - pos;
      const frameSize = codec.frameSize(window.set(this.work + <usize>pos, available));
      if (frameSize == MALFORMED || frameSize < 0) {
        handler.closeReason = "malformed frame header";
        return StreamResult.Close;
      }
      if (frameSize > maxFrameSize || (frameSize == NEED_MORE_DATA && available > maxFrameSize)) {
        handler.closeReason = "frame larger than max_frame_size";
        return StreamResult.Close;
      }
      if (frameSize == NEED_MORE_DATA || frameSize > available) break;
      this.framePos = pos;
      const action = handler.onFrame(frameView.set(this.work + <usize>pos, frameSize), this);
      if (action == FrameAction.Close) return StreamResult.Close;
      if (action == FrameAction.Pause) return this.pause(data, size, joined, pos, workLength);
      pos += frameSize;
      this.completedFrames++;
      if (action == FrameAction.Replaced) this.runStart = pos;
    }

    if (this.rewriting) {
      this.flushRun(pos);
      this.outputPtr = out.ptr;
      this.outputLength = out.length;
    } else {
      this.outputPtr = this.work;
      this.outputLength = pos;
    }
    if (joined) {
      this.heldConsumed = pos;
    } else if (pos < workLength) {
      this.hold(data + <usize>pos, workLength - pos);
    }
    return !joined && !this.rewriting && pos == workLength ? StreamResult.PassThrough : StreamResult.Replace;
  }

  /**
   * For a handler that rewrites or drops the current frame: returns the buffer to append the replacement to
   * (after the untouched frames that came before it).
   */
  beginReplacement(): ByteBuffer {
    this.rewriting = true;
    this.flushRun(this.framePos);
    return out;
  }

  /** Output for a pause at `pos`: the processed frames, then the unprocessed rest as it came. */
  private pause(data: usize, size: i32, joined: bool, pos: i32, workLength: i32): StreamResult {
    if (this.rewriting || joined) {
      this.flushRun(pos);
      this.pausedOffset = out.length;
      out.append(this.work + <usize>pos, workLength - pos);
      this.outputPtr = out.ptr;
      this.outputLength = out.length;
    } else {
      this.pausedOffset = pos;
      this.outputPtr = data;
      this.outputLength = size;
    }
    this.discardPending();
    return StreamResult.Pause;
  }

  /**
   * Forgets a held partial frame (the connection is closing, or pausing with its bytes left in Envoy's buffer). Its
   * memory stays until `settle`: the output may still point into it.
   */
  discardPending(): void {
    this.held.clear();
    this.heldConsumed = 0;
  }

  /**
   * Gives back held memory the output no longer needs (call once the output was handed to the host): all of it when
   * no partial frame waits, unless it is small enough to keep for the next one.
   */
  settle(): void {
    const held = this.held;
    if (held.length > this.heldConsumed || held.capacity <= RETAINED_BYTES) return;
    this.dispose();
  }

  /** Gives back every byte held (the connection is gone, or `settle` found nothing left to keep). */
  dispose(): void {
    this.account.add(-this.held.capacity);
    this.held.free();
    this.heldConsumed = 0;
  }

  private hold(ptr: usize, length: i32): void {
    const held = this.held;
    const before = held.capacity;
    held.append(ptr, length);
    this.account.add(held.capacity - before);
  }

  private flushRun(end: i32): void {
    if (end > this.runStart) out.append(this.work + <usize>this.runStart, end - this.runStart);
    this.runStart = end;
  }
}

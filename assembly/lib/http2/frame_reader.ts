// Cuts the bytes a peer sends into HTTP/2 frames, however TCP fragmented them. Frames are handed over in place
// when they arrived whole; only a frame split across reads is copied (into one reused buffer, bounded by the
// frame size limit). DATA payloads and frames of unknown types are never held: their bytes are handed over piece by
// piece as they arrive.
import { ByteBuffer } from "../bytes";
import { CLIENT_PREFACE, CLIENT_PREFACE_LENGTH, FRAME_HEADER_SIZE, FrameType } from "./frame";

/** What the reader hands frames to. Each method returns false to stop reading (the connection failed). */
export abstract class FrameSink {
  /** A frame's header; its payload follows (as pieces for DATA and unknown types, else whole). */
  abstract onFrameHeader(type: u8, flags: u8, streamId: u32, length: i32): bool;
  /** Part of a DATA or unknown frame's payload; `last` on the final one (a frame without payload gets one empty piece). */
  abstract onPayloadPiece(ptr: usize, length: i32, last: bool): bool;
  /** The whole payload of any other frame, contiguous. */
  abstract onPayload(ptr: usize, length: i32): bool;
}

/** Buffered memory beyond which the reassembly buffer is dropped once a frame is done. */
const KEEP_BUFFER: i32 = 256;

enum State {
  Preface,
  Header,
  Pieces,
  Whole,
}

@final
export class FrameReader {
  private state: State;
  private prefaceRead: i32 = 0;
  private partial: ByteBuffer = new ByteBuffer();
  private length: i32 = 0;
  private left: i32 = 0;
  /** The bytes did not start with the client preface. */
  badPreface: bool = false;

  constructor(expectPreface: bool) {
    this.state = expectPreface ? State.Preface : State.Header;
  }

  /** Reads `length` bytes at `ptr` into `sink`; false once the sink stopped or the preface was wrong. */
  feed(sink: FrameSink, ptr: usize, length: i32): bool {
    let at = ptr;
    const end = ptr + <usize>max(length, 0);
    while (at < end) {
      const available = <i32>(end - at);
      switch (this.state) {
        case State.Preface: {
          const n = min(available, CLIENT_PREFACE_LENGTH - this.prefaceRead);
          if (memory.compare(at, CLIENT_PREFACE + <usize>this.prefaceRead, <usize>n) != 0) {
            this.badPreface = true;
            return false;
          }
          at += <usize>n;
          this.prefaceRead += n;
          if (this.prefaceRead == CLIENT_PREFACE_LENGTH) this.state = State.Header;
          break;
        }
        case State.Header: {
          let header = at;
          if (this.partial.length > 0 || available < FRAME_HEADER_SIZE) {
            const n = min(available, FRAME_HEADER_SIZE - this.partial.length);
            this.partial.append(at, n);
            at += <usize>n;
            if (this.partial.length < FRAME_HEADER_SIZE) return true;
            header = this.partial.ptr;
          } else {
            at += <usize>FRAME_HEADER_SIZE;
          }
          const frameLength = (<i32>load<u8>(header) << 16) | (<i32>load<u8>(header, 1) << 8) | <i32>load<u8>(header, 2);
          const type = load<u8>(header, 3);
          const flags = load<u8>(header, 4);
          const streamId = bswap<u32>(load<u32>(header, 5)) & 0x7fffffff;
          this.partial.clear();
          if (!sink.onFrameHeader(type, flags, streamId, frameLength)) return false;
          this.length = frameLength;
          this.left = frameLength;
          if (type == FrameType.DATA || <i32>type > FrameType.CONTINUATION) {
            this.state = State.Pieces;
            if (frameLength == 0) {
              this.state = State.Header;
              if (!sink.onPayloadPiece(at, 0, true)) return false;
            }
          } else {
            this.state = State.Whole;
            if (frameLength == 0) {
              this.state = State.Header;
              if (!sink.onPayload(at, 0)) return false;
            }
          }
          break;
        }
        case State.Pieces: {
          const n = min(available, this.left);
          this.left -= n;
          const last = this.left == 0;
          if (last) this.state = State.Header;
          const piece = at;
          at += <usize>n;
          if (!sink.onPayloadPiece(piece, n, last)) return false;
          break;
        }
        case State.Whole: {
          this.state = State.Header;
          if (this.partial.length == 0 && available >= this.length) {
            const payload = at;
            at += <usize>this.length;
            if (!sink.onPayload(payload, this.length)) return false;
            break;
          }
          const n = min(available, this.length - this.partial.length);
          this.partial.append(at, n);
          at += <usize>n;
          if (this.partial.length < this.length) {
            this.state = State.Whole;
            return true;
          }
          const ok = sink.onPayload(this.partial.ptr, this.length);
          this.partial.clear();
          this.partial.release(KEEP_BUFFER);
          if (!ok) return false;
          break;
        }
      }
    }
    return true;
  }
}

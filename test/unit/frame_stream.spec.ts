import { HeldBytes } from "../../assembly/core/held_bytes";
import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Direction } from "../../assembly/core/codec";
import { FrameAction, FrameHandler, FrameStream, StreamResult } from "../../assembly/core/frame_stream";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { awesomeFrame, concat, sameBytes, toArray } from "./support";

const codec = new AwesomeRpcCodec();
const MAX_FRAME: i32 = 1 << 20;

/** Records every whole frame it is shown; drops the frames whose request id is in `drop`, rewrites `rewrite`. */
class Recorder extends FrameHandler {
  seen: Array<u32> = [];
  sizes: Array<i32> = [];
  drop: Array<u32> = [];
  rewrite: Array<u32> = [];
  closeOn: u32 = 0;

  onFrame(frame: Bytes, stream: FrameStream): FrameAction {
    const id = frame.u32be(1);
    this.seen.push(id);
    this.sizes.push(frame.length);
    if (id == this.closeOn) {
      this.closeReason = "test close";
      return FrameAction.Close;
    }
    if (this.drop.includes(id)) {
      stream.beginReplacement();
      return FrameAction.Replaced;
    }
    if (this.rewrite.includes(id)) {
      const out = stream.beginReplacement();
      const replacement = awesomeFrame(id + 1000, 9, 0, 3);
      out.append(replacement.dataStart, replacement.length);
      return FrameAction.Replaced;
    }
    return FrameAction.Forward;
  }
}

/** Feeds `input` cut at `cuts` (sorted offsets) and returns what Envoy would forward, in order. */
function forwardInPieces(input: Uint8Array, cuts: Array<i32>, handler: Recorder): Uint8Array {
  const stream = new FrameStream(Direction.Request, new HeldBytes());
  const forwarded = new ByteBuffer();
  let from = 0;
  for (let i = 0; i <= cuts.length; i++) {
    const to = i < cuts.length ? cuts[i] : input.length;
    const piece = input.slice(from, to);
    const result = stream.feed(piece.dataStart, piece.length, codec, MAX_FRAME, handler);
    if (result == StreamResult.Close) break;
    if (result == StreamResult.PassThrough) forwarded.append(piece.dataStart, piece.length);
    else forwarded.append(stream.outputPtr, stream.outputLength);
    from = to;
  }
  return toArray(forwarded.ptr, forwarded.length);
}

function threeFrames(): Uint8Array {
  return concat([awesomeFrame(1, 1, 0, 0), awesomeFrame(2, 1, 0, 20), awesomeFrame(3, 2, 0, 7)]);
}

describe("FrameStream", () => {
  it("passes a read of whole frames through without touching Envoy's buffer", () => {
    const input = threeFrames();
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    const handler = new Recorder();
    expect(stream.feed(input.dataStart, input.length, codec, MAX_FRAME, handler)).toBe(StreamResult.PassThrough);
    expect(handler.seen.length).toBe(3);
    expect(stream.pendingBytes).toBe(0);
  });

  it("finds every frame and forwards every byte when cut at any single offset", () => {
    const input = threeFrames();
    for (let cut = 1; cut < input.length; cut++) {
      const handler = new Recorder();
      const out = forwardInPieces(input, [cut], handler);
      expect(handler.seen.length).toBe(3);
      expect(handler.seen[2]).toBe(3);
      expect(sameBytes(out, input)).toBe(true, "cut at " + cut.toString());
    }
  });

  it("finds every frame when cut at any pair of offsets", () => {
    const input = threeFrames();
    for (let a = 1; a < input.length; a++) {
      for (let b = a + 1; b < input.length; b++) {
        const handler = new Recorder();
        const out = forwardInPieces(input, [a, b], handler);
        expect(handler.seen.length).toBe(3);
        expect(sameBytes(out, input)).toBe(true);
      }
    }
  });

  it("assembles frames arriving one byte at a time", () => {
    const input = threeFrames();
    const cuts: Array<i32> = [];
    for (let i = 1; i < input.length; i++) cuts.push(i);
    const handler = new Recorder();
    const out = forwardInPieces(input, cuts, handler);
    expect(handler.seen.length).toBe(3);
    expect(handler.sizes[1]).toBe(33);
    expect(sameBytes(out, input)).toBe(true);
  });

  it("handles 64 pipelined frames in one read and a partial 65th", () => {
    const parts: Array<Uint8Array> = [];
    for (let i = 1; i <= 65; i++) parts.push(awesomeFrame(<u32>i, 1, 0, i));
    const input = concat(parts);
    const partialAt = input.length - 20;
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    const handler = new Recorder();
    const first = input.slice(0, partialAt);
    expect(stream.feed(first.dataStart, first.length, codec, MAX_FRAME, handler)).toBe(StreamResult.Replace);
    expect(handler.seen.length).toBe(64);
    expect(stream.pendingBytes).toBe(partialAt - (input.length - 78));
    const rest = input.slice(partialAt);
    stream.feed(rest.dataStart, rest.length, codec, MAX_FRAME, handler);
    expect(handler.seen.length).toBe(65);
    expect(stream.outputLength).toBe(78);
    expect(stream.pendingBytes).toBe(0);
  });

  it("counts what it holds in the VM's account, and gives a large frame's memory back once it went through", () => {
    const account = new HeldBytes();
    const stream = new FrameStream(Direction.Request, account);
    const handler = new Recorder();
    const frame = awesomeFrame(1, 1, 0, 100_000);
    const head = frame.slice(0, 60_000);
    stream.feed(head.dataStart, head.length, codec, MAX_FRAME, handler);
    expect(account.held).toBe(stream.heldCapacity);
    expect(account.held).toBeGreaterThanOrEqual(60_000);
    stream.settle(); // a partial frame waits: nothing to give back
    expect(account.held).toBe(stream.heldCapacity);
    const tail = frame.slice(60_000);
    stream.feed(tail.dataStart, tail.length, codec, MAX_FRAME, handler);
    expect(handler.seen.length).toBe(1);
    stream.settle();
    expect(account.held).toBe(0);
    expect(stream.heldCapacity).toBe(0);
    stream.feed(head.dataStart, head.length, codec, MAX_FRAME, handler);
    stream.dispose();
    expect(account.held).toBe(0);
  });

  it("drops and rewrites frames in place while keeping the others byte for byte", () => {
    const input = threeFrames();
    const handler = new Recorder();
    handler.drop.push(2);
    handler.rewrite.push(3);
    const out = forwardInPieces(input, [5, 30], handler);
    const expected = concat([awesomeFrame(1, 1, 0, 0), awesomeFrame(1003, 9, 0, 3)]);
    expect(sameBytes(out, expected)).toBe(true);
  });

  it("closes on a frame larger than max_frame_size as soon as the header tells", () => {
    const big = awesomeFrame(7, 1, 0, 100);
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    const handler = new Recorder();
    expect(stream.feed(big.dataStart, 9, codec, 64, handler)).toBe(StreamResult.Close);
    expect(handler.closeReason).toBe("frame larger than max_frame_size");
    expect(handler.seen.length).toBe(0);
  });

  it("closes on a malformed header after forwarding nothing more", () => {
    const bad = awesomeFrame(7, 1, 0, 0);
    bad[8] = 5; // total length 5 < header size
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    const handler = new Recorder();
    expect(stream.feed(bad.dataStart, bad.length, codec, MAX_FRAME, handler)).toBe(StreamResult.Close);
    expect(handler.closeReason).toBe("malformed frame header");
  });

  it("stops at the frame a handler closes on", () => {
    const input = threeFrames();
    const handler = new Recorder();
    handler.closeOn = 2;
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    expect(stream.feed(input.dataStart, input.length, codec, MAX_FRAME, handler)).toBe(StreamResult.Close);
    expect(handler.seen.length).toBe(2);
  });

  it("gives back memory held for a large frame once it has gone through", () => {
    const big = awesomeFrame(1, 1, 0, 200000);
    const stream = new FrameStream(Direction.Request, new HeldBytes());
    const handler = new Recorder();
    stream.feed(big.dataStart, 1000, codec, MAX_FRAME, handler);
    const rest = big.slice(1000);
    stream.feed(rest.dataStart, rest.length, codec, MAX_FRAME, handler);
    expect(handler.seen.length).toBe(1);
    const next = awesomeFrame(2, 1, 0, 0);
    stream.feed(next.dataStart, next.length, codec, MAX_FRAME, handler);
    expect(stream.pendingBytes).toBe(0);
    expect(handler.seen.length).toBe(2);
  });
});

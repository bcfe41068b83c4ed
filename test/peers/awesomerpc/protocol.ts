// The awesomerpc wire format, as a peer implements it (independently of the wasm codec):
// u8 version | u32 request id | u32 total length | i16 command | i16 response code, big-endian, then the body.

export const HEADER_SIZE = 13;
export const VERSION = 1;

export interface AwesomeRpcFrame {
  readonly requestId: number;
  readonly command: number;
  readonly responseCode: number;
  readonly body: Buffer;
}

export function encodeFrame(frame: AwesomeRpcFrame): Buffer {
  const out = Buffer.alloc(HEADER_SIZE + frame.body.length);
  out.writeUInt8(VERSION, 0);
  out.writeUInt32BE(frame.requestId, 1);
  out.writeUInt32BE(out.length, 5);
  out.writeInt16BE(frame.command, 9);
  out.writeInt16BE(frame.responseCode, 11);
  frame.body.copy(out, HEADER_SIZE);
  return out;
}

/** Splits a byte stream into frames, whatever the TCP fragmentation. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): AwesomeRpcFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: AwesomeRpcFrame[] = [];
    while (this.pending.length >= HEADER_SIZE) {
      const total = this.pending.readUInt32BE(5);
      if (total < HEADER_SIZE) throw new Error(`awesomerpc: bad frame length ${total}`);
      if (this.pending.length < total) break;
      frames.push({
        requestId: this.pending.readUInt32BE(1),
        command: this.pending.readInt16BE(9),
        responseCode: this.pending.readInt16BE(11),
        body: Buffer.from(this.pending.subarray(HEADER_SIZE, total)),
      });
      this.pending = this.pending.subarray(total);
    }
    return frames;
  }
}

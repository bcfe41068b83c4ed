// A sample awesomerpc client: many calls in flight on one connection, answers matched by request id.
import net from "node:net";
import { encodeFrame, FrameReader } from "./protocol.ts";

export interface AwesomeRpcReply {
  readonly responseCode: number;
  readonly body: string;
}

export class AwesomeRpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: AwesomeRpcReply) => void; reject: (e: Error) => void }>();
  private readonly reader = new FrameReader();
  private closedError: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      for (const frame of this.reader.push(chunk)) {
        const call = this.pending.get(frame.requestId);
        if (!call) continue;
        this.pending.delete(frame.requestId);
        call.resolve({ responseCode: frame.responseCode, body: frame.body.toString("utf8") });
      }
    });
    const fail = (error: Error) => {
      this.closedError = error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
  }

  static connect(port: number, host = "127.0.0.1"): Promise<AwesomeRpcClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true }, () => {
        socket.off("error", reject);
        resolve(new AwesomeRpcClient(socket));
      });
      socket.once("error", reject);
    });
  }

  /**
   * Sends a request. `writeInPieces` > 1 splits it into that many writes a millisecond apart, so that the proxy
   * reads it in fragments.
   */
  call(command: number, body: string, writeInPieces = 1): Promise<AwesomeRpcReply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const requestId = this.nextId++;
    const frame = encodeFrame({ requestId, command, responseCode: 0, body: Buffer.from(body) });
    const reply = new Promise<AwesomeRpcReply>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    if (writeInPieces <= 1) {
      this.socket.write(frame);
    } else {
      void this.writeInPieces(frame, writeInPieces);
    }
    return reply;
  }

  private async writeInPieces(frame: Buffer, pieces: number): Promise<void> {
    const step = Math.max(1, Math.ceil(frame.length / pieces));
    for (let at = 0; at < frame.length && !this.socket.destroyed; at += step) {
      this.socket.write(frame.subarray(at, at + step));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Writes raw bytes (for malformed-input tests). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves when the connection is closed (by either side). */
  closed(): Promise<void> {
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("close", () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}

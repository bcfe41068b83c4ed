// A Node HTTP/2 server (nghttp2) standing where Envoy's HTTP connection manager would be in front of the bridge's
// client side. It relays each call to a real server the way the server side does: the frame's request id becomes the
// stream id, the server's answer goes back on that stream with the marker. For a method the test names, it answers
// as Envoy itself would instead (a local reply, or a reset stream). The protocol's framing is given by a FrameIds.
import http2 from "node:http2";
import net from "node:net";

/** Where a protocol's frames end and where their request id is, as a relay needs them. */
export interface FrameIds {
  readonly contentType: string;
  /** The size of the whole frame at the start of `bytes`, or 0 when more bytes are needed to know it. */
  frameSize(bytes: Buffer): number;
  requestId(frame: Buffer): number;
  /** The frame with another request id (a copy: the original stays as the client sent it). */
  withRequestId(frame: Buffer, id: number): Buffer;
}

export interface SeenRequest {
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the HTTP/2 server answers for a method instead of relaying it (as Envoy would answer itself). */
export type EnvoyAnswer = { status: number; body: string } | "reset";

export class Http2Relay {
  readonly seen: SeenRequest[] = [];
  /** By method: the last segment of the call's `:path`. */
  readonly answers = new Map<string, EnvoyAnswer>();
  readonly server: http2.Http2Server;
  sessions = 0;
  /** Set to send GOAWAY when the next call comes, naming it the last stream processed. */
  goAwayAtNextCall = false;
  private readonly open = new Set<http2.ServerHttp2Session>();
  private upstreamSocket?: net.Socket;
  private readonly pending = new Map<number, http2.ServerHttp2Stream>();
  private received = Buffer.alloc(0);

  constructor(private readonly ids: FrameIds, private readonly serverPort: number, settings: http2.Settings = {}) {
    this.server = http2.createServer({ settings });
    this.server.on("session", (session) => {
      this.sessions++;
      this.open.add(session);
      session.on("close", () => this.open.delete(session));
    });
    this.server.on("stream", (stream, headers) => {
      stream.on("error", () => {}); // the streams the test resets
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => this.onCall(stream, headers, Buffer.concat(chunks)));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  private onCall(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer): void {
    this.seen.push({ headers, body });
    if (this.goAwayAtNextCall) {
      this.goAwayAtNextCall = false;
      stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id!);
    }
    const method = String(headers[":path"]).split("/").at(-1)!;
    const answer = this.answers.get(method);
    if (answer === "reset") {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (answer !== undefined) {
      stream.respond({ ":status": answer.status, "content-type": "text/plain" });
      stream.end(answer.body);
      return;
    }
    this.pending.set(stream.id!, stream);
    this.upstream().write(this.ids.withRequestId(body, stream.id!));
  }

  private upstream(): net.Socket {
    if (this.upstreamSocket) return this.upstreamSocket;
    this.upstreamSocket = net.connect(this.serverPort, "127.0.0.1");
    this.upstreamSocket.on("data", (data: Buffer) => {
      this.received = Buffer.concat([this.received, data]);
      for (let size = this.ids.frameSize(this.received); size > 0 && this.received.length >= size; size = this.ids.frameSize(this.received)) {
        const frame = this.received.subarray(0, size);
        this.received = this.received.subarray(size);
        const id = this.ids.requestId(frame);
        const stream = this.pending.get(id);
        if (!stream) continue;
        this.pending.delete(id);
        stream.respond({ ":status": 200, "content-type": this.ids.contentType, "x-meta-protocol-bridge": "response" });
        stream.end(frame);
      }
    });
    return this.upstreamSocket;
  }

  async close(): Promise<void> {
    this.upstreamSocket?.destroy();
    for (const session of this.open) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// A library connection on a real socket: the bytes the socket reads go into the connection, its events go to the
// application (which may submit), and its pending output is written to the socket after every read and whenever
// the application flushes. The bytes read and written are kept, for tests that look at what went over the wire.
import type { Socket } from "node:net";
import type { Http2Event, WasmConnection } from "./wasm_http2.ts";

export class SocketEndpoint {
  /** Every event, in order. */
  readonly events: Http2Event[] = [];
  /** Every byte the peer sent, and every byte written to it. */
  readonly received: Buffer[] = [];
  readonly sent: Buffer[] = [];
  readonly closed: Promise<void>;
  private onEvent: (event: Http2Event) => void = () => {};

  constructor(
    readonly connection: WasmConnection,
    readonly socket: Socket,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.received.push(chunk);
      this.connection.receive(chunk);
      for (const event of this.connection.takeEvents()) {
        this.events.push(event);
        this.onEvent(event);
      }
      this.flush();
    });
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {}); // the peer closing first is part of some tests; `closed` tells the rest
  }

  /** The application: called for each event; it may submit, the output is flushed after it. */
  handle(onEvent: (event: Http2Event) => void): this {
    this.onEvent = onEvent;
    return this;
  }

  /** Writes the pending output. */
  flush(): void {
    const out = this.connection.takeOutput();
    if (out.length === 0 || this.socket.destroyed) return;
    this.sent.push(out);
    this.socket.write(out);
  }

  receivedBytes(): Buffer {
    return Buffer.concat(this.received);
  }

  sentBytes(): Buffer {
    return Buffer.concat(this.sent);
  }
}

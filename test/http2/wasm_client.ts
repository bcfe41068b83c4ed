// An HTTP/2 client made of the library (build/test/http2_harness.wasm) on a real socket, for the interop tests
// against Node's http2 server: requests as promises of their answers, assembled from the connection's events.
import { connect } from "node:net";
import { SocketEndpoint } from "./socket_endpoint.ts";
import { header, type Header, type Http2Event, type Http2Harness, type Http2Limits } from "./wasm_http2.ts";

export interface WasmAnswer {
  stream: number;
  headers: Header[];
  /** 1xx responses before the final one. */
  informational: Header[][];
  body: Buffer;
  trailers: Header[];
  /** The RST_STREAM that ended the stream (by the peer), if any. */
  resetCode?: number;
}

interface Pending {
  answer: WasmAnswer;
  body: Buffer[];
  resolve: (answer: WasmAnswer) => void;
}

export class WasmClient {
  private readonly pending = new Map<number, Pending>();
  private listeners: ((event: Http2Event) => void)[] = [];

  private constructor(readonly endpoint: SocketEndpoint) {
    endpoint.handle((event) => this.onEvent(event));
  }

  static async connect(harness: Http2Harness, port: number, limits: Http2Limits = {}): Promise<WasmClient> {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new WasmClient(new SocketEndpoint(harness.open("client", { maxQueuedBytes: 64 << 20, ...limits }), socket));
    client.endpoint.flush(); // the preface and our SETTINGS
    return client;
  }

  get connection() {
    return this.endpoint.connection;
  }

  get events(): Http2Event[] {
    return this.endpoint.events;
  }

  /** Sends a request (body and trailers optional); resolves when its stream ends, normally or by a reset. */
  request(headers: Header[], body?: Buffer, trailers?: Header[]): { stream: number; answer: Promise<WasmAnswer> } {
    const c = this.connection;
    const hasBody = body !== undefined && body.length > 0;
    const stream = c.submitRequest(headers, !hasBody && trailers === undefined);
    if (stream === 0) throw new Error("the connection refused a new stream");
    if (hasBody && !c.submitData(stream, body!, trailers === undefined)) throw new Error("the request body was refused");
    if (trailers !== undefined) c.submitTrailers(stream, trailers);
    const answer = new Promise<WasmAnswer>((resolve) => {
      this.pending.set(stream, { answer: { stream, headers: [], informational: [], body: Buffer.alloc(0), trailers: [] }, body: [], resolve });
    });
    this.endpoint.flush();
    return { stream, answer };
  }

  /** Resolves with the first event (from now on) that `match` accepts. */
  next(match: (event: Http2Event) => boolean): Promise<Http2Event> {
    return new Promise((resolve) => {
      const listener = (event: Http2Event) => {
        if (!match(event)) return;
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(event);
      };
      this.listeners.push(listener);
    });
  }

  close(): void {
    this.endpoint.socket.destroy();
    this.connection.close();
  }

  private onEvent(event: Http2Event): void {
    for (const listener of [...this.listeners]) listener(event);
    if (!("stream" in event)) return;
    const p = this.pending.get(event.stream);
    if (!p) return;
    let done = false;
    switch (event.kind) {
      case "headers":
        if (Number(header(event.headers, ":status")) < 200) p.answer.informational.push(event.headers);
        else p.answer.headers = event.headers;
        done = event.end;
        break;
      case "data":
        p.body.push(event.data);
        done = event.end;
        break;
      case "trailers":
        p.answer.trailers = event.headers;
        done = true;
        break;
      case "reset":
        p.answer.resetCode = event.code;
        done = true;
        break;
    }
    if (!done) return;
    this.pending.delete(event.stream);
    p.answer.body = Buffer.concat(p.body);
    p.resolve(p.answer);
  }
}

// An HTTP/2 server made of the library (build/test/http2_harness.wasm) on real sockets, for the interop tests with
// Node's http2 client and nghttp2's nghttp and h2load. Each request is answered once it ended:
//   /echo        the request body back
//   /bytes/N     N bytes of pattern(N)
//   /reset       RST_STREAM (CANCEL) as soon as the headers arrive
//   /goaway      200, then GOAWAY (NO_ERROR)
//   /ping        200, then a PING
// The response says what arrived: x-request-bytes, x-request-sha256, x-request-trailers (JSON), and each request
// header named x-echo-* back as x-echoed-*. A request with x-want-trailers: 1 gets trailers (x-body-sha256).
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:net";
import { SocketEndpoint } from "./socket_endpoint.ts";
import { ErrorCodes, header, type Header, type Http2Harness, type Http2Limits } from "./wasm_http2.ts";

/** Deterministic bytes: byte i of pattern(n) depends on i and n. */
export function pattern(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 9) + n) & 0xff;
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface Request {
  headers: Header[];
  body: Buffer[];
  trailers: Header[];
}

/** Response headers every answer carries: several that Node's decoder must read from our Huffman literals. */
const FIXED: Header[] = [
  ["content-type", "application/octet-stream"],
  ["server", "wasm-http2-harness"],
  ["x-powered-by", "AssemblyScript HTTP/2 and HPACK, Huffman-coded where shorter"],
];

export class WasmEchoServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** One per connection accepted. */
    readonly endpoints: SocketEndpoint[],
  ) {}

  static async start(harness: Http2Harness, limits: Http2Limits = {}): Promise<WasmEchoServer> {
    const endpoints: SocketEndpoint[] = [];
    const server = createServer((socket) => {
      const endpoint = new SocketEndpoint(harness.open("server", { maxQueuedBytes: 64 << 20, ...limits }), socket);
      endpoints.push(endpoint);
      serve(endpoint);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new WasmEchoServer(server, (server.address() as { port: number }).port, endpoints);
  }

  async close(): Promise<void> {
    for (const e of this.endpoints) e.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const e of this.endpoints) e.connection.close();
  }
}

function serve(endpoint: SocketEndpoint): void {
  const c = endpoint.connection;
  const requests = new Map<number, Request>();
  const respond = (id: number) => {
    const request = requests.get(id);
    if (!request) return;
    requests.delete(id);
    const path = header(request.headers, ":path") ?? "";
    const received = Buffer.concat(request.body);
    const body = path === "/echo" ? received : path.startsWith("/bytes/") ? pattern(Number(path.slice(7))) : Buffer.alloc(0);
    const wantsTrailers = header(request.headers, "x-want-trailers") === "1";
    const headers: Header[] = [
      [":status", "200"],
      ...FIXED,
      ["x-request-bytes", String(received.length)],
      ["x-request-sha256", sha256(received)],
      ["x-request-trailers", JSON.stringify(request.trailers)],
      ...request.headers.filter((h) => h[0].startsWith("x-echo-")).map(([n, v]): Header => [`x-echoed-${n.slice(7)}`, v]),
    ];
    c.submitResponse(id, headers, body.length === 0 && !wantsTrailers);
    if (body.length > 0 && !c.submitData(id, body, !wantsTrailers)) throw new Error(`stream ${id}: the response body was refused`);
    if (wantsTrailers) c.submitTrailers(id, [["x-body-sha256", sha256(body)], ["x-body-bytes", String(body.length)]]);
    if (path === "/goaway") c.submitGoAway(ErrorCodes.NO_ERROR);
    if (path === "/ping") c.submitPing(0x1122334455667788n);
  };
  endpoint.handle((event) => {
    switch (event.kind) {
      case "headers": {
        if (header(event.headers, ":path") === "/reset") {
          c.submitReset(event.stream, ErrorCodes.CANCEL);
          break;
        }
        requests.set(event.stream, { headers: event.headers, body: [], trailers: [] });
        if (event.end) respond(event.stream);
        break;
      }
      case "data":
        requests.get(event.stream)?.body.push(event.data);
        if (event.end) respond(event.stream);
        break;
      case "trailers": {
        const request = requests.get(event.stream);
        if (request) request.trailers = event.headers;
        respond(event.stream);
        break;
      }
      case "reset":
        requests.delete(event.stream);
        break;
    }
  });
}

// What the HTTP/2 fuzzer starts from: a conversation between Node's http2 client and server (nghttp2 on both sides)
// recorded on the wire (test/http2/record.ts). Requests with headers nghttp2 indexes and Huffman-codes, bodies,
// trailers both ways, a cancelled stream, PING: the client's bytes are what the library's server is fed, the
// server's bytes what its client is fed (after opening as many streams), and their header blocks what the HPACK
// decoder is fed. Recorded when the fuzzer starts (nothing is stored in the repository).
import http2 from "node:http2";
import { call, recordConversation } from "../http2/record.ts";
import { headerBlocks, splitFrames } from "../http2/wire.ts";

export interface Http2Corpus {
  /** Everything Node's client sent, the preface first. */
  readonly clientBytes: Buffer;
  /** Everything Node's server sent. */
  readonly serverBytes: Buffer;
  /** Streams the client opened (1, 3, 5, ...): a client replaying serverBytes opens as many first. */
  readonly requests: number;
  /** The header blocks of each direction, in order (one HPACK compression context each). */
  readonly clientBlocks: readonly Buffer[];
  readonly serverBlocks: readonly Buffer[];
}

const REQUESTS = 5;

export async function captureHttp2Corpus(): Promise<Http2Corpus> {
  const serve = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      if (stream.destroyed || stream.closed) return;
      const trailers = headers["x-want-trailers"] === "1";
      stream.respond(
        { ":status": 200, "content-type": "application/grpc", "x-service-version": "payments/2024.11 (7f3a9c1)", "set-cookie": "session=abc; HttpOnly" },
        { waitForTrailers: trailers },
      );
      if (trailers) stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "grpc-message": "ok" }));
      stream.end(Buffer.concat(chunks).subarray(0, 3000));
    });
  };
  const { clientBytes, serverBytes } = await recordConversation(serve, async (session) => {
    const common = { "x-tenant": "acme-corporation-production", "user-agent": "fuzz-corpus/1.0 (node http2)" };
    await call(session, { ":method": "GET", ":path": "/a", ...common });
    await call(session, { ":method": "GET", ":path": "/b?q=1", ...common, "x-request-id": "0b9a7c3e-41d2-4f57-9c43-1f0e2a6b9d11" });
    await call(session, { ":method": "POST", ":path": "/upload", ...common, "x-want-trailers": "1" }, Buffer.alloc(2000, 0x61), { "x-checksum": "abc123" });
    await call(session, { ":method": "POST", ":path": "/echo", ...common }, Buffer.alloc(500, 0x62));
    const cancelled = session.request({ ":method": "POST", ":path": "/cancel", ...common });
    cancelled.on("error", () => {});
    cancelled.write(Buffer.alloc(100, 0x63));
    await new Promise((resolve) => setTimeout(resolve, 20));
    cancelled.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => session.ping(Buffer.from("fuzzping"), resolve));
  });
  return { clientBytes, serverBytes, requests: REQUESTS, clientBlocks: headerBlocks(splitFrames(clientBytes)), serverBlocks: headerBlocks(splitFrames(serverBytes)) };
}

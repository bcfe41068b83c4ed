// Records a conversation between Node's http2 client and server (nghttp2 on both sides) as it goes over the wire,
// through a TCP relay between them: the bytes each side sent, for tests, the fuzzer's corpus and the benchmarks.
import http2 from "node:http2";
import { connect, createServer, type AddressInfo } from "node:net";

export interface Conversation {
  /** Everything the client sent, the preface first. */
  readonly clientBytes: Buffer;
  /** Everything the server sent. */
  readonly serverBytes: Buffer;
}

/** Runs `script` with a client session of a server whose streams `serve` answers; returns the bytes both sent. */
export async function recordConversation(
  serve: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  script: (session: http2.ClientHttp2Session) => Promise<void>,
): Promise<Conversation> {
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    serve(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const relay = createServer((downstream) => {
    const upstream = connect((server.address() as AddressInfo).port, "127.0.0.1");
    downstream.on("data", (b: Buffer) => (fromClient.push(b), upstream.write(b)));
    upstream.on("data", (b: Buffer) => (fromServer.push(b), downstream.write(b)));
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
    downstream.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const session = http2.connect(`http://127.0.0.1:${(relay.address() as AddressInfo).port}`);
  try {
    await new Promise((resolve) => session.once("connect", resolve));
    await script(session);
    await new Promise<void>((resolve) => session.close(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    session.destroy();
    relay.close();
    server.close();
  }
  return { clientBytes: Buffer.concat(fromClient), serverBytes: Buffer.concat(fromServer) };
}

/** A request whose answer is read to its end; resolves when the stream closed. */
export function call(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer, trailers?: http2.OutgoingHttpHeaders): Promise<void> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined, waitForTrailers: trailers !== undefined });
    if (trailers) stream.on("wantTrailers", () => stream.sendTrailers(trailers));
    stream.on("error", () => {});
    stream.resume();
    stream.on("close", () => resolve());
    if (body !== undefined) stream.end(body);
  });
}

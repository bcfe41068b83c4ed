// One call on an HTTP/2 session as Envoy's router makes it towards the bridge's server side: a POST whose body is a
// whole protocol frame, answered by the response headers and body (or the stream's reset).
import http2 from "node:http2";

export interface Http2Answer {
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

export function bridgeCall(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ...headers });
    let answerHeaders: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (answerHeaders = h));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve({ headers: answerHeaders, body: Buffer.concat(chunks) }));
    stream.on("error", reject);
    stream.end(body);
  });
}

/** The HTTP/2 error code the stream carrying `body` is reset with (-1: it ended without a reset). */
export function resetCodeOf(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<number> {
  const stream = session.request({ ":method": "POST", ...headers });
  stream.on("error", () => {});
  stream.resume();
  const code = new Promise<number>((resolve) => stream.on("close", () => resolve(stream.rstCode ?? -1)));
  stream.end(body);
  return code;
}

// The HTTP request behind proxy_http_call: HTTP/2 to clusters configured for it, HTTP/1.1 otherwise. Like Envoy's
// async HTTP client, failures Envoy itself detects arrive as a normal response: its router's local reply (503 when
// the upstream cannot be reached, 504 "upstream request timeout").
// Read: envoy source/extensions/common/wasm/context.cc (Context::httpCall) and source/common/router/router.cc.
import { request as http1Request } from "node:http";
import { type ClientHttp2Session, constants } from "node:http2";
import type { Endpoint } from "../api.ts";
import type { Pairs } from "./header_pairs.ts";

export interface HttpCallResponse {
  /** With ":status" first, as in Envoy's response header map. */
  readonly headers: Pairs;
  readonly body: Uint8Array;
  readonly trailers: Pairs;
}

export interface HttpCallRequest {
  /** Must contain :method, :path and :authority. */
  readonly headers: Pairs;
  readonly body: Uint8Array;
  readonly trailers: Pairs;
  /** 0: no timeout */
  readonly timeoutMs: number;
}

/** `session` when the cluster speaks HTTP/2, else the endpoint for an HTTP/1.1 connection. */
export type HttpTransport = { readonly session: ClientHttp2Session } | { readonly endpoint: Endpoint };

/** Starts the request; `done` is called exactly once unless the returned cancel function is called first. */
export function sendHttpCall(
  transport: HttpTransport,
  request: HttpCallRequest,
  done: (response: HttpCallResponse) => void,
): () => void {
  let finished = false;
  let abort = () => {};
  const finish = (response: HttpCallResponse) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done(response);
  };
  const timer =
    request.timeoutMs > 0
      ? setTimeout(() => {
          finish(localReply(504, "upstream request timeout"));
          abort();
        }, request.timeoutMs)
      : undefined;
  const connectFailure = () =>
    finish(localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure"));
  abort = "session" in transport ? viaHttp2(transport.session, request, finish, connectFailure) : viaHttp1(transport.endpoint, request, finish, connectFailure);
  return () => {
    finished = true;
    clearTimeout(timer);
    abort();
  };
}

function viaHttp2(
  session: ClientHttp2Session,
  request: HttpCallRequest,
  finish: (response: HttpCallResponse) => void,
  failed: () => void,
): () => void {
  const headers: Record<string, string> = { ":scheme": "http" };
  for (const [k, v] of request.headers) headers[k.toLowerCase()] = v;
  let stream;
  try {
    stream = session.request(headers, { waitForTrailers: request.trailers.length > 0 });
  } catch {
    setImmediate(failed);
    return () => {};
  }
  stream.on("wantTrailers", () => stream.sendTrailers(Object.fromEntries(request.trailers)));
  stream.end(request.body);
  let responseHeaders: Pairs | undefined;
  let trailers: Pairs = [];
  const chunks: Buffer[] = [];
  stream.on("response", (h) => (responseHeaders = headerPairs(h)));
  stream.on("trailers", (t) => (trailers = headerPairs(t)));
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.on("error", () => {});
  stream.on("close", () =>
    responseHeaders ? finish({ headers: responseHeaders, body: Buffer.concat(chunks), trailers }) : failed(),
  );
  return () => stream.close(constants.NGHTTP2_CANCEL);
}

function viaHttp1(
  endpoint: Endpoint,
  request: HttpCallRequest,
  finish: (response: HttpCallResponse) => void,
  failed: () => void,
): () => void {
  const pseudo = new Map(request.headers.filter(([k]) => k.startsWith(":")));
  const headers = request.headers.filter(([k]) => !k.startsWith(":"));
  const req = http1Request({
    host: endpoint.address,
    port: endpoint.port,
    method: pseudo.get(":method"),
    path: pseudo.get(":path"),
    headers: Object.fromEntries([["host", pseudo.get(":authority") ?? ""], ...headers]),
  });
  req.on("error", failed);
  req.on("response", (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("error", failed);
    res.on("end", () =>
      finish({
        headers: [[":status", String(res.statusCode)], ...rawPairs(res.rawHeaders)],
        body: Buffer.concat(chunks),
        trailers: rawPairs(res.rawTrailers),
      }),
    );
  });
  req.end(request.body);
  return () => req.destroy();
}

function localReply(status: number, body: string): HttpCallResponse {
  const bytes = new TextEncoder().encode(body);
  return {
    headers: [
      [":status", String(status)],
      ["content-length", String(bytes.length)],
      ["content-type", "text/plain"],
    ],
    body: bytes,
    trailers: [],
  };
}

function headerPairs(headers: Record<string, string | string[] | undefined>): Pairs {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(headers)) {
    for (const v of [value ?? []].flat()) pairs.push([key, v]);
  }
  return pairs;
}

function rawPairs(raw: string[]): Pairs {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i].toLowerCase(), raw[i + 1]]);
  return pairs;
}

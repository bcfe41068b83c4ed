// A unary gRPC call over HTTP/2 as Envoy's async gRPC client makes it for proxy_grpc_call, with the outcomes Envoy
// reports: the response message on grpc-status 0, otherwise a status and message. Envoy-generated failures go
// through its router's local reply, whose HTTP code becomes a gRPC status by httpToGrpcStatus (503 and 504 both give
// UNAVAILABLE): a timeout is 14 "upstream request timeout", an unreachable endpoint is 14 too.
// Read: envoy source/common/grpc/async_client_impl.cc (AsyncStreamImpl::onHeaders/onData/onTrailers, non-200 ->
// grpc-status if present else Canceled; AsyncRequestImpl: OK without a message is Internal), source/common/grpc/
// status.cc (httpToGrpcStatus), source/common/router/router.cc (onUpstreamTimeoutAbort body).
import { type ClientHttp2Session, type IncomingHttpHeaders, constants } from "node:http2";
import { GrpcStatus } from "./abi_codes.ts";
import type { Pairs } from "./header_pairs.ts";

export interface GrpcUnaryRequest {
  /** "/<service>/<method>" */
  readonly path: string;
  readonly authority: string;
  readonly metadata: Pairs;
  readonly message: Uint8Array;
  /** 0: no timeout */
  readonly timeoutMs: number;
}

export interface GrpcOutcome {
  readonly status: number;
  readonly message: string;
  /** The response message, when status is OK. */
  readonly response?: Uint8Array;
}

const TIMEOUT_OUTCOME: GrpcOutcome = { status: GrpcStatus.Unavailable, message: "upstream request timeout" };

const RESET_BEFORE_HEADERS = "upstream connect error or disconnect/reset before headers. reset reason: ";

/** Starts the call; `done` is called exactly once unless the returned cancel function is called first. */
export function callGrpcUnary(
  session: ClientHttp2Session,
  request: GrpcUnaryRequest,
  done: (outcome: GrpcOutcome) => void,
): () => void {
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (outcome: GrpcOutcome) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done(outcome);
  };
  let stream;
  try {
    stream = session.request(requestHeaders(request));
  } catch {
    setImmediate(() => finish({ status: GrpcStatus.Unavailable, message: RESET_BEFORE_HEADERS + "connection failure" }));
    return () => (finished = true);
  }
  stream.end(grpcFrame(request.message));
  let headers: IncomingHttpHeaders | undefined;
  let trailers: IncomingHttpHeaders | undefined;
  const chunks: Buffer[] = [];
  stream.on("response", (h) => (headers = h));
  stream.on("trailers", (t) => (trailers = t));
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.on("error", () => {}); // "close" follows and reports
  stream.on("close", () => {
    if (!headers) {
      const reason = session.connecting || session.destroyed ? "remote connection failure" : "remote reset";
      finish({ status: GrpcStatus.Unavailable, message: RESET_BEFORE_HEADERS + reason });
    } else {
      finish(outcomeOf(headers, trailers, Buffer.concat(chunks), stream.rstCode));
    }
  });
  if (request.timeoutMs > 0) {
    timer = setTimeout(() => {
      finish(TIMEOUT_OUTCOME);
      stream.close(constants.NGHTTP2_CANCEL);
    }, request.timeoutMs);
  }
  return () => {
    finished = true;
    clearTimeout(timer);
    stream.close(constants.NGHTTP2_CANCEL);
  };
}

function requestHeaders(request: GrpcUnaryRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {
    ":method": "POST",
    ":scheme": "http",
    ":path": request.path,
    ":authority": request.authority,
    "content-type": "application/grpc",
    te: "trailers",
  };
  if (request.timeoutMs > 0) headers["grpc-timeout"] = `${request.timeoutMs}m`;
  for (const [key, value] of request.metadata) {
    const name = key.toLowerCase();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [previous, value].flat();
  }
  return headers;
}

/** A gRPC length-prefixed message: compressed flag 0, u32 big-endian length, bytes. */
function grpcFrame(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  return frame;
}

function outcomeOf(
  headers: IncomingHttpHeaders,
  trailers: IncomingHttpHeaders | undefined,
  body: Buffer,
  rstCode: number | undefined,
): GrpcOutcome {
  const endedWithHeaders = trailers === undefined && body.length === 0;
  if (Number(headers[":status"]) !== 200) {
    return endedWithHeaders && headers["grpc-status"] !== undefined
      ? statusOf(headers)
      : { status: GrpcStatus.Canceled, message: "" };
  }
  const final = trailers ?? (endedWithHeaders ? headers : undefined);
  if (!final) return { status: GrpcStatus.Internal, message: rstCode ? "stream reset" : "" };
  const outcome = statusOf(final);
  if (outcome.status !== GrpcStatus.Ok) return outcome;
  const messages = decodeFrames(body);
  if (messages === undefined) return { status: GrpcStatus.Internal, message: "" };
  const response = messages.at(-1);
  return response ? { ...outcome, response } : { status: GrpcStatus.Internal, message: "" };
}

function statusOf(headers: IncomingHttpHeaders): GrpcOutcome {
  const status = headers["grpc-status"];
  const message = headers["grpc-message"];
  return {
    status: status === undefined ? GrpcStatus.Unknown : Number(status),
    message: typeof message === "string" ? safeDecode(message) : "",
  };
}

/** The messages of a gRPC body; undefined when it is malformed or compressed. */
function decodeFrames(body: Buffer): Uint8Array[] | undefined {
  const messages: Uint8Array[] = [];
  for (let offset = 0; offset < body.length; ) {
    if (offset + 5 > body.length) return undefined;
    const length = body.readUInt32BE(offset + 1);
    if (body[offset] !== 0 && length > 0) return undefined;
    if (offset + 5 + length > body.length) return undefined;
    messages.push(new Uint8Array(body.subarray(offset + 5, offset + 5 + length)));
    offset += 5 + length;
  }
  return messages;
}

function safeDecode(message: string): string {
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

// The responses Envoy makes up itself (source/common/http/utility.cc Utility::prepareLocalReply): `:status`, and
// with a non-empty body `content-length` and `content-type: text/plain`; an empty body goes without either. The
// connection manager then adds `date` and `server` like on any response. The status, body and response flag of each
// case are the ones the router and the filters pass (source/common/router/router.cc, see
// docs/envoy/http-connection-manager.md).
import type { Headers } from "./header_mutation.ts";

/** StreamInfo response flags, by their short names in access logs (source/common/stream_info/utility.cc). */
export type ResponseFlag = "NR" | "UH" | "UF" | "UC" | "UR" | "LR" | "UT" | "RL";

/** Http::StreamResetReason values an upstream attempt ends with here, as resetReasonToString names them. */
export enum ResetReason {
  RemoteConnectionFailure = "remote connection failure",
  ConnectionTimeout = "connection timeout",
  ConnectionTermination = "connection termination",
  RemoteReset = "remote reset",
  RemoteRefusedStreamReset = "remote refused stream reset",
  /** The router itself reset the attempt: its per-try timeout fired. */
  LocalReset = "local reset",
}

/** Filter::streamResetReasonToResponseFlag. */
const RESET_FLAGS: Record<ResetReason, ResponseFlag> = {
  [ResetReason.RemoteConnectionFailure]: "UF",
  [ResetReason.ConnectionTimeout]: "UF",
  [ResetReason.ConnectionTermination]: "UC",
  [ResetReason.RemoteReset]: "UR",
  [ResetReason.RemoteRefusedStreamReset]: "UR",
  [ResetReason.LocalReset]: "LR",
};

export interface LocalReply {
  readonly status: number;
  readonly body: string;
  /** Undefined for a direct_response, which sets no flag. */
  readonly flag?: ResponseFlag;
  /** Headers a filter adds to its own reply (local_ratelimit's response_headers_to_add, a direct_response's). */
  readonly modifyHeaders?: (headers: Headers) => void;
}

export const LOCAL_REPLIES = {
  noRoute: (): LocalReply => ({ status: 404, body: "", flag: "NR" }),
  noHealthyUpstream: (): LocalReply => ({ status: 503, body: "no healthy upstream", flag: "UH" }),
  timeout: (): LocalReply => ({ status: 504, body: "upstream request timeout", flag: "UT" }),
  /** Filter::onUpstreamReset, before response headers (the transport failure reason is hidden by default). */
  upstreamReset: (reason: ResetReason, retried: boolean): LocalReply => ({
    status: 503,
    body: `upstream connect error or disconnect/reset before headers. ${retried ? "retried and the latest " : ""}reset reason: ${reason}`,
    flag: RESET_FLAGS[reason],
  }),
};

/** The response headers of a local reply, before the connection manager's own. */
export function localReplyHeaders(reply: LocalReply): Headers {
  const headers: Headers = { ":status": String(reply.status) };
  reply.modifyHeaders?.(headers);
  if (reply.body === "") {
    delete headers["content-length"];
    delete headers["content-type"];
  } else {
    headers["content-length"] = String(Buffer.byteLength(reply.body));
    headers["content-type"] ??= "text/plain";
  }
  return headers;
}

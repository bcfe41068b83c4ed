// What an HTTP response Envoy produced itself (no route, rate limited, timed out, no healthy upstream, denied)
// means for an RPC client: the error type its codec turns into the protocol's error reply. Envoy marks none of its
// local replies, so the client side tells them from the server side's answers by the bridge's marker.
import { ByteBuffer } from "../../lib/bytes";
import { ErrorType } from "../codec";

/** The error type of an Envoy reply with `status` (docs/envoy/bridge.md lists the replies and their sources). */
export function errorTypeOf(status: i32): ErrorType {
  switch (status) {
    case 404:
      return ErrorType.RouteNotFound;
    case 429:
      return ErrorType.OverLimit;
    case 503:
      return ErrorType.NoHealthyUpstream;
    case 504:
      return ErrorType.Timeout;
    case 401:
    case 403:
      return ErrorType.PermissionDenied;
    default:
      return ErrorType.Unspecified;
  }
}

/** Longest part of Envoy's reply body the error message quotes. */
const MAX_QUOTED_BODY: i32 = 256;

/** The error message for the client: Envoy's status and the start of its body ("envoy 504: upstream request timeout"). */
export function errorMessage(status: i32, body: usize, bodyLength: i32, scratch: ByteBuffer): string {
  scratch.clear();
  const n = min(bodyLength, MAX_QUOTED_BODY);
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u8>(body + <usize>i);
    // Printable ASCII only: the message travels inside the protocol's error reply.
    scratch.appendU8(c >= 0x20 && c < 0x7f ? c : 0x20);
  }
  const text = String.UTF8.decodeUnsafe(scratch.ptr, <usize>scratch.length).trim();
  return text.length > 0 ? "envoy " + status.toString() + ": " + text : "envoy " + status.toString();
}

/** The error message for a stream Envoy reset before its response was complete. */
export function resetMessage(errorCode: u32): string {
  return "envoy reset the call's stream (HTTP/2 error " + errorCode.toString() + ")";
}

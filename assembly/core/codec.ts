// The codec contract: what a protocol implements, and all it implements. It mirrors MetaProtocol's
// decode / encode / onError, sized for a wasm network filter: frames are found and read in place.
import { Bytes, ByteBuffer } from "../lib/bytes";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";

/** `Codec.frameSize` answer: the header is not complete yet, so the frame size is not known. */
export const NEED_MORE_DATA: i32 = 0;
/** `Codec.frameSize` answer: these bytes cannot be the start of a frame of this protocol. */
export const MALFORMED: i32 = -1;

export enum Direction {
  /** Client to server (Envoy's downstream data). */
  Request = 0,
  /** Server to client (Envoy's upstream data). */
  Response = 1,
}

export enum MessageType {
  Request = 0,
  Response = 1,
  Oneway = 2,
  Heartbeat = 7,
}

export enum ResponseStatus {
  Ok = 0,
  Error = 1,
}

/**
 * Why the framework asks a codec for an error reply: MetaProtocol's ErrorType (0 to 5, the same values), and the
 * answers Envoy's HTTP connection manager gives in bridge mode that it has no member for (Timeout, PermissionDenied).
 */
export enum ErrorType {
  RouteNotFound = 0,
  ClusterNotFound = 1,
  NoHealthyUpstream = 2,
  /** The upstream's answer could not be read. */
  BadResponse = 3,
  Unspecified = 4,
  OverLimit = 5,
  Timeout = 6,
  PermissionDenied = 7,
}

/**
 * A protocol's codec: finds frames, reads them, and writes what the framework sends in their place. A codec serves
 * one connection, or every connection of a plugin when it keeps no per-connection state (protocol.ts makes them).
 */
export abstract class Codec {
  /**
   * Size of the frame that starts at `bytes.ptr`, given the `bytes.length` bytes available so far.
   * Returns the whole frame's size as soon as the header tells it (it may exceed what is available),
   * NEED_MORE_DATA while it cannot tell, or MALFORMED.
   */
  abstract frameSize(bytes: Bytes): i32;

  /**
   * Reads one whole frame into `metadata` (message type, request id, routing key/values).
   * Returns null, or the reason the frame is malformed (a static string: it is logged, never allocated).
   */
  abstract decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null;

  /**
   * Appends `frame` to `out` with `mutation` applied (keys set or replaced). Returns false when the protocol
   * has nowhere to carry key/values; the framework then forwards the frame untouched and counts it.
   */
  abstract mutate(frame: Bytes, metadata: Metadata, mutation: Mutation, out: ByteBuffer): bool;

  /** Appends to `out` the protocol's error reply to `request`, carrying its request id. */
  abstract encodeError(request: Metadata, error: ErrorType, message: string, out: ByteBuffer): void;

  /**
   * Appends `frame` (already decoded into `metadata`) to `out` with its request id set to `id`. Bridge mode gives
   * requests the HTTP/2 stream id as request id on the server side (ids are then unique per upstream connection,
   * whatever the clients chose), and restores the client's id on the client side. Returns false, writing nothing,
   * when this frame's id cannot be set (the id does not fit the protocol's field, the frame is not whole, its
   * payload is compressed); the caller then answers with an error reply.
   */
  abstract withRequestId(frame: Bytes, metadata: Metadata, id: u64, out: ByteBuffer): bool;

  /**
   * Appends a heartbeat with `id`: a request when `reply` is false, its answer when true. Bridge mode carries
   * heartbeats as HTTP/2 PINGs, so each side writes them anew. Returns false when the protocol has no heartbeat.
   */
  encodeHeartbeat(id: u64, reply: bool, out: ByteBuffer): bool {
    return false;
  }

  /**
   * The HTTP status that stands for this response frame in bridge mode: 200 for a success or an application-level
   * exception the client must see as a normal answer, 4xx/5xx for the protocol's error statuses (so that Envoy's
   * retry_on 5xx and outlier detection work; a 4xx is an answer a retry would only repeat).
   */
  abstract httpStatus(frame: Bytes, metadata: Metadata): i32;

  /**
   * Appends to `out` a request the server answers cheaply, with `request`'s id (a heartbeat, a call of a method no
   * server has): it travels upstream in place of a rejected request, and its answer is replaced by the error reply,
   * since a filter cannot write to the client on its own. Returns false when the protocol has no such request;
   * the framework then closes the connection.
   */
  encodeCarrier(request: Metadata, out: ByteBuffer): bool {
    return false;
  }
}

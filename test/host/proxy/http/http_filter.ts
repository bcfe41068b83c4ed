// What the connection manager hands each http filter before the router (Envoy's StreamDecoderFilter::decodeHeaders
// with the stream's StreamInfo and connection), and what a filter answers: continue, or a local reply that ends the
// stream there (the filters after it and the router never see the request).
import type { ConnectionInfo } from "../../api.ts";
import type { Headers } from "./header_mutation.ts";
import type { LocalReply } from "./local_reply.ts";

export interface DecodedRequest {
  /** The request headers as the router will forward them (a repeated field's values joined). */
  readonly headers: Headers;
  /** Every value of each header, in the order received: a field sent twice is two values. */
  readonly headerValues: ReadonlyMap<string, readonly string[]>;
  readonly connection: ConnectionInfo;
  /**
   * The downstream remote address of the stream (StreamInfo downstreamAddressProvider().remoteAddress()): the
   * connection manager's original IP detection may take it from x-forwarded-for.
   */
  readonly remoteAddress: string;
}

export interface DecoderFilter {
  /** A local reply stops the request; undefined lets it go on. */
  decodeHeaders(request: DecodedRequest): LocalReply | undefined;
}

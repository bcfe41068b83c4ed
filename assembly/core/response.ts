// One response on its way back through the filter chain: what the codec read, the request it answers (null when
// none is in flight with its id, and for heartbeats), and the key/values filters want set on it.
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { Request } from "./request";

/** One per plugin, reused: a response is done with before the next frame is read. */
@final
export class Response {
  readonly metadata: Metadata = new Metadata();
  request: Request | null = null;
  nowNs: u64 = 0;
  /** Key/values filters want set on the response, applied in order once every filter has seen it. */
  readonly mutations: Array<Mutation> = [];

  begin(nowNs: u64): void {
    this.metadata.reset();
    this.request = null;
    this.nowNs = nowNs;
    this.mutations.length = 0;
  }

  addMutation(mutation: Mutation): void {
    this.mutations.push(mutation);
  }
}

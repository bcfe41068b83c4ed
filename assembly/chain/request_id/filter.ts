// Request ids (`request_id: {"generate": true}`): a request that carries no `x-request-id` gets one, a random
// UUID v4, as MetaProtocol's router adds one. It is added to the request's metadata (so routes, rate limit
// conditions and the access log's %METADATA(x-request-id)% see it) and as a request mutation (a Dubbo attachment, a
// THeader info header; framed/unframed Thrift and awesomerpc have no room for it: counted as mutation_unsupported,
// the frame goes on untouched). A request that has one keeps it. Trace headers (x-b3-*, traceparent, ...) need no
// help: they travel inside the protocol's own headers, untouched.
//
// proxy-wasm has no random call: the ids come from a generator seeded, per plugin, from the clock and the first
// connection's id. Nothing is allocated per request: the id is written in place into one UTF-8 buffer and
// one string that the mutation holds (the codec writes the frame before the next request overwrites them).
import { SplitMix64 } from "../../lib/random";
import { MessageType } from "../../core/codec";
import { Filter } from "../../core/filter";
import { KeyUsage } from "../../core/key_usage";
import { Mutation } from "../../core/mutation";
import { FilterStatus, Request } from "../../core/request";

export const REQUEST_ID_KEY = "x-request-id";
const UUID_LENGTH = 36;
const HEX = "0123456789abcdef";

export class RequestId extends Filter {
  private readonly random: SplitMix64 = new SplitMix64();
  private readonly key: ArrayBuffer = String.UTF8.encode(REQUEST_ID_KEY);
  private readonly utf8: ArrayBuffer = new ArrayBuffer(UUID_LENGTH);
  /** Overwritten in place for each request (its own heap string, never a shared literal). */
  private readonly text: string = "0".repeat(UUID_LENGTH);
  private readonly mutation: Mutation = new Mutation();

  constructor() {
    super();
    this.mutation.set(REQUEST_ID_KEY, this.text);
  }

  /** It looks for the request's own id. */
  declareKeys(usage: KeyUsage): void {
    usage.reads(this.key);
  }

  onRequest(request: Request): FilterStatus {
    const md = request.metadata;
    if (md.messageType == MessageType.Heartbeat) return FilterStatus.Continue;
    if (md.find(changetype<usize>(this.key), this.key.byteLength) >= 0) return FilterStatus.Continue;
    if (!this.random.seeded) this.random.seed(request.nowNs ^ (request.connection.id * 0x9e3779b97f4a7c15));
    this.generate();
    md.putBytes(this.key, changetype<usize>(this.utf8), UUID_LENGTH);
    request.addMutation(this.mutation);
    return FilterStatus.Continue;
  }

  /** The id of the last request given one (allocates: for tests). */
  get last(): string {
    return String.UTF8.decode(this.utf8);
  }

  /** Writes a fresh UUID v4 (xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, y in 8..b) into `utf8` and `text`. */
  private generate(): void {
    const high = this.random.next();
    const low = this.random.next();
    const bytes = changetype<usize>(this.utf8);
    const chars = changetype<usize>(this.text);
    let at = 0;
    for (let i = 0; i < 32; i++) {
      if (i == 8 || i == 12 || i == 16 || i == 20) {
        store<u8>(bytes + <usize>at, 0x2d);
        store<u16>(chars + (<usize>at << 1), 0x2d);
        at++;
      }
      let nibble = <i32>(((i < 16 ? high : low) >> (<u64>(60 - (i & 15) * 4))) & 0xf);
      if (i == 12) nibble = 4; // version 4
      else if (i == 16) nibble = 8 | (nibble & 3); // variant 10xx
      const c = HEX.charCodeAt(nibble);
      store<u8>(bytes + <usize>at, <u8>c);
      store<u16>(chars + (<usize>at << 1), <u16>c);
      at++;
    }
  }
}

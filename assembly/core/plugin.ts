// What every connection of a configured plugin shares: the codec, the configuration, metrics, the logger, the
// filter chain and the host services filters call (shared data, the rate limit service).
import { Codec } from "./codec";
import { PluginConfig } from "./plugin_config";
import { FilterChain, RequestContext } from "./filter";
import { readsOtherKeyValues } from "./key_usage";
import { Logger } from "./log";
import { Metadata } from "./metadata";
import { Mutation } from "./mutation";
import { RateLimitService } from "../chain/global_rate_limit/rls";
import { SharedStore } from "./shared_store";
import { Stats } from "./stats/stats";

/**
 * What one frame is decoded into and decided with, shared by all connections: a VM runs one callback at a time
 * and nothing here outlives the frame (a request in flight keeps its own copy of its metadata). Per-connection
 * copies would cost every idle connection their memory.
 */
@final
export class FrameScratch {
  readonly metadata: Metadata = new Metadata();
  readonly context: RequestContext = new RequestContext();
  /** Where several filters' mutations are merged (rare: usually one filter mutates). */
  readonly merged: Mutation = new Mutation();
}

@final
export class Plugin {
  readonly chain: FilterChain = new FilterChain();
  readonly scratch: FrameScratch = new FrameScratch();
  /** Whether codecs must read every key/value of a frame (codec.ts). */
  readonly decodesAllKeyValues: bool;

  /** `codec` answers for the protocol (name, keys); `createCodec` gives each connection the codec it uses. */
  constructor(
    public readonly codec: Codec,
    private readonly makeCodec: () => Codec,
    public readonly config: PluginConfig,
    public readonly stats: Stats,
    public readonly logger: Logger,
    public readonly sharedStore: SharedStore,
    /** The gRPC client for the global rate limit (null where the plugin has none, as in unit tests). */
    public readonly rateLimitService: RateLimitService | null = null,
  ) {
    this.decodesAllKeyValues = readsOtherKeyValues(config, codec.serviceKey(), codec.methodKey());
    codec.decodesAllKeyValues = this.decodesAllKeyValues;
  }

  /** The codec of a new connection. */
  createCodec(): Codec {
    const codec = this.makeCodec();
    codec.decodesAllKeyValues = this.decodesAllKeyValues;
    return codec;
  }
}

// What every connection of a configured plugin shares: the codec, the configuration, metrics, the logger, the
// filter chain and the host services filters call (shared data, the rate limit service).
import { Codec } from "./codec";
import { PluginConfig } from "./config";
import { FilterChain } from "./filter";
import { Logger } from "./log";
import { RateLimitService } from "./ratelimit_service";
import { SharedStore } from "./shared_store";
import { Stats } from "./stats";

@final
export class Plugin {
  readonly chain: FilterChain = new FilterChain();

  /** `codec` answers for the protocol (name, keys); `createCodec` gives each connection the codec it uses. */
  constructor(
    public readonly codec: Codec,
    public readonly createCodec: () => Codec,
    public readonly config: PluginConfig,
    public readonly stats: Stats,
    public readonly logger: Logger,
    public readonly sharedStore: SharedStore,
    /** The gRPC client for the global rate limit (null where the plugin has none, as in unit tests). */
    public readonly rateLimitService: RateLimitService | null = null,
  ) {}
}

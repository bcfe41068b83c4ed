// One configured plugin (a root context): its settings, the factory of its codecs, its filter chain and its
// metrics. Its connections share it; plugins of one module that share a VM share nothing but the module's code.
import { BridgeSettings } from "./bridge/bridge_settings";
import { CodecFactory, CodecSettings, Protocol } from "./protocol";
import { FilterChain } from "./filter_chain";
import { HeldBytes } from "./held_bytes";
import { Logger } from "./log";
import { Mutation } from "./mutation";
import { PluginSettings } from "./plugin_settings";
import { Response } from "./response";
import { Stats } from "./stats/stats";

@final
export class Plugin {
  /** What a response is decoded into and decided with (a VM runs one callback at a time). */
  readonly response: Response = new Response();
  /** Where several filters' mutations of one message are merged (rare: usually one filter mutates). */
  readonly merged: Mutation = new Mutation();
  /** Whether a filter may choose a new connection's cluster from its first request (it is held until then). */
  readonly holdsNewConnections: bool;

  constructor(
    public readonly protocol: Protocol,
    public readonly settings: PluginSettings,
    /** Bridge mode's side and authority; null in tcp mode. */
    public readonly bridge: BridgeSettings | null,
    /** What the plugin's codecs were told (whether they read every key/value). */
    public readonly codecSettings: CodecSettings,
    public readonly codecs: CodecFactory,
    public readonly chain: FilterChain,
    public readonly stats: Stats,
    public readonly logger: Logger,
    /** The VM's account of bytes held in partial frames, which the plugin's connections draw on. */
    public readonly heldBytes: HeldBytes,
  ) {
    let holds = false;
    for (let i = 0; i < chain.size; i++) holds = holds || chain.at(i).choosesCluster();
    this.holdsNewConnections = holds;
  }
}

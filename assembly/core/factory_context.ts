// What a filter factory may use to make one plugin's filter: the plugin's identity, metrics and the host's services.
import { HostServices } from "./host_services";
import { Protocol } from "./protocol";
import { Stats } from "./stats/stats";

@final
export class FactoryContext {
  constructor(
    public readonly protocol: Protocol,
    /** The `<stat_prefix>` of the plugin's metric names. */
    public readonly statPrefix: string,
    /** The protocol's service and method keys (UTF-8, empty when it has none). */
    public readonly serviceKey: ArrayBuffer,
    public readonly methodKey: ArrayBuffer,
    public readonly host: HostServices,
    /** The plugin's metrics, for filters that make metric groups of their own (per route). */
    public readonly stats: Stats,
  ) {}
}

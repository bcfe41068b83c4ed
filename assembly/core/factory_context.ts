// What a filter factory may use to make one plugin's filter: the plugin's identity and the host's services.
import { HostServices } from "./host_services";
import { Protocol } from "./protocol";

@final
export class FactoryContext {
  /** The protocol's service and method keys (UTF-8, empty when it has none). */
  readonly serviceKey: ArrayBuffer;
  readonly methodKey: ArrayBuffer;

  constructor(
    public readonly protocol: Protocol,
    /** The `<stat_prefix>` of the plugin's metric names. */
    public readonly statPrefix: string,
    public readonly host: HostServices,
  ) {
    this.serviceKey = String.UTF8.encode(protocol.serviceKey());
    this.methodKey = String.UTF8.encode(protocol.methodKey());
  }
}

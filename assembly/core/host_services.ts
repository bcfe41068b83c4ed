// What the host offers a plugin, behind small interfaces: Envoy's through the proxy-wasm ABI (assembly/abi/), test
// doubles in the unit tests. One per VM: every plugin of the VM shares them.
import { GrpcClient } from "./grpc_client";
import { HeldBytes } from "./held_bytes";
import { Logger } from "./log";
import { SharedStore } from "./shared_store";
import { MetricSink } from "./stats/metric";

@final
export class HostServices {
  constructor(
    public readonly metrics: MetricSink,
    public readonly logger: Logger,
    public readonly sharedStore: SharedStore,
    public readonly grpc: GrpcClient,
    /** The VM's account of bytes held in partial frames. */
    public readonly heldBytes: HeldBytes = new HeldBytes(),
  ) {}
}

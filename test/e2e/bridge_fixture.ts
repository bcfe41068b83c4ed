// Runs a bridge-mode service description on the bundled host the way a user would: the bootstrap the generator
// writes, on free ports (test/demo/bridge_bootstrap.ts).
import { bridgeBootstrap } from "../demo/bridge_bootstrap.ts";
import { startTestHost, type RunningHost } from "./host_fixture.ts";

/** Starts the host on what `description` (a MetaProtocolService in YAML) generates; `port` reaches its client listener. */
export async function startBridgeHost(description: string): Promise<RunningHost> {
  const config = await bridgeBootstrap("bridge-test.yaml", description);
  config.admin.address.socket_address.port_value = 0;
  return startTestHost(config, config.static_resources.listeners[0].name);
}

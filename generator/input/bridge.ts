// Reading bridge mode's settings (`mode: bridge` and the `bridge` map), and refusing by name what bridge mode does
// not take: the options of tcp mode's filter chain, whose work Envoy's HTTP connection manager does in bridge mode,
// and what the bridge bootstrap does not map yet.
import { isIP } from "node:net";
import { bridgedProtocols } from "../bridge/call_path.ts";
import type { BridgeSpec, FilterOptions, Mode } from "../model.ts";
import type { ObjectNode } from "./reader.ts";

const BRIDGE_FIELDS = ["authority", "serverAddress", "serverPort"];
/** `filter` options of tcp mode's chain; the bridge plugin refuses their configuration fields. */
const TCP_CHAIN_OPTIONS = ["accessLog", "accessLogFormat", "connectionRouting", "routeMismatch", "generateRequestId"] as const;
const AUTHORITY = /^[A-Za-z0-9._~-]+(:\d{1,5})?$/;
const AUTHORITY_TEXT = "a host name, optionally with :port (what the client side writes as :authority)";
const DEFAULT_SERVER_ADDRESS = "127.0.0.1";

export function readMode(spec: ObjectNode): Mode {
  return spec.optional("mode")?.oneOf<Mode>(["tcp", "bridge"]) ?? "tcp";
}

/**
 * The `bridge` map of a bridge-mode service (undefined in tcp mode, where it is refused). The authority defaults to
 * the service's host; the server-side listeners to 127.0.0.1, from the client listener's port + 1 on.
 */
export function readBridge(spec: ObjectNode, mode: Mode, protocol: string, host: string, listenerPort: number): BridgeSpec | undefined {
  const node = spec.optional("bridge");
  if (mode === "tcp") {
    node?.fail("expected no bridge settings in tcp mode (set mode: bridge)");
    return undefined;
  }
  // The bridge bootstrap must know which request keys make the :path its routes match.
  if (!bridgedProtocols().includes(protocol)) spec.get("mode").fail(`expected tcp for protocol ${protocol}: bridge mode is generated for ${bridgedProtocols().join(", ")}`);
  const bridge = node?.object(BRIDGE_FIELDS);
  const serverAddressNode = bridge?.optional("serverAddress");
  const serverAddress = serverAddressNode?.string("an IP address") ?? DEFAULT_SERVER_ADDRESS;
  // The HTTP/2 clusters connect to this address: a wildcard would leave them nowhere to connect.
  if (serverAddressNode !== undefined && (isIP(serverAddress) === 0 || /^(0\.0\.0\.0|::)$/.test(serverAddress))) {
    serverAddressNode.expected("an IP address the HTTP/2 clusters can connect to (not a wildcard like 0.0.0.0)");
  }
  if (listenerPort === 65535 && bridge?.has("serverPort") !== true) {
    spec.node.child("bridge", undefined).child("serverPort", undefined).fail("required field missing; expected a port for the server-side listeners (the client listener's port + 1 is past 65535)");
  }
  return {
    origin: node ?? spec.node,
    authority: bridge?.optional("authority")?.matching(AUTHORITY, AUTHORITY_TEXT) ?? host,
    serverAddress,
    serverPort: bridge?.optional("serverPort")?.integer(1, 65535) ?? listenerPort + 1,
  };
}

/**
 * What bridge mode refuses: tcp mode's chain options (Envoy's HTTP filters do that work per call), and the rate
 * limits the bridge bootstrap does not map (conditions, global rate limit).
 */
export function refuseTcpOnlyFields(spec: ObjectNode, filter: FilterOptions): void {
  for (const option of TCP_CHAIN_OPTIONS) {
    filter.origin?.entry(option)?.fail("is for tcp mode: in bridge mode Envoy's HTTP connection manager routes and forwards each call");
  }
  spec.optional("globalRateLimit")?.fail("not supported in bridge mode yet (Envoy's HTTP rate limit filter would do it); use mode: tcp");
  const local = spec.optional("localRateLimit")?.object(["tokenBucket", "conditions"]);
  local?.optional("conditions")?.fail("not supported in bridge mode yet: only tokenBucket, one bucket for every call of the service");
}

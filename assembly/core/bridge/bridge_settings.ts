// The plugin's mode: tcp (the filter sits before tcp_proxy and routes per connection) or bridge (each call becomes
// one HTTP/2 stream, so that Envoy's HTTP connection manager routes per call). A bridge plugin serves one side.
import { checkObject, FieldErrors, join, requiredField, stringField } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { BridgeHeaderNames } from "./bridge_headers";

export const MODE_FIELDS: Array<string> = ["mode", "bridge"];

export enum BridgeSide {
  /** Before the HTTP connection manager, facing the RPC clients: calls become HTTP/2 requests. */
  Client = 0,
  /** Before tcp_proxy, facing the RPC server: Envoy's HTTP/2 requests become calls. */
  Server = 1,
}

@final
export class BridgeSettings {
  side: BridgeSide = BridgeSide.Client;
  /** The client side's `:authority`: what selects the virtual host in the HTTP connection manager's routes. */
  authority: string = "";
  /** The header names and fixed values of the plugin's messages (set once the protocol is known). */
  names!: BridgeHeaderNames;
}

/** Reads `mode` and `bridge`: null in tcp mode. */
export function readBridgeSettings(root: JsonValue, errors: FieldErrors): BridgeSettings | null {
  const mode = stringField(root, "mode", "", errors, false);
  const bridge = root.get("bridge");
  if (mode.length == 0 || mode == "tcp") {
    if (bridge !== null) errors.fail("field 'bridge' needs \"mode\": \"bridge\"");
    return null;
  }
  if (mode != "bridge") {
    errors.fail("field 'mode' must be \"tcp\" or \"bridge\"");
    return null;
  }
  const object = requiredField(root, "bridge", "", errors);
  if (object === null || !checkObject(object, "bridge", ["side", "authority"], errors)) return null;
  const settings = new BridgeSettings();
  const side = stringField(object, "side", "bridge", errors, true);
  if (side == "server") {
    settings.side = BridgeSide.Server;
    if (object.get("authority") !== null) errors.fail("field 'bridge.authority' is for the client side: the server side answers any authority");
  } else if (side == "client") {
    settings.authority = stringField(object, "authority", "bridge", errors, true);
    if (!errors.failed && !isAuthority(settings.authority)) errors.fail("field '" + join("bridge", "authority") + "' must be a host name, optionally with :port");
  } else if (!errors.failed) {
    errors.fail("field 'bridge.side' must be \"client\" or \"server\"");
  }
  return errors.failed ? null : settings;
}

/** A non-empty `:authority` of letters, digits and `-._:~` (what a host name or `host:port` needs; no userinfo). */
function isAuthority(text: string): bool {
  if (text.length == 0 || text.length > 255) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x3a || c == 0x7e;
    if (!ok) return false;
  }
  return true;
}

/** The filter fields (tcp mode's chain) a bridge plugin refuses: Envoy's HTTP filters and routes do their work. */
export function refuseChainFields(root: JsonValue, chainFields: Array<string>, errors: FieldErrors): void {
  for (let i = 0; i < chainFields.length && !errors.failed; i++) {
    if (root.get(chainFields[i]) !== null) {
      errors.fail("field '" + chainFields[i] + "' is for tcp mode: in bridge mode Envoy's HTTP connection manager routes, limits and logs each call");
    }
  }
}

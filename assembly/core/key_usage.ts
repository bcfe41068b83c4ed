// Whether the configuration reads any request or response key/value besides the service and the method. When it
// does not, a codec may leave the rest of a frame unread (a Dubbo body's arguments and attachments): per-method
// metrics, routes and rate limits on service and method, and the default counters need nothing more.
import { bytesEqual } from "../lib/bytes";
import { PluginConfig } from "./plugin_config";
import { MetadataMatcher } from "./matcher";

export function readsOtherKeyValues(config: PluginConfig, serviceKey: string, methodKey: string): bool {
  const service = String.UTF8.encode(serviceKey);
  const method = String.UTF8.encode(methodKey);
  const accessLog = config.accessLog;
  if (accessLog !== null && accessLog.showsKeyValues()) return true;
  if (config.requestId.generate) return true; // looks for the request's own x-request-id
  const routes = config.routes.routes;
  for (let i = 0; i < routes.length; i++) if (matchesOther(routes[i].matchers, service, method)) return true;
  const local = config.localRateLimit;
  if (local !== null) {
    for (let i = 0; i < local.conditions.length; i++) if (matchesOther(local.conditions[i].matchers, service, method)) return true;
  }
  const global = config.globalRateLimit;
  if (global !== null) {
    if (matchesOther(global.matchers, service, method)) return true;
    for (let i = 0; i < global.entries.length; i++) if (isOther(global.entries[i].property, service, method)) return true;
  }
  return false;
}

function matchesOther(matchers: Array<MetadataMatcher>, service: ArrayBuffer, method: ArrayBuffer): bool {
  for (let i = 0; i < matchers.length; i++) if (isOther(matchers[i].key, service, method)) return true;
  return false;
}

function isOther(key: ArrayBuffer, service: ArrayBuffer, method: ArrayBuffer): bool {
  const k = changetype<usize>(key);
  const n = key.byteLength;
  return !bytesEqual(k, n, changetype<usize>(service), service.byteLength) && !bytesEqual(k, n, changetype<usize>(method), method.byteLength);
}

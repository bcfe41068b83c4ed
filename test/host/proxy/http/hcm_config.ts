// The typed_config of envoy.filters.network.http_connection_manager
// (extensions.filters.network.http_connection_manager.v3.HttpConnectionManager), read strictly: HTTP/2 downstream
// only, a static route_config, and the http_filters this host implements (local_ratelimit and rbac, in any order,
// then the router, which must be last). Everything else is refused by name.
import type { ProtoMessage } from "../proto_json.ts";
import { readLocalRateLimit, type LocalRateLimitConfig } from "./local_ratelimit.ts";
import { RBAC_TYPE, readRbac, type RbacConfig } from "./rbac.ts";
import { readRouteConfig, type RouteConfig } from "./route_config.ts";

export const HTTP_CONNECTION_MANAGER_TYPE =
  "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
const LOCAL_RATE_LIMIT_TYPE = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";

export type HttpFilterConfig = { readonly localRateLimit: LocalRateLimitConfig } | { readonly rbac: RbacConfig };

export interface HttpConnectionManagerConfig {
  readonly statPrefix: string;
  /** AUTO tells HTTP/2 from HTTP/1 by the connection preface; HTTP/1 itself is not implemented here. */
  readonly codecType: "AUTO" | "HTTP2";
  readonly routeConfig: RouteConfig;
  /** The http_filters before the router, in order. */
  readonly httpFilters: readonly HttpFilterConfig[];
  /** The `server` response header (HCM's server_name, default "envoy", server_header_transformation OVERWRITE). */
  readonly serverName: string;
  /** Add x-request-id to requests without one (generate_request_id, default true). */
  readonly generateRequestId: boolean;
}

export function readHttpConnectionManager(hcm: ProtoMessage): HttpConnectionManagerConfig {
  const statPrefix = hcm.string("stat_prefix");
  const codecType = hcm.enumName("codec_type", ["AUTO", "HTTP2"], "AUTO");
  if (hcm.optionalMessage("rds") !== undefined) hcm.fail("rds", "RDS is not supported by this host: use a static route_config");
  const routeConfig = readRouteConfig(hcm.message("route_config"));
  const httpFilters = readHttpFilters(hcm);
  const serverName = hcm.optionalString("server_name") || "envoy";
  const generateRequestId = hcm.bool("generate_request_id", true);
  hcm.end();
  return { statPrefix, codecType, routeConfig, httpFilters, serverName, generateRequestId };
}

/** The typed_config readers of the http filters before the router. */
const HTTP_FILTER_READERS = new Map<string, (config: ProtoMessage) => HttpFilterConfig>([
  [LOCAL_RATE_LIMIT_TYPE, (config) => ({ localRateLimit: readLocalRateLimit(config) })],
  [RBAC_TYPE, (config) => ({ rbac: readRbac(config) })],
]);

function readHttpFilters(hcm: ProtoMessage): HttpFilterConfig[] {
  const filters = hcm.messages("http_filters");
  const last = filters.at(-1);
  if (last === undefined || last.anyType("typed_config") !== ROUTER_TYPE) {
    (last ?? hcm).fail(last ? "typed_config" : "http_filters", `the last http filter must be envoy.filters.http.router (${ROUTER_TYPE})`);
  }
  return filters.flatMap((filter, index) => {
    filter.string("name");
    const type = filter.anyType("typed_config");
    const isLast = index === filters.length - 1;
    if (type === ROUTER_TYPE && !isLast) filter.fail("typed_config", "the router must be the last http filter");
    const reader = HTTP_FILTER_READERS.get(type);
    if (type !== ROUTER_TYPE && reader === undefined) {
      filter.fail("typed_config", `http filter type ${type} is not supported by this host (supported: ${[...HTTP_FILTER_READERS.keys(), ROUTER_TYPE].join(", ")})`);
    }
    const config = filter.any("typed_config", type);
    const result = reader === undefined ? [] : [reader(config)];
    config.end(); // the router's own fields (suppress_envoy_headers, ...) are not supported
    filter.end();
    return result;
  });
}

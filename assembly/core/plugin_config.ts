// The plugin configuration: JSON from the Envoy `configuration` field, validated once in proxy_on_configure.
// Unknown fields and wrong types are refused with a message naming the field, never ignored.
import { boolField, checkObject, FieldErrors, integerField, listField, stringField } from "../lib/json_fields";
import { AccessLogFormat } from "../chain/access_log/format";
import { readAccessLog, readRequestId, RequestIdConfig } from "../chain/access_log/config";
import { JsonKind, JsonParser, JsonValue } from "../lib/json";
import { Mutation } from "./mutation";
import { GlobalRateLimitConfig, readGlobalRateLimit } from "../chain/global_rate_limit/config";
import { LocalRateLimitConfig, parseDuration, readLocalRateLimit } from "../chain/local_rate_limit/config";
import { readMutation, readRoutes } from "../chain/router/config";
import { RouteTable } from "../chain/router/route";

const MIN_FRAME_SIZE: f64 = 64;
const MAX_FRAME_SIZE: f64 = 64 * 1024 * 1024;
const KNOWN_FIELDS: Array<string> = [
  "request_id",
  "stat_prefix", "max_frame_size", "max_pending_requests", "access_log", "request_mutation", "codec", "routes",
  "connection_routing", "route_mismatch", "local_ratelimit", "ratelimit", "frame_timeout",
];
/** The shortest `frame_timeout` (the timer that enforces it ticks at a quarter of it, at least every 50 ms). */
const MIN_FRAME_TIMEOUT_NS: u64 = 200_000_000;

/** What to do with a request whose route names another cluster than the one its connection went to. */
export enum RouteMismatch {
  /** Send it on the connection's cluster anyway (counted). */
  Forward = 0,
  /** Answer it with a route-not-found error (counted). */
  Reject = 1,
}

export class PluginConfig {
  /** The `<stat_prefix>` part of metric names (`meta_protocol.<protocol>.<stat_prefix>.request`). */
  statPrefix: string = "";
  /** Largest frame accepted, header included; larger frames close the connection. */
  maxFrameSize: i32 = 1024 * 1024;
  /**
   * How long a started frame may wait for its remaining bytes before the connection is closed (0: no limit but
   * tcp_proxy's idle_timeout): a peer that announces a frame and trickles it, or never finishes it, holds memory.
   */
  frameTimeoutNs: u64 = 0;
  /** Requests tracked per connection while awaiting their response; more are forwarded but not timed. */
  maxPendingRequests: i32 = 10000;
  /** One access log line per request in this format (the default line unless configured), or null: none. */
  accessLog: AccessLogFormat | null = AccessLogFormat.legacyFormat();
  /** Give requests without an x-request-id one (`request_id.generate`). */
  requestId: RequestIdConfig = new RequestIdConfig();
  /** Key/values set on every request (Dubbo attachments, THeader headers). */
  requestMutation: Mutation = new Mutation();
  /** The codec's own options, checked by the codec (`Codec.configure`). */
  codecOptions: JsonValue = emptyObject();
  /** Routes; with none, every request goes on and tcp_proxy's cluster applies. */
  routes: RouteTable = new RouteTable();
  /**
   * Hold each new connection until its first request is routed, then choose tcp_proxy's cluster for it
   * (Envoy 1.37+ with tcp_proxy `max_early_data_bytes`). Off: tcp_proxy's own cluster applies.
   */
  connectionRouting: bool = true;
  routeMismatch: RouteMismatch = RouteMismatch.Forward;
  localRateLimit: LocalRateLimitConfig | null = null;
  /** The global rate limit (`ratelimit`): Envoy's rate limit service, asked per matching request. */
  globalRateLimit: GlobalRateLimitConfig | null = null;
}

/** The result of reading a configuration: `config`, or `error` naming the field at fault. */
export class ConfigResult {
  config: PluginConfig | null = null;
  error: string = "";
}

export function parsePluginConfig(text: string, defaultStatPrefix: string): ConfigResult {
  const result = new ConfigResult();
  const config = new PluginConfig();
  config.statPrefix = defaultStatPrefix;
  if (text.trim().length == 0) {
    result.config = config;
    return result;
  }
  const parser = new JsonParser();
  const root = parser.parse(text);
  if (root === null) {
    result.error = "configuration is not valid JSON: " + parser.error;
    return result;
  }
  if (root.kind != JsonKind.Object) {
    result.error = "configuration must be a JSON object";
    return result;
  }
  const errors = new FieldErrors();
  if (checkObject(root, "", KNOWN_FIELDS, errors)) readFields(root, config, errors);
  if (errors.failed) result.error = errors.error;
  else result.config = config;
  return result;
}

function readFields(root: JsonValue, config: PluginConfig, errors: FieldErrors): void {
  if (root.get("stat_prefix") !== null) {
    const prefix = stringField(root, "stat_prefix", "", errors, true);
    if (prefix.includes(".")) errors.fail("field 'stat_prefix' must not contain dots");
    config.statPrefix = prefix;
  }
  config.maxFrameSize = <i32>integerField(root, "max_frame_size", "", errors, MIN_FRAME_SIZE, MAX_FRAME_SIZE, config.maxFrameSize);
  config.maxPendingRequests = <i32>integerField(root, "max_pending_requests", "", errors, 1, 1000000, config.maxPendingRequests);
  config.accessLog = readAccessLog(root.get("access_log"), "access_log", errors);
  config.requestId = readRequestId(root.get("request_id"), "request_id", errors);
  const frameTimeout = stringField(root, "frame_timeout", "", errors, false);
  if (frameTimeout.length > 0 && frameTimeout != "0s") {
    config.frameTimeoutNs = parseDuration(frameTimeout);
    if (config.frameTimeoutNs < MIN_FRAME_TIMEOUT_NS) errors.fail("field 'frame_timeout' must be \"0s\" (off) or a duration of at least 0.2s, like \"10s\"");
  }
  readMutation(listField(root, "request_mutation", "", errors), "request_mutation", config.requestMutation, errors);
  const codecOptions = root.get("codec");
  if (codecOptions !== null) {
    if (codecOptions.kind != JsonKind.Object) errors.fail("field 'codec' must be an object");
    else config.codecOptions = codecOptions;
  }
  config.routes = readRoutes(listField(root, "routes", "", errors), "routes", errors);
  config.connectionRouting = boolField(root, "connection_routing", "", errors, true);
  const mismatch = stringField(root, "route_mismatch", "", errors, false);
  if (mismatch == "reject") config.routeMismatch = RouteMismatch.Reject;
  else if (mismatch.length > 0 && mismatch != "forward") errors.fail("field 'route_mismatch' must be forward or reject");
  const bucketKeys = "meta_protocol." + config.statPrefix + ".local_ratelimit.";
  config.localRateLimit = readLocalRateLimit(root.get("local_ratelimit"), "local_ratelimit", bucketKeys, errors);
  config.globalRateLimit = readGlobalRateLimit(root.get("ratelimit"), "ratelimit", errors);
}

function emptyObject(): JsonValue {
  const v = new JsonValue();
  v.kind = JsonKind.Object;
  return v;
}

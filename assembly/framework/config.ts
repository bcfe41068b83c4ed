// The plugin configuration: JSON from the Envoy `configuration` field, validated once in proxy_on_configure.
// Unknown fields and wrong types are refused with a message naming the field, never ignored.
import { JsonKind, JsonParser, JsonValue } from "./json";

const MIN_FRAME_SIZE: f64 = 64;
const MAX_FRAME_SIZE: f64 = 64 * 1024 * 1024;
const KNOWN_FIELDS: Array<string> = ["stat_prefix", "max_frame_size", "max_pending_requests", "access_log"];

export class PluginConfig {
  /** The `<stat_prefix>` part of metric names (`meta_protocol.<protocol>.<stat_prefix>.request`). */
  statPrefix: string = "";
  /** Largest frame accepted, header included; larger frames close the connection. */
  maxFrameSize: i32 = 1024 * 1024;
  /** Requests tracked per connection while awaiting their response; more are forwarded but not timed. */
  maxPendingRequests: i32 = 10000;
  /** Write one access log line per request. */
  accessLog: bool = true;
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
  for (let i = 0; i < root.keys.length; i++) {
    if (!KNOWN_FIELDS.includes(root.keys[i])) {
      result.error = "unknown field '" + root.keys[i] + "' (known: " + KNOWN_FIELDS.join(", ") + ")";
      return result;
    }
  }

  const statPrefix = root.get("stat_prefix");
  if (statPrefix !== null) {
    if (statPrefix.kind != JsonKind.String || statPrefix.string.length == 0 || statPrefix.string.includes(".")) {
      result.error = "field 'stat_prefix' must be a non-empty string without dots";
      return result;
    }
    config.statPrefix = statPrefix.string;
  }
  const frame = integerField(root, "max_frame_size", MIN_FRAME_SIZE, MAX_FRAME_SIZE, result);
  if (result.error.length > 0) return result;
  if (frame > 0) config.maxFrameSize = frame;
  const pending = integerField(root, "max_pending_requests", 1, 1000000, result);
  if (result.error.length > 0) return result;
  if (pending > 0) config.maxPendingRequests = pending;
  const accessLog = root.get("access_log");
  if (accessLog !== null) {
    if (accessLog.kind != JsonKind.Bool) {
      result.error = "field 'access_log' must be true or false";
      return result;
    }
    config.accessLog = accessLog.bool;
  }
  result.config = config;
  return result;
}

/** Reads an optional integer field within [min, max]; 0 when absent. Sets `result.error` when invalid. */
function integerField(root: JsonValue, name: string, min: f64, max: f64, result: ConfigResult): i32 {
  const v = root.get(name);
  if (v === null) return 0;
  if (v.kind != JsonKind.Number || v.number != Math.floor(v.number) || v.number < min || v.number > max) {
    result.error = "field '" + name + "' must be an integer from " + (<i64>min).toString() + " to " + (<i64>max).toString();
    return 0;
  }
  return <i32>v.number;
}

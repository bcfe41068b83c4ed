// The plugin configuration: JSON from the Envoy `configuration` field, validated once in proxy_on_configure.
// Unknown fields and wrong types are refused with a message naming the field, never ignored.
import { JsonKind, JsonParser, JsonValue } from "./json";
import { Mutation } from "./mutation";

const MIN_FRAME_SIZE: f64 = 64;
const MAX_FRAME_SIZE: f64 = 64 * 1024 * 1024;
const KNOWN_FIELDS: Array<string> = ["stat_prefix", "max_frame_size", "max_pending_requests", "access_log", "request_mutation", "codec"];

export class PluginConfig {
  /** The `<stat_prefix>` part of metric names (`meta_protocol.<protocol>.<stat_prefix>.request`). */
  statPrefix: string = "";
  /** Largest frame accepted, header included; larger frames close the connection. */
  maxFrameSize: i32 = 1024 * 1024;
  /** Requests tracked per connection while awaiting their response; more are forwarded but not timed. */
  maxPendingRequests: i32 = 10000;
  /** Write one access log line per request. */
  accessLog: bool = true;
  /** Key/values set on every request (Dubbo attachments, THeader headers). */
  requestMutation: Mutation = new Mutation();
  /** The codec's own options, checked by the codec (`Codec.configure`). */
  codecOptions: JsonValue = emptyObject();
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
  const mutation = root.get("request_mutation");
  if (mutation !== null) {
    result.error = readMutation(mutation, "request_mutation", config.requestMutation);
    if (result.error.length > 0) return result;
  }
  const codecOptions = root.get("codec");
  if (codecOptions !== null) {
    if (codecOptions.kind != JsonKind.Object) {
      result.error = "field 'codec' must be an object";
      return result;
    }
    config.codecOptions = codecOptions;
  }
  result.config = config;
  return result;
}

function emptyObject(): JsonValue {
  const v = new JsonValue();
  v.kind = JsonKind.Object;
  return v;
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

/** Reads `[{"key": "...", "value": "..."}, ...]` into `into`; returns an error naming the entry, or "". */
function readMutation(v: JsonValue, name: string, into: Mutation): string {
  if (v.kind != JsonKind.Array) return "field '" + name + "' must be a list of {key, value}";
  for (let i = 0; i < v.items.length; i++) {
    const entry = v.items[i];
    const at = name + "[" + i.toString() + "]";
    if (entry.kind != JsonKind.Object) return "field '" + at + "' must be an object {key, value}";
    for (let k = 0; k < entry.keys.length; k++) {
      if (entry.keys[k] != "key" && entry.keys[k] != "value") return "unknown field '" + at + "." + entry.keys[k] + "'";
    }
    const key = entry.get("key");
    const value = entry.get("value");
    if (key === null || key.kind != JsonKind.String || key.string.length == 0) return "field '" + at + ".key' must be a non-empty string";
    if (value === null || value.kind != JsonKind.String) return "field '" + at + ".value' must be a string";
    into.set(key.string, value.string);
  }
  return "";
}

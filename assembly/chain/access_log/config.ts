// The observability fields of the plugin configuration: `access_log` (true, false, or {"format": "..."}) and
// `request_id` ({"generate": true}).
import { AccessLogFormat } from "./format";
import { boolField, checkObject, FieldErrors, join, stringField } from "../../lib/json_fields";
import { JsonKind, JsonValue } from "../../lib/json";

/** `request_id`: whether requests without an `x-request-id` get one (see assembly/chain/request_id.ts). */
export class RequestIdConfig {
  generate: bool = false;
}

/** The compiled access log format (the default line when absent or true), or null when turned off. */
export function readAccessLog(v: JsonValue | null, path: string, errors: FieldErrors): AccessLogFormat | null {
  if (v === null) return AccessLogFormat.legacyFormat();
  if (v.kind == JsonKind.Bool) return v.bool ? AccessLogFormat.legacyFormat() : null;
  if (v.kind != JsonKind.Object) {
    errors.fail("field '" + path + "' must be true, false or an object");
    return null;
  }
  if (!checkObject(v, path, ["format"], errors)) return null;
  if (v.get("format") === null) return AccessLogFormat.legacyFormat();
  const text = stringField(v, "format", path, errors, true);
  if (errors.failed) return null;
  const format = AccessLogFormat.compile(text);
  if (format.error.length > 0) {
    errors.fail("field '" + join(path, "format") + "': " + format.error);
    return null;
  }
  return format;
}

export function readRequestId(v: JsonValue | null, path: string, errors: FieldErrors): RequestIdConfig {
  const config = new RequestIdConfig();
  if (v === null) return config;
  if (!checkObject(v, path, ["generate"], errors)) return config;
  config.generate = boolField(v, "generate", path, errors, false);
  return config;
}

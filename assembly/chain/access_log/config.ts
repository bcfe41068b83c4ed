// The access log's configuration: `access_log` is true (the default line), false, or {"format": "..."}.
import { checkObject, FieldErrors, join, stringField } from "../../lib/json_fields";
import { JsonKind, JsonValue } from "../../lib/json";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { AccessLog } from "./filter";
import { AccessLogFormat } from "./format";

export class AccessLogFactory extends FilterFactory {
  fields(): Array<string> {
    return ["access_log"];
  }

  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const format = readAccessLog(config.get("access_log"), "access_log", errors);
    return format === null ? null : new AccessLog(format, context);
  }
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

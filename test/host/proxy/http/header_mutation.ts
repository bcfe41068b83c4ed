// request_headers_to_add / response_headers_to_add (config.core.v3.HeaderValueOption) at route_config, virtual host
// and route level, applied as Envoy's HeaderParser::evaluateHeaders does (source/common/router/header_parser.cc):
// append_action APPEND_IF_EXISTS_OR_ADD (the default) adds one more value, ADD_IF_ABSENT adds only when absent,
// OVERWRITE_IF_EXISTS_OR_ADD replaces or adds, OVERWRITE_IF_EXISTS replaces only; the deprecated `append` maps
// true → APPEND_IF_EXISTS_OR_ADD and false → OVERWRITE_IF_EXISTS_OR_ADD. An empty value is skipped unless
// keep_empty_value. Values are Envoy format strings; this host implements none of the %COMMAND% operators, so a
// value with a '%' other than the "%%" escape is refused.
import type { ProtoMessage } from "../proto_json.ts";

const APPEND_ACTIONS = ["APPEND_IF_EXISTS_OR_ADD", "ADD_IF_ABSENT", "OVERWRITE_IF_EXISTS_OR_ADD", "OVERWRITE_IF_EXISTS"] as const;
type AppendAction = (typeof APPEND_ACTIONS)[number];

/** Header names to one or more values, lowercase names (node:http2's header object shape). */
export type Headers = Record<string, string | string[] | undefined>;

export interface HeaderMutation {
  readonly name: string;
  readonly value: string;
  readonly action: AppendAction;
  readonly keepEmptyValue: boolean;
}

export function readHeaderMutations(owner: ProtoMessage, key: string): HeaderMutation[] {
  return owner.messages(key).map((option) => {
    const header = option.message("header");
    const name = header.string("key").toLowerCase();
    const value = header.optionalString("value") ?? "";
    header.end();
    if (value.replaceAll("%%", "").includes("%")) {
      header.fail("value", "format operators (%...%) are not supported by this host");
    }
    if (name.startsWith(":") || name === "host") header.fail("key", "pseudo-headers and host may not be modified");
    const legacyAppend = option.optionalBool("append");
    const explicitAction = option.optionalString("append_action");
    const action = option.enumName<AppendAction>("append_action", APPEND_ACTIONS, "APPEND_IF_EXISTS_OR_ADD");
    if (legacyAppend !== undefined && explicitAction !== undefined) {
      option.fail("append", "append and append_action are mutually exclusive");
    }
    const keepEmptyValue = option.bool("keep_empty_value", false);
    option.end();
    const chosen = legacyAppend === undefined ? action : legacyAppend ? "APPEND_IF_EXISTS_OR_ADD" : "OVERWRITE_IF_EXISTS_OR_ADD";
    return { name, value: value.replaceAll("%%", "%"), action: chosen, keepEmptyValue };
  });
}

/** Applies each mutation list in turn: a later list wins over an earlier one. */
export function applyHeaderMutations(headers: Headers, ...lists: readonly (readonly HeaderMutation[])[]): void {
  for (const mutations of lists) {
    for (const { name, value, action, keepEmptyValue } of mutations) {
      if (value === "" && !keepEmptyValue) continue;
      const current = headers[name];
      const present = current !== undefined;
      if (action === "APPEND_IF_EXISTS_OR_ADD") headers[name] = present ? [...[current].flat(), value] : value;
      else if (action === "ADD_IF_ABSENT" && !present) headers[name] = value;
      else if (action === "OVERWRITE_IF_EXISTS_OR_ADD" || (action === "OVERWRITE_IF_EXISTS" && present)) headers[name] = value;
    }
  }
}

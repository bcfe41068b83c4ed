// Envoy's type.matcher.v3.StringMatcher and config.route.v3.HeaderMatcher, as a route's `headers` match uses them
// (source/common/common/matchers.cc StringMatcherImpl::match, source/common/http/header_utility.cc
// HeaderUtility::matchHeaders). safe_regex is RE2 in Envoy; here it is a JavaScript RegExp anchored at both ends
// (RE2's full match), which agrees with RE2 on the syntax both share.
import type { ProtoMessage } from "../proto_json.ts";

export interface StringMatcher {
  matches(value: string): boolean;
}

export interface HeaderMatcher {
  /** Lowercase, as HTTP/2 carries header names. */
  readonly name: string;
  /** Matches the header's value (several values joined with commas); undefined: absent from the request. */
  matches(value: string | undefined): boolean;
  /**
   * Matches each value of the header on its own (HeaderDataBaseImpl::matchesHeadersIndividually): a value matcher
   * matches when one value does, inverted when none does; an absent header never matches a value matcher.
   */
  matchesIndividually(values: readonly string[]): boolean;
}

const TEXT_MATCH_KINDS = ["exact", "prefix", "suffix", "contains"] as const;

export function readStringMatcher(message: ProtoMessage): StringMatcher {
  const ignoreCase = message.bool("ignore_case", false);
  const set = TEXT_MATCH_KINDS.filter((kind) => message.optionalString(kind) !== undefined);
  const regex = message.optionalMessage("safe_regex");
  if (set.length + (regex ? 1 : 0) !== 1) message.fail("exact", `exactly one of ${TEXT_MATCH_KINDS.join(", ")}, safe_regex must be set`);
  if (regex !== undefined) {
    if (ignoreCase) message.fail("ignore_case", "ignore_case has no effect on safe_regex and Envoy rejects it");
    const pattern = readRegex(regex);
    message.end();
    return { matches: (value) => pattern.test(value) };
  }
  const kind = set[0];
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const expected = fold(message.optionalString(kind) ?? "");
  message.end();
  const compare: Record<(typeof TEXT_MATCH_KINDS)[number], (value: string) => boolean> = {
    exact: (value) => value === expected,
    prefix: (value) => value.startsWith(expected),
    suffix: (value) => value.endsWith(expected),
    contains: (value) => value.includes(expected),
  };
  const test = compare[kind];
  return { matches: (value) => test(fold(value)) };
}

/** type.matcher.v3.RegexMatcher: the google_re2 engine (the only one), full match. */
export function readRegex(message: ProtoMessage): RegExp {
  const google = message.optionalMessage("google_re2");
  google?.end(); // max_program_size is deprecated and has no meaning for a JavaScript RegExp
  const source = message.string("regex");
  message.end();
  try {
    return new RegExp(`^(?:${source})$`, "u");
  } catch (error) {
    return message.fail("regex", `invalid regex: ${(error as Error).message}`);
  }
}

/**
 * A HeaderMatcher: `string_match`, `present_match`, or nothing (the header must be present), with `invert_match`.
 * A value matcher never matches an absent header, inverted or not (treat_missing_header_as_empty unset).
 */
export function readHeaderMatcher(message: ProtoMessage): HeaderMatcher {
  const name = message.string("name").toLowerCase();
  const invert = message.bool("invert_match", false);
  const stringMatch = message.optionalMessage("string_match");
  const present = message.bool("present_match", true);
  message.end();
  if (stringMatch === undefined) {
    const matches = (value: string | undefined) => (value !== undefined) === present !== invert;
    return { name, matches, matchesIndividually: (values) => matches(values[0]) };
  }
  const matcher = readStringMatcher(stringMatch);
  return {
    name,
    matches: (value) => value !== undefined && matcher.matches(value) !== invert,
    matchesIndividually: (values) => values.length > 0 && values.some((value) => matcher.matches(value)) !== invert,
  };
}

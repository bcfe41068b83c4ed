// Reading matchers from configuration: a RouteMatch `{"metadata": [HeaderMatcher, ...]}`, as MetaProtocol's routes
// and rate limit conditions have it. Matchers are Envoy HeaderMatchers: exact_match, prefix_match, suffix_match,
// contains_match, safe_regex_match {regex}, present_match, or string_match {exact | prefix | suffix | contains |
// safe_regex {regex}}, each with invert_match.
import { boolField, checkObject, FieldErrors, item, join, listField, stringField } from "../lib/json_fields";
import { JsonValue } from "../lib/json";
import { Regex } from "../lib/regex/regex";
import { MatchKind, MetadataMatcher } from "./matcher";

const MATCHER_FIELDS: Array<string> = [
  "name", "exact_match", "prefix_match", "suffix_match", "contains_match", "safe_regex_match", "present_match",
  "string_match", "invert_match",
];
const STRING_MATCH_FIELDS: Array<string> = ["exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"];

/** Reads a RouteMatch, `{"metadata": [HeaderMatcher, ...]}` (absent: matches everything). */
export function readMatch(match: JsonValue | null, path: string, errors: FieldErrors): Array<MetadataMatcher> {
  const matchers: Array<MetadataMatcher> = [];
  if (match === null || !checkObject(match, path, ["metadata"], errors)) return matchers;
  const list = listField(match, "metadata", path, errors);
  for (let m = 0; m < list.length && !errors.failed; m++) {
    const matcher = readMatcher(list[m], item(join(path, "metadata"), m), errors);
    if (matcher !== null) matchers.push(matcher);
  }
  return matchers;
}

function readMatcher(v: JsonValue, path: string, errors: FieldErrors): MetadataMatcher | null {
  if (!checkObject(v, path, MATCHER_FIELDS, errors)) return null;
  const name = stringField(v, "name", path, errors, true);
  const invert = boolField(v, "invert_match", path, errors, false);
  let found = 0;
  let kind = MatchKind.Present;
  let value = "";
  let present = true;
  let regex: Regex | null = null;
  const kinds: Array<string> = ["exact_match", "prefix_match", "suffix_match", "contains_match"];
  for (let k = 0; k < kinds.length; k++) {
    if (v.get(kinds[k]) !== null) {
      found++;
      kind = <MatchKind>k;
      value = stringField(v, kinds[k], path, errors, false);
    }
  }
  const present_ = v.get("present_match");
  if (present_ !== null) {
    found++;
    kind = MatchKind.Present;
    present = boolField(v, "present_match", path, errors, true);
  }
  const safeRegex = v.get("safe_regex_match");
  if (safeRegex !== null) {
    found++;
    kind = MatchKind.SafeRegex;
    regex = readRegex(safeRegex, join(path, "safe_regex_match"), errors);
  }
  const stringMatch = v.get("string_match");
  if (stringMatch !== null) {
    found++;
    const spath = join(path, "string_match");
    if (!checkObject(stringMatch, spath, STRING_MATCH_FIELDS, errors)) return null;
    if (boolField(stringMatch, "ignore_case", spath, errors, false)) errors.fail("field '" + join(spath, "ignore_case") + "' is not supported");
    let inner = 0;
    const fields: Array<string> = ["exact", "prefix", "suffix", "contains"];
    for (let k = 0; k < fields.length; k++) {
      if (stringMatch.get(fields[k]) !== null) {
        inner++;
        kind = <MatchKind>k;
        value = stringField(stringMatch, fields[k], spath, errors, false);
      }
    }
    const inner_regex = stringMatch.get("safe_regex");
    if (inner_regex !== null) {
      inner++;
      kind = MatchKind.SafeRegex;
      regex = readRegex(inner_regex, join(spath, "safe_regex"), errors);
    }
    if (inner != 1 && !errors.failed) errors.fail("field '" + spath + "' must have exactly one of exact, prefix, suffix, contains, safe_regex");
  }
  if (found != 1 && !errors.failed) {
    errors.fail("field '" + path + "' must have exactly one of exact_match, prefix_match, suffix_match, contains_match, safe_regex_match, present_match, string_match");
  }
  if (errors.failed) return null;
  return new MetadataMatcher(name, kind, value, present, regex, invert);
}

function readRegex(v: JsonValue, path: string, errors: FieldErrors): Regex | null {
  if (!checkObject(v, path, ["regex", "google_re2"], errors)) return null;
  const pattern = stringField(v, "regex", path, errors, true);
  if (errors.failed) return null;
  const compiled = Regex.compile(pattern);
  if (compiled.regex === null) errors.fail("field '" + join(path, "regex") + "': " + compiled.error);
  return compiled.regex;
}

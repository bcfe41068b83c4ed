// Reading `routes` from the plugin configuration, in MetaProtocol's shape, so that its routes port as they are:
//   {"name": "v2", "match": {"metadata": [{"name": "method", "exact_match": "sayHello"}, ...]},
//    "route": {"cluster": "c"} | {"weighted_clusters": {"clusters": [{"name": "c", "weight": 90}, ...]}},
//    "request_mutation": [{"key": "k", "value": "v"}], "response_mutation": [...]}
// Matchers are Envoy HeaderMatchers: exact_match, prefix_match, suffix_match, contains_match,
// safe_regex_match {regex}, present_match, or string_match {exact | prefix | suffix | contains | safe_regex {regex}},
// each with invert_match.
import {
  boolField,
  checkObject,
  FieldErrors,
  integerField,
  item,
  join,
  listField,
  stringField,
} from "./config_fields";
import { JsonValue } from "../lib/json";
import { MatchKind, MetadataMatcher } from "./matcher";
import { Mutation } from "./mutation";
import { Regex } from "../lib/regex/regex";
import { Route, RouteTable, WeightedCluster } from "./route";

const ROUTE_FIELDS: Array<string> = ["name", "match", "route", "request_mutation", "response_mutation"];
const MATCHER_FIELDS: Array<string> = [
  "name", "exact_match", "prefix_match", "suffix_match", "contains_match", "safe_regex_match", "present_match",
  "string_match", "invert_match",
];
const STRING_MATCH_FIELDS: Array<string> = ["exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"];

export function readRoutes(list: Array<JsonValue>, path: string, errors: FieldErrors): RouteTable {
  const table = new RouteTable();
  for (let i = 0; i < list.length && !errors.failed; i++) {
    const at = item(path, i);
    const v = list[i];
    if (!checkObject(v, at, ROUTE_FIELDS, errors)) break;
    const route = new Route(stringField(v, "name", at, errors, false));
    route.matchers = readMatch(v.get("match"), join(at, "match"), errors);
    readAction(v.get("route"), join(at, "route"), route, errors);
    readMutation(listField(v, "request_mutation", at, errors), join(at, "request_mutation"), route.requestMutation, errors);
    readMutation(listField(v, "response_mutation", at, errors), join(at, "response_mutation"), route.responseMutation, errors);
    table.routes.push(route);
  }
  return table;
}

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

/** Reads `[{"key": "...", "value": "..."}, ...]` into `into`. */
export function readMutation(list: Array<JsonValue>, path: string, into: Mutation, errors: FieldErrors): void {
  for (let i = 0; i < list.length && !errors.failed; i++) {
    const at = item(path, i);
    if (!checkObject(list[i], at, ["key", "value"], errors)) return;
    const key = stringField(list[i], "key", at, errors, true);
    if (list[i].get("value") === null) errors.fail("field '" + join(at, "value") + "' is required");
    const value = stringField(list[i], "value", at, errors, false);
    if (!errors.failed) into.set(key, value);
  }
}

function readAction(v: JsonValue | null, path: string, route: Route, errors: FieldErrors): void {
  if (v === null) {
    errors.fail("field '" + path + "' is required (a cluster or weighted_clusters)");
    return;
  }
  if (!checkObject(v, path, ["cluster", "weighted_clusters"], errors)) return;
  const weighted = v.get("weighted_clusters");
  if ((v.get("cluster") === null) == (weighted === null)) {
    errors.fail("field '" + path + "' must have exactly one of cluster, weighted_clusters");
    return;
  }
  if (weighted === null) {
    route.cluster = stringField(v, "cluster", path, errors, true);
    return;
  }
  const wpath = join(path, "weighted_clusters");
  if (!checkObject(weighted, wpath, ["clusters", "total_weight"], errors)) return;
  const clusters = listField(weighted, "clusters", wpath, errors);
  if (clusters.length == 0 && !errors.failed) errors.fail("field '" + join(wpath, "clusters") + "' must not be empty");
  let total: u32 = 0;
  for (let i = 0; i < clusters.length && !errors.failed; i++) {
    const at = item(join(wpath, "clusters"), i);
    if (!checkObject(clusters[i], at, ["name", "weight"], errors)) return;
    const name = stringField(clusters[i], "name", at, errors, true);
    const weight = <u32>integerField(clusters[i], "weight", at, errors, 0, 1000000, 1);
    route.clusters.push(new WeightedCluster(name, weight));
    total += weight;
  }
  const declared = integerField(weighted, "total_weight", wpath, errors, 1, 1e8, 0);
  if (!errors.failed && declared > 0 && <u32>declared != total) {
    errors.fail("field '" + join(wpath, "total_weight") + "' is " + (<u32>declared).toString() + " but the weights add up to " + total.toString());
  }
  if (!errors.failed && total == 0) errors.fail("field '" + join(wpath, "clusters") + "' weights add up to 0");
  route.totalWeight = total;
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

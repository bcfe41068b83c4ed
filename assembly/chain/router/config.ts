// The router's configuration: `routes` in MetaProtocol's shape (so that its routes port as they are),
// `connection_routing` and `route_mismatch`:
//   {"name": "v2", "match": {"metadata": [{"name": "method", "exact_match": "sayHello"}, ...]},
//    "route": {"cluster": "c"} | {"weighted_clusters": {"clusters": [{"name": "c", "weight": 90}, ...]}},
//    "request_mutation": [{"key": "k", "value": "v"}], "response_mutation": [...]}
import { boolField, checkObject, FieldErrors, integerField, item, join, listField, stringField } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { readMatch } from "../../core/matcher_config";
import { readMutation } from "../../core/mutation_config";
import { Router, RouteMismatch } from "./filter";
import { Route, RouteTable, WeightedCluster } from "./route";

const ROUTE_FIELDS: Array<string> = ["name", "match", "route", "request_mutation", "response_mutation"];

export class RouterFactory extends FilterFactory {
  fields(): Array<string> {
    return ["routes", "connection_routing", "route_mismatch"];
  }

  /** A router when there are routes; without, every request goes on and tcp_proxy's cluster applies. */
  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const routes = readRoutes(listField(config, "routes", "", errors), "routes", errors);
    const connectionRouting = boolField(config, "connection_routing", "", errors, true);
    const mismatch = stringField(config, "route_mismatch", "", errors, false);
    let onMismatch = RouteMismatch.Forward;
    if (mismatch == "reject") onMismatch = RouteMismatch.Reject;
    else if (mismatch.length > 0 && mismatch != "forward") errors.fail("field 'route_mismatch' must be forward or reject");
    return errors.failed || routes.size == 0 ? null : new Router(routes, connectionRouting, onMismatch, context.stats);
  }
}

export function readRoutes(list: Array<JsonValue>, path: string, errors: FieldErrors): RouteTable {
  const table = new RouteTable();
  for (let i = 0; i < list.length && !errors.failed; i++) {
    const at = item(path, i);
    const v = list[i];
    if (!checkObject(v, at, ROUTE_FIELDS, errors)) break;
    const route = new Route(stringField(v, "name", at, errors, false), i);
    route.matchers = readMatch(v.get("match"), join(at, "match"), errors);
    readAction(v.get("route"), join(at, "route"), route, errors);
    readMutation(listField(v, "request_mutation", at, errors), join(at, "request_mutation"), route.requestMutation, errors);
    readMutation(listField(v, "response_mutation", at, errors), join(at, "response_mutation"), route.responseMutation, errors);
    table.routes.push(route);
  }
  return table;
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


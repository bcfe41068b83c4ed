// The router's metrics (see assembly/core/stats/metric.ts for the form of each line).
import { counter, Scope } from "../../core/stats/metric";

export const ROUTE_NOT_FOUND = counter("route_not_found", Scope.PluginAndMethod); // Requests no route matched, answered with a route-not-found error
export const ROUTE_MISMATCH = counter("route_mismatch", Scope.PluginAndMethod); // Requests whose route leads elsewhere than their connection's cluster (forwarded or rejected per route_mismatch)
export const ROUTE_REQUEST = counter("request", Scope.Route); // Requests that took the route (rejected ones included)

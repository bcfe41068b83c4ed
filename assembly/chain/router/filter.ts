// The router: finds each request's route (first match wins). A request with no route is rejected (route not
// found). With connection routing, the connection's first routed request chooses the cluster tcp_proxy connects to
// (weighted routes by a random draw). A network filter cannot choose the upstream per request: any later request
// whose route does not lead to the connection's actual cluster is forwarded or rejected per `route_mismatch`, and
// counted either way. When the connection's cluster is tcp_proxy's choice and Envoy has not named it yet (before the
// connection's first response), the request goes on and its route is checked when its response comes. A route's
// request mutation is set on its requests, its response mutation on their responses.
import { SplitMix64 } from "../../lib/random";
import { ErrorType, MessageType } from "../../core/codec";
import { Filter } from "../../core/filter";
import { FilterStatus, Request, RequestState } from "../../core/request";
import { Response } from "../../core/response";
import { KeyUsage } from "../../core/key_usage";
import { MetricGroup } from "../../core/stats/metric_group";
import { Stats } from "../../core/stats/stats";
import { ROUTE_MISMATCH, ROUTE_NOT_FOUND, ROUTE_REQUEST } from "./metrics";
import { Route, RouteTable } from "./route";

/** What to do with a request whose route names another cluster than the one its connection went to. */
export enum RouteMismatch {
  /** Send it on the connection's cluster anyway (counted). */
  Forward = 0,
  /** Answer it with a route-not-found error (counted). */
  Reject = 1,
}

/** The route a request took: for its response's mutation, and for checking it against the connection's cluster. */
@final
class RouteTaken extends RequestState {
  route: Route | null = null;
  /** The connection's cluster was not named when the request went on: its route is checked on its response. */
  checkOnResponse: bool = false;

  reset(): void {
    this.route = null;
    this.checkOnResponse = false;
  }
}

export class Router extends Filter {
  private readonly random: SplitMix64 = new SplitMix64();
  /** Each route's metrics, by route position. */
  private readonly groups: Array<MetricGroup> = [];

  constructor(
    readonly routes: RouteTable,
    readonly connectionRouting: bool,
    readonly mismatch: RouteMismatch,
    private readonly stats: Stats,
  ) {
    super();
    for (let i = 0; i < routes.size; i++) this.groups.push(stats.routeGroup(routes.routes[i].metricName));
  }

  declareKeys(usage: KeyUsage): void {
    const routes = this.routes.routes;
    for (let i = 0; i < routes.length; i++) usage.readsMatched(routes[i].matchers);
  }

  choosesCluster(): bool {
    return this.connectionRouting;
  }

  onRequest(request: Request): FilterStatus {
    if (request.metadata.messageType == MessageType.Heartbeat) return FilterStatus.Continue; // never routed
    const route = this.routes.find(request.metadata);
    if (route === null) {
      request.count(ROUTE_NOT_FOUND);
      return request.reject(ErrorType.RouteNotFound, "no route matches this request");
    }
    request.routeName = route.name;
    this.stats.inc(ROUTE_REQUEST, unchecked(this.groups[route.index]));
    const connection = request.connection;
    if (!connection.clusterSettled) {
      if (!this.random.seeded) this.random.seed(request.nowNs);
      connection.chooseCluster(route.pickCluster(this.random.next32()));
      // Envoy may refuse the choice (before 1.28): then tcp_proxy's own cluster serves this request too.
      this.taken(request, route).checkOnResponse = true;
    } else if (connection.cluster.length == 0) {
      this.taken(request, route).checkOnResponse = true;
    } else if (!route.hasCluster(connection.cluster)) {
      request.count(ROUTE_MISMATCH);
      if (this.mismatch == RouteMismatch.Reject) {
        return request.reject(ErrorType.RouteNotFound, "route '" + route.name + "' leads elsewhere than this connection");
      }
    }
    if (route.responseMutation.size > 0) this.taken(request, route);
    if (route.requestMutation.size > 0) request.addMutation(route.requestMutation);
    return FilterStatus.Continue;
  }

  onResponse(response: Response): void {
    const request = response.request;
    if (request === null || request.rejected) return;
    const state = request.stateOf(this.position);
    if (state === null) return;
    const taken = changetype<RouteTaken>(state);
    const route = taken.route;
    if (route === null) return;
    const cluster = request.connection.cluster;
    if (taken.checkOnResponse && cluster.length > 0 && !route.hasCluster(cluster)) request.count(ROUTE_MISMATCH);
    if (route.responseMutation.size > 0) response.addMutation(route.responseMutation);
  }

  /** The request's RouteTaken (made on its first use by this pooled request), set to `route`. */
  private taken(request: Request, route: Route): RouteTaken {
    const state = request.stateOf(this.position);
    let taken: RouteTaken;
    if (state !== null) {
      taken = changetype<RouteTaken>(state);
    } else {
      taken = new RouteTaken();
      request.setState(this.position, taken);
    }
    taken.route = route;
    return taken;
  }
}

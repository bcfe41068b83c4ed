// The router: finds each request's route (first match wins). A request with no route is rejected (route not
// found). With connection routing, the connection's first routed request chooses the cluster tcp_proxy connects to
// (weighted routes by a random draw); a later request whose route goes elsewhere is forwarded or rejected per
// `route_mismatch`, and counted either way. A network filter cannot choose the upstream per request. A route's
// request mutation is set on its requests, its response mutation on their responses.
import { SplitMix64 } from "../../lib/random";
import { ErrorType, MessageType } from "../../core/codec";
import { Filter } from "../../core/filter";
import { FilterStatus, Request, RequestState } from "../../core/request";
import { Response } from "../../core/response";
import { KeyUsage } from "../../core/key_usage";
import { ROUTE_MISMATCH, ROUTE_NOT_FOUND } from "./metrics";
import { Route, RouteTable } from "./route";

/** What to do with a request whose route names another cluster than the one its connection went to. */
export enum RouteMismatch {
  /** Send it on the connection's cluster anyway (counted). */
  Forward = 0,
  /** Answer it with a route-not-found error (counted). */
  Reject = 1,
}

/** The route a request took, for its response's mutation. */
@final
class RouteTaken extends RequestState {
  route: Route | null = null;

  reset(): void {
    this.route = null;
  }
}

export class Router extends Filter {
  private readonly random: SplitMix64 = new SplitMix64();

  constructor(
    readonly routes: RouteTable,
    readonly connectionRouting: bool,
    readonly mismatch: RouteMismatch,
  ) {
    super();
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
    if (this.connectionRouting) {
      const connection = request.connection;
      if (connection.cluster.length == 0) {
        if (!this.random.seeded) this.random.seed(request.nowNs);
        connection.chooseCluster(route.pickCluster(this.random.next32()));
      } else if (!route.hasCluster(connection.cluster)) {
        request.count(ROUTE_MISMATCH);
        if (this.mismatch == RouteMismatch.Reject) {
          return request.reject(ErrorType.RouteNotFound, "route '" + route.name + "' leads elsewhere than this connection");
        }
      }
    }
    if (route.responseMutation.size > 0) this.taken(request).route = route;
    if (route.requestMutation.size > 0) request.addMutation(route.requestMutation);
    return FilterStatus.Continue;
  }

  onResponse(response: Response): void {
    const request = response.request;
    if (request === null || request.rejected) return;
    const state = request.stateOf(this.position);
    if (state === null) return;
    const route = changetype<RouteTaken>(state).route;
    if (route !== null) response.addMutation(route.responseMutation);
  }

  private taken(request: Request): RouteTaken {
    const state = request.stateOf(this.position);
    if (state !== null) return changetype<RouteTaken>(state);
    const taken = new RouteTaken();
    request.setState(this.position, taken);
    return taken;
  }
}

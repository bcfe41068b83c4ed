// The router: finds each request's route (first match wins). A request with no route is rejected (route not
// found). With connection routing, the connection's first routed request chooses the cluster tcp_proxy connects to
// (weighted routes by a random draw); a later request whose route goes elsewhere is forwarded or rejected per
// `route_mismatch`, and counted either way. A network filter cannot choose the upstream per request.
import { ErrorType, MessageType } from "../../core/codec";
import { RouteMismatch } from "../../core/plugin_config";
import { Filter, FilterStatus, RequestContext } from "../../core/filter";
import { RouteTable } from "./route";
import { Stats } from "../../core/stats/stats";

export class Router extends Filter {
  private random: u64 = 0;

  constructor(
    private readonly routes: RouteTable,
    private readonly connectionRouting: bool,
    private readonly mismatch: RouteMismatch,
    private readonly stats: Stats,
  ) {
    super();
  }

  onRequest(context: RequestContext): FilterStatus {
    if (context.request.messageType == MessageType.Heartbeat) return FilterStatus.Continue; // never routed
    const route = this.routes.find(context.request);
    if (route === null) {
      this.stats.routeNotFoundRequest();
      return context.reject(ErrorType.RouteNotFound, "no route matches this request");
    }
    context.route = route;
    if (this.connectionRouting) {
      const connection = context.connection;
      if (connection.cluster.length == 0) {
        connection.chooseCluster(route.pickCluster(this.draw(context.nowNs)));
      } else if (!route.hasCluster(connection.cluster)) {
        this.stats.routeMismatchRequest();
        if (this.mismatch == RouteMismatch.Reject) {
          return context.reject(ErrorType.RouteNotFound, "route '" + route.name + "' leads elsewhere than this connection");
        }
      }
    }
    if (route.requestMutation.size > 0) context.mutations.push(route.requestMutation);
    return FilterStatus.Continue;
  }

  /** A uniform 32-bit draw (splitmix64, seeded by the clock on first use). */
  private draw(nowNs: u64): u32 {
    if (this.random == 0) this.random = nowNs | 1;
    this.random += 0x9e3779b97f4a7c15;
    let z = this.random;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return <u32>((z ^ (z >> 31)) >> 32);
  }
}

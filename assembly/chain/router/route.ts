// Routes in the shape of MetaProtocol's route configuration: the first route whose matchers all match a request's
// metadata wins; it names a cluster (or weighted clusters) and the mutations for the request and its response.
import { matchesAll, MetadataMatcher } from "../../core/matcher";
import { Metadata } from "../../core/metadata";
import { Mutation } from "../../core/mutation";

@final
export class WeightedCluster {
  constructor(public readonly name: string, public readonly weight: u32) {}
}

@final
export class Route {
  matchers: Array<MetadataMatcher> = [];
  /** The cluster; for weighted clusters, `clusters` holds them and this is "". */
  cluster: string = "";
  clusters: Array<WeightedCluster> = [];
  totalWeight: u32 = 0;
  requestMutation: Mutation = new Mutation();
  responseMutation: Mutation = new Mutation();

  constructor(
    public readonly name: string,
    /** Its position in the route table. */
    public readonly index: i32,
  ) {}

  /** How its metrics name it: its name, or `#<position>` when it has none. */
  get metricName(): string {
    return this.name.length > 0 ? this.name : "#" + this.index.toString();
  }

  matches(md: Metadata): bool {
    return matchesAll(this.matchers, md);
  }

  /** The cluster for a draw `ticket` in [0, 2^32): weighted clusters are picked in proportion to their weights. */
  pickCluster(ticket: u32): string {
    if (this.clusters.length == 0) return this.cluster;
    let point = <u32>((<u64>ticket * <u64>this.totalWeight) >> 32);
    for (let i = 0; i < this.clusters.length; i++) {
      const c = unchecked(this.clusters[i]);
      if (point < c.weight) return c.name;
      point -= c.weight;
    }
    return this.clusters[this.clusters.length - 1].name;
  }

  /** Whether `cluster` is one this route may send to. */
  hasCluster(cluster: string): bool {
    if (this.clusters.length == 0) return this.cluster == cluster;
    for (let i = 0; i < this.clusters.length; i++) if (this.clusters[i].name == cluster) return true;
    return false;
  }
}

@final
export class RouteTable {
  routes: Array<Route> = [];

  get size(): i32 {
    return this.routes.length;
  }

  /** The first route matching `md`, or null. */
  find(md: Metadata): Route | null {
    for (let i = 0, n = this.routes.length; i < n; i++) {
      const route = unchecked(this.routes[i]);
      if (route.matches(md)) return route;
    }
    return null;
  }
}

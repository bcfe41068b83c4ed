// A plugin's metrics: every metric declared for plugins, defined once per plugin, and the groups: per method (found
// from each request), per route (made when the router is), per upstream cluster (made when a connection's cluster
// becomes known). Changes are summed in wasm and handed to the host once per data event (`flush`), so a read
// carrying 64 requests costs a few host calls, not hundreds.
import { Metadata } from "../metadata";
import { CLUSTER_METRICS_OVERFLOW, METHOD_METRICS_OVERFLOW } from "../metrics";
import { defineAll, Group, Metric, MetricDef, MetricKind, MetricSink, pluginMetrics } from "./metric";
import { MetricGroup } from "./metric_group";
import { MethodStats, safeName } from "./method_stats";
import {
  CLUSTER_FAMILY, CLUSTER_TAG, METHOD_FAMILY, METRIC_ROOT, PROTOCOL_TAG, ROUTE_FAMILY, ROUTE_TAG, STAT_PREFIX_TAG, tagged,
} from "./stat_tags";

/** Distinct upstream clusters given their own metrics; later ones are only counted as overflow. */
const MAX_CLUSTERS = 256;

@final
export class Stats {
  /** By `MetricDef.pluginIndex`; histograms keep only their id. */
  private readonly metrics: StaticArray<Metric>;
  /** The counters and gauges among them, which `flush` visits. */
  private readonly flushed: Array<Metric>;
  private readonly methods: MethodStats;
  /** The tags naming the plugin (`protocol=.=…;.;stat_prefix=.=…;.;`), which every group's names carry. */
  private readonly pluginTags: string;
  /** The clusters' metrics, and their names in the same order (few, and looked up once per connection). */
  private readonly clusters: Array<MetricGroup> = [];
  private readonly clusterNames: Array<string> = [];
  /** The groups whose metrics changed since the last flush. */
  private readonly touched: Array<MetricGroup>;

  /**
   * Names keep MetaProtocol's (`request`, `response_success`, ...), with the protocol and the stat prefix as tags
   * (stat_tags.ts); `serviceKey` / `methodKey` are the metadata keys naming a request's service and method (UTF-8).
   */
  constructor(private readonly sink: MetricSink, protocol: string, statPrefix: string, serviceKey: ArrayBuffer, methodKey: ArrayBuffer) {
    const pluginTags = tagged(PROTOCOL_TAG, safeName(protocol)) + tagged(STAT_PREFIX_TAG, safeName(statPrefix));
    const metrics = defineAll(sink, pluginMetrics(), METRIC_ROOT + pluginTags);
    const touched: Array<MetricGroup> = [];
    this.metrics = metrics;
    this.flushed = countersAndGauges(metrics);
    this.pluginTags = pluginTags;
    this.touched = touched;
    this.methods = new MethodStats(sink, METRIC_ROOT + METHOD_FAMILY + pluginTags, serviceKey, methodKey, metrics[METHOD_METRICS_OVERFLOW.pluginIndex], touched);
  }

  /** The per-method metrics of a request (null when it names no method or the bound is reached). */
  methodOf(request: Metadata): MetricGroup | null {
    return this.methods.of(request);
  }

  /** A new route's metrics (routes are named by the configuration, a few, made once). */
  routeGroup(route: string): MetricGroup {
    return new MetricGroup(Group.Route, this.sink, METRIC_ROOT + ROUTE_FAMILY + this.pluginTags + tagged(ROUTE_TAG, safeName(route)), this.touched);
  }

  /** The metrics of an upstream cluster (null past the bound of distinct clusters). */
  clusterGroup(cluster: string): MetricGroup | null {
    const known = this.clusterNames.indexOf(cluster);
    if (known >= 0) return this.clusters[known];
    if (this.clusters.length >= MAX_CLUSTERS) {
      this.inc(CLUSTER_METRICS_OVERFLOW);
      return null;
    }
    const group = new MetricGroup(Group.Cluster, this.sink, METRIC_ROOT + CLUSTER_FAMILY + this.pluginTags + tagged(CLUSTER_TAG, safeName(cluster)), this.touched);
    this.clusters.push(group);
    this.clusterNames.push(cluster);
    return group;
  }

  /** Counts one, for the plugin when the metric is the plugin's, and for `group` when it is one of its group's. */
  @inline inc(def: MetricDef, group: MetricGroup | null = null): void {
    const at = def.pluginIndex;
    if (at >= 0) unchecked(this.metrics[at]).pending++;
    if (group !== null) addToGroup(def, 1, group);
  }

  add(def: MetricDef, delta: i64, group: MetricGroup | null = null): void {
    const at = def.pluginIndex;
    if (at >= 0) unchecked(this.metrics[at]).pending += delta;
    if (group !== null) addToGroup(def, delta, group);
  }

  /** Records a histogram sample, as `add` counts. */
  record(def: MetricDef, value: u64, group: MetricGroup | null = null): void {
    const at = def.pluginIndex;
    if (at >= 0) this.sink.record(unchecked(this.metrics[at]).id, value);
    const member = def.groupIndex;
    if (group !== null && member >= 0) this.sink.record(unchecked(group.metrics[member]).id, value);
  }

  /** Hands every pending change to the host (of the groups, only those changed since the last flush are visited). */
  flush(): void {
    const sink = this.sink;
    const flushed = this.flushed;
    for (let i = 0, n = flushed.length; i < n; i++) unchecked(flushed[i]).flushTo(sink);
    const touched = this.touched;
    if (touched.length == 0) return;
    for (let i = 0, n = touched.length; i < n; i++) unchecked(touched[i]).flushTo(sink);
    touched.length = 0;
  }
}

/** The counters and gauges of the plugin's `metrics`. */
function countersAndGauges(metrics: StaticArray<Metric>): Array<Metric> {
  const defs = pluginMetrics();
  const out: Array<Metric> = [];
  for (let i = 0; i < defs.length; i++) if (defs[i].kind != MetricKind.Histogram) out.push(metrics[i]);
  return out;
}

function addToGroup(def: MetricDef, delta: i64, group: MetricGroup): void {
  const member = def.groupIndex;
  if (member < 0) return;
  group.touch();
  unchecked(group.metrics[member]).pending += delta;
}

// Metrics as the core and the filters declare them, and the counters that sum their changes in wasm until a flush.
//
// Every metric is declared once, at the top level of its owner's `metrics.ts`, one per line and in this exact form
// (test/docs/metric_table.ts reads these lines to write and check the metric list in docs/metrics-and-logs.md):
//
//   export const NAME = counter("name", Scope.Plugin); // what it counts, in one sentence
//
// Declaring a metric defines it for every plugin of the module. Its scope says for what it is counted: the plugin,
// the plugin and each method, each route, or each upstream cluster (metric_group.ts, stat_tags.ts for the names).

export enum MetricKind {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

export enum Scope {
  /** One per plugin. */
  Plugin = 0,
  /** Per plugin, and per service and method as well. */
  PluginAndMethod = 1,
  /** Per route of the plugin. */
  Route = 2,
  /** Per upstream cluster the plugin's connections go to. */
  Cluster = 3,
}

/** The keyed groups a metric may belong to, besides the plugin. */
export enum Group {
  Method = 0,
  Route = 1,
  Cluster = 2,
}

const GROUP_COUNT = 3;

@final
export class MetricDef {
  constructor(
    public readonly kind: MetricKind,
    public readonly name: string,
    /** Position among the plugin's own metrics, or -1 (a metric of routes or clusters only). */
    public readonly pluginIndex: i32,
    /** Position among its group's metrics, or -1 (a metric of the plugin only). */
    public readonly groupIndex: i32,
  ) {}
}

const PLUGIN: Array<MetricDef> = [];
const GROUPS: StaticArray<Array<MetricDef>> = [[], [], []];

function declare(kind: MetricKind, name: string, scope: Scope): MetricDef {
  const perPlugin = scope == Scope.Plugin || scope == Scope.PluginAndMethod;
  const group = scope == Scope.PluginAndMethod ? Group.Method : scope == Scope.Route ? Group.Route : scope == Scope.Cluster ? Group.Cluster : -1;
  const members = group >= 0 ? GROUPS[group] : null;
  const def = new MetricDef(kind, name, perPlugin ? PLUGIN.length : -1, members !== null ? members.length : -1);
  if (perPlugin) PLUGIN.push(def);
  if (members !== null) members.push(def);
  return def;
}

export function counter(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Counter, name, scope);
}

export function gauge(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Gauge, name, scope);
}

export function histogram(name: string, scope: Scope): MetricDef {
  return declare(MetricKind.Histogram, name, scope);
}

/** The metrics every plugin has, in declaration order. */
export function pluginMetrics(): Array<MetricDef> {
  return PLUGIN;
}

/** The metrics each member of `group` has (each method, route or cluster). */
export function groupMetrics(group: Group): Array<MetricDef> {
  return GROUPS[group];
}

/** Where metrics go: proxy_define_metric & co in Envoy, a plain recorder in unit tests. */
export abstract class MetricSink {
  abstract define(kind: MetricKind, name: string): u32;
  abstract add(id: u32, delta: i64): void;
  abstract record(id: u32, value: u64): void;
}

/** One defined metric: the host's id, and for counters and gauges the change not yet handed to the host. */
@final
export class Metric {
  pending: i64 = 0;
  constructor(public readonly id: u32) {}

  /** Hands the pending change to `sink`, if any. */
  @inline flushTo(sink: MetricSink): void {
    const pending = this.pending;
    if (pending != 0) {
      sink.add(this.id, pending);
      this.pending = 0;
    }
  }
}

/** Defines `defs` with their names after `prefix`. */
export function defineAll(sink: MetricSink, defs: Array<MetricDef>, prefix: string): StaticArray<Metric> {
  const metrics = new StaticArray<Metric>(defs.length);
  for (let i = 0; i < defs.length; i++) metrics[i] = new Metric(sink.define(defs[i].kind, prefix + defs[i].name));
  return metrics;
}

/** Hands the pending changes of the counters and gauges among `metrics` (defined from `defs`) to `sink`. */
export function flushAll(sink: MetricSink, defs: Array<MetricDef>, metrics: StaticArray<Metric>): void {
  for (let i = 0, n = metrics.length; i < n; i++) {
    if (unchecked(defs[i]).kind != MetricKind.Histogram) unchecked(metrics[i]).flushTo(sink);
  }
}

// Keeps GROUP_COUNT and the Group enum in step.
assert(GROUPS.length == GROUP_COUNT);

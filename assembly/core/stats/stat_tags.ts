// How metric names carry their tags, in Istio's stat-tag form `<tag>=.=<value>;.;`: Envoy's `stats_tags` (or
// Istio's `extraStatTags`, which generate the same regexes) move each tag out of the name into a label. This file is
// plain TypeScript that both the modules and the generator (generator/stats.ts) import: one source for the names.
// Once the tags are labels, a plugin's `request` is `meta_protocol_request{protocol="dubbo",stat_prefix="demo"}` in
// Prometheus, MetaProtocol's names with its `<protocol>.<stat_prefix>` as labels.
//
//   per plugin   meta_protocol.protocol=.=<p>;.;stat_prefix=.=<s>;.;<name>
//   per method   meta_protocol.by_method.protocol=.=<p>;.;stat_prefix=.=<s>;.;[service=.=<service>;.;]method=.=<m>;.;<name>
//   per route    meta_protocol.by_route.protocol=.=<p>;.;stat_prefix=.=<s>;.;route=.=<route>;.;<name>
//   per cluster  meta_protocol.by_cluster.protocol=.=<p>;.;stat_prefix=.=<s>;.;cluster=.=<cluster>;.;<name>

/** The start of every metric name the modules define. */
export const METRIC_ROOT: string = "meta_protocol.";

export const PROTOCOL_TAG: string = "protocol";
export const STAT_PREFIX_TAG: string = "stat_prefix";
export const SERVICE_TAG: string = "service";
export const METHOD_TAG: string = "method";
export const ROUTE_TAG: string = "route";
export const CLUSTER_TAG: string = "cluster";

/** Every tag a metric name may carry. */
export const STAT_TAGS: string[] = [PROTOCOL_TAG, STAT_PREFIX_TAG, SERVICE_TAG, METHOD_TAG, ROUTE_TAG, CLUSTER_TAG];

/** The family of the per-method, per-route and per-cluster metrics, after METRIC_ROOT. */
export const METHOD_FAMILY: string = "by_method.";
export const ROUTE_FAMILY: string = "by_route.";
export const CLUSTER_FAMILY: string = "by_cluster.";

/** `<tag>=.=<value>;.;` */
export function tagged(tag: string, value: string): string {
  return tag + "=.=" + value + ";.;";
}

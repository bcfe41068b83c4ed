// How metric names carry their tags, in Istio's stat-tag form `<tag>=.=<value>;.;`: Envoy's `stats_tags` (or
// Istio's `extraStatTags`, which generate the same regexes) move each tag out of the name into a label. This file is
// plain TypeScript that both the modules and the generator (generator/stats.ts) import: one source for the names.

/** The start of every metric name the modules define. */
export const METRIC_ROOT: string = "meta_protocol.";

export const PROTOCOL_TAG: string = "protocol";
export const STAT_PREFIX_TAG: string = "stat_prefix";
export const SERVICE_TAG: string = "service";
export const METHOD_TAG: string = "method";

/** Every tag a metric name may carry, in the order they appear in it. */
export const STAT_TAGS: string[] = [PROTOCOL_TAG, STAT_PREFIX_TAG, SERVICE_TAG, METHOD_TAG];

/** `<tag>=.=<value>;.;` */
export function tagged(tag: string, value: string): string {
  return tag + "=.=" + value + ";.;";
}

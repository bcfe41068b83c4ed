// Turning the tags in the filters' metric names into labels. The filters name their metrics in Istio's stat-tag form
// (assembly/core/stats/stat_tags.ts): Envoy's stats_tags (or Istio's extraStatTags, which generate the same regexes)
// take the tags out of the name, i.e. into Prometheus labels.
// The tags and the root of the names come from the modules' own naming (assembly/core/stats/stat_tags.ts).
import { METRIC_ROOT, STAT_TAGS } from "../assembly/core/stats/stat_tags.ts";
import { toYaml } from "./yaml_out.ts";

export { STAT_TAGS };
/** Istio keeps only the stats its matcher includes; both spellings in case the matcher sees the wasm namespace. */
export const STATS_INCLUSION_PREFIXES: readonly string[] = [METRIC_ROOT, "wasmcustom." + METRIC_ROOT];

/** The regex Istio generates for an extraStatTags entry. */
export function statTagRegex(tag: string): string {
  return `(${tag}=\\.=(.*?);\\.;)`;
}

export function envoyStatsTags(): { tag_name: string; regex: string }[] {
  return STAT_TAGS.map((tag) => ({ tag_name: tag, regex: statTagRegex(tag) }));
}

/** ProxyConfig for the pods' `proxy.istio.io/config` annotation (or meshConfig.defaultConfig). */
export function istioProxyConfig(): { proxyStatsMatcher: { inclusionPrefixes: string[] }; extraStatTags: string[] } {
  return { proxyStatsMatcher: { inclusionPrefixes: [...STATS_INCLUSION_PREFIXES] }, extraStatTags: [...STAT_TAGS] };
}

/** The pod template annotations that expose the filters' metrics with their tags as labels. */
export function podAnnotationSnippet(): string {
  const annotations = { metadata: { annotations: { "proxy.istio.io/config": toYaml([istioProxyConfig()]) } } };
  return toYaml(
    [annotations],
    "Add to the pod template of every workload that runs the filters (or put the ProxyConfig in\n" +
      "meshConfig.defaultConfig): keeps the filters' metrics and turns protocol, stat_prefix, service and method into labels.",
  );
}

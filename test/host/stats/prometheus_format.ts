// Envoy admin /stats/prometheus (text exposition 0.0.4): counters, then gauges, then histograms; within each kind
// one "# TYPE" family per tag-extracted name (sorted), one sample per tag set, always with braces ("name{} 1").
// Histograms use Envoy's default buckets, cumulative counts, and the bin-midpoint _sum.
// Read: envoy source/server/admin/prometheus_stats.cc (families, ordering), prometheus_stats_render.cc (sample lines,
// "{:.32g}" for le and _sum), prometheus_stats_formatter.cc (metricName, sanitizeName, sanitizeValue).
import { stripCustomNamespace } from "./custom_namespaces.ts";
import { DEFAULT_BUCKETS, type HistogramStat } from "./histogram_stat.ts";
import { formatGeneral } from "./number_format.ts";
import type { CounterStat, GaugeStat } from "./scalar_stats.ts";
import type { StatEntry } from "./stat_entry.ts";
import type { Tag } from "./tag_extraction.ts";

export function renderPrometheus(
  counters: readonly StatEntry<CounterStat>[],
  gauges: readonly StatEntry<GaugeStat>[],
  histograms: readonly StatEntry<HistogramStat>[],
): string {
  const scalarLines = (e: StatEntry<CounterStat | GaugeStat>, name: string) => [
    `${name}{${formatTags(e.tags)}} ${e.stat.value()}`,
  ];
  return [
    ...families(counters, "counter", scalarLines),
    ...families(gauges, "gauge", scalarLines),
    ...families(histograms, "histogram", histogramLines),
  ].join("");
}

function families<T>(
  entries: readonly StatEntry<T>[],
  type: string,
  sampleLines: (entry: StatEntry<T>, name: string) => string[],
): string[] {
  const groups = new Map<string, StatEntry<T>[]>();
  for (const entry of entries) {
    const group = groups.get(entry.tagExtractedName) ?? [];
    group.push(entry);
    groups.set(entry.tagExtractedName, group);
  }
  const out: string[] = [];
  for (const extractedName of [...groups.keys()].sort()) {
    const name = metricName(extractedName);
    if (name === undefined) continue;
    const group = groups.get(extractedName)!.sort((a, b) => compare(formatTags(a.tags), formatTags(b.tags)));
    out.push(`# TYPE ${name} ${type}\n`);
    for (const entry of group) out.push(...sampleLines(entry, name).map((line) => line + "\n"));
  }
  return out;
}

function histogramLines(entry: StatEntry<HistogramStat>, name: string): string[] {
  const tags = formatTags(entry.tags);
  const bucketTags = tags === "" ? "" : tags + ",";
  const histogram = entry.stat;
  const counts = histogram.cumulativeBuckets();
  return [
    ...DEFAULT_BUCKETS.map((bound, i) => `${name}_bucket{${bucketTags}le="${formatGeneral(bound, 32)}"} ${counts[i]}`),
    `${name}_bucket{${bucketTags}le="+Inf"} ${histogram.cumulativeCount}`,
    `${name}_sum{${tags}} ${formatGeneral(histogram.cumulativeSum, 32)}`,
    `${name}_count{${tags}} ${histogram.cumulativeCount}`,
  ];
}

/** "envoy_" + sanitized name, or for a custom namespace the stripped sanitized name (dropped if not a valid name). */
export function metricName(tagExtractedName: string): string | undefined {
  const custom = stripCustomNamespace(tagExtractedName);
  if (custom === undefined) return "envoy_" + sanitizeName(tagExtractedName);
  const name = sanitizeName(custom);
  return name === "" || /^[0-9]/.test(name) ? undefined : name;
}

function formatTags(tags: readonly Tag[]): string {
  return tags.map((t) => `${sanitizeName(t.name)}="${sanitizeValue(t.value)}"`).join(",");
}

function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

function sanitizeValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Envoy admin /stats (text): counters and gauges sorted together by name as "name: value", then histograms as
// "name: P0(interval,cumulative) P25(...) ... P100(...)" or "name: No recorded values".
// Read: envoy source/server/admin/stats_render.cc (StatsTextRender) and source/common/stats/histogram_impl.cc
// (ParentHistogramImpl::quantileSummary: "P{:g}({},{})" joined by spaces).
import { stripCustomNamespace } from "./custom_namespaces.ts";
import { type HistogramStat, SUPPORTED_QUANTILES } from "./histogram_stat.ts";
import { formatGeneral, formatShortest } from "./number_format.ts";
import type { CounterStat, GaugeStat } from "./scalar_stats.ts";
import type { StatEntry } from "./stat_entry.ts";

export function renderText(
  scalars: readonly StatEntry<CounterStat | GaugeStat>[],
  histograms: readonly StatEntry<HistogramStat>[],
): string {
  const lines = [
    ...byName(scalars).map((e) => `${displayName(e.name)}: ${e.stat.value()}`),
    ...byName(histograms).map((e) => `${displayName(e.name)}: ${quantileSummary(e.stat)}`),
  ];
  return lines.map((line) => line + "\n").join("");
}

function quantileSummary(histogram: HistogramStat): string {
  if (!histogram.used) return "No recorded values";
  const interval = histogram.intervalQuantiles();
  const cumulative = histogram.cumulativeQuantiles();
  return SUPPORTED_QUANTILES.map(
    (q, i) => `P${formatGeneral(100 * q, 6)}(${formatShortest(interval[i])},${formatShortest(cumulative[i])})`,
  ).join(" ");
}

function displayName(name: string): string {
  return stripCustomNamespace(name) ?? name;
}

function byName<T extends { name: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// Envoy admin /stats (text): counters and gauges sorted together by name as "name: value", then histograms as
// "name: P0(interval,cumulative) P25(...) ... P100(...)" or "name: No recorded values". Names are printed whole,
// custom namespaces included (wasmcustom.<name>): only the Prometheus output strips them.
// Read: envoy source/server/admin/stats_render.cc (StatsTextRender), where no custom namespace is stripped (only
// prometheus_stats.cc calls stripRegisteredPrefix: v1.20.0 to v1.39.0; the v1.39.0 changelog quotes /stats as
// `wasmcustom.foo`), and source/common/stats/histogram_impl.cc (ParentHistogramImpl::quantileSummary:
// "P{:g}({},{})" joined by spaces).
import { type HistogramStat, SUPPORTED_QUANTILES } from "./histogram_stat.ts";
import { formatGeneral, formatShortest } from "./number_format.ts";
import type { CounterStat, GaugeStat } from "./scalar_stats.ts";
import type { StatEntry } from "./stat_entry.ts";

export function renderText(
  scalars: readonly StatEntry<CounterStat | GaugeStat>[],
  histograms: readonly StatEntry<HistogramStat>[],
): string {
  const lines = [
    ...byName(scalars).map((e) => `${e.name}: ${e.stat.value()}`),
    ...byName(histograms).map((e) => `${e.name}: ${quantileSummary(e.stat)}`),
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

function byName<T extends { name: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// The host's Envoy stats store: one stat per name and kind, tags extracted once when the stat is created (as Envoy
// does), admin renderings in /stats and /stats/prometheus format.
import type { StatsStore, TagSpecifier } from "../api.ts";
import { HistogramStat } from "./histogram_stat.ts";
import { renderPrometheus } from "./prometheus_format.ts";
import { CounterStat, GaugeStat } from "./scalar_stats.ts";
import type { StatEntry } from "./stat_entry.ts";
import { TagProducer } from "./tag_extraction.ts";
import { renderText } from "./text_format.ts";

export interface StatsConfig {
  /** bootstrap stats_config.stats_tags */
  readonly statsTags?: readonly TagSpecifier[];
  /** bootstrap stats_config.use_all_default_tags (default true) */
  readonly useAllDefaultTags?: boolean;
}

export class EnvoyStatsStore implements StatsStore {
  private readonly tagProducer: TagProducer;
  private readonly counters = new Map<string, StatEntry<CounterStat>>();
  private readonly gauges = new Map<string, StatEntry<GaugeStat>>();
  private readonly histograms = new Map<string, StatEntry<HistogramStat>>();

  constructor(config: StatsConfig = {}) {
    this.tagProducer = new TagProducer(config.statsTags ?? [], config.useAllDefaultTags ?? true);
  }

  counter(name: string): CounterStat {
    return this.findOrCreate(this.counters, name, () => new CounterStat());
  }

  gauge(name: string): GaugeStat {
    return this.findOrCreate(this.gauges, name, () => new GaugeStat());
  }

  histogram(name: string): HistogramStat {
    return this.findOrCreate(this.histograms, name, () => new HistogramStat());
  }

  /**
   * Envoy merges thread-local histograms into what the admin shows once per stats_flush_interval (5 s by default,
   * or on each admin request with flush_on_admin); the proxy calls this on that schedule.
   */
  mergeHistograms(): void {
    for (const entry of this.histograms.values()) entry.stat.merge();
  }

  renderText(): string {
    return renderText([...this.counters.values(), ...this.gauges.values()], [...this.histograms.values()]);
  }

  renderPrometheus(): string {
    return renderPrometheus([...this.counters.values()], [...this.gauges.values()], [...this.histograms.values()]);
  }

  private findOrCreate<T>(registry: Map<string, StatEntry<T>>, name: string, create: () => T): T {
    let entry = registry.get(name);
    if (!entry) {
      entry = { name, ...this.tagProducer.extract(name), stat: create() };
      registry.set(name, entry);
    }
    return entry.stat;
  }
}

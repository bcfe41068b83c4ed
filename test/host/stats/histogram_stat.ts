// An Envoy ParentHistogram: samples land in a pending (thread-local) histogram and only become visible when the
// store merges histograms (Envoy does it every stats_flush_interval, 5 s by default). A merge makes the pending
// samples the "interval" statistics and adds them to the "cumulative" ones; /stats prints both, Prometheus the
// cumulative ones.
import type { Histogram } from "../api.ts";
import { LogLinearHistogram } from "./log_linear_histogram.ts";

/** Envoy's HistogramStatisticsImpl supported quantiles, printed as P0 … P100. */
export const SUPPORTED_QUANTILES = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1] as const;

/** Envoy's default histogram bucket bounds (HistogramSettingsImpl::defaultBuckets), the Prometheus `le`s. */
export const DEFAULT_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

export class HistogramStat implements Histogram {
  private pending = new LogLinearHistogram();
  private interval = new LogLinearHistogram();
  private readonly cumulative = new LogLinearHistogram();
  private recorded = false;

  record(value: number): void {
    this.pending.insert(value);
    this.recorded = true;
  }

  /** Envoy's histogram `used()`: a value was ever recorded (merged or not). */
  get used(): boolean {
    return this.recorded;
  }

  merge(): void {
    this.interval = this.pending;
    this.pending = new LogLinearHistogram();
    this.cumulative.addAll(this.interval);
  }

  intervalQuantiles(): number[] {
    return this.interval.quantiles(SUPPORTED_QUANTILES);
  }

  cumulativeQuantiles(): number[] {
    return this.cumulative.quantiles(SUPPORTED_QUANTILES);
  }

  cumulativeBuckets(): number[] {
    return DEFAULT_BUCKETS.map((bound) => this.cumulative.countBelow(bound));
  }

  get cumulativeCount(): number {
    return this.cumulative.sampleCount;
  }

  get cumulativeSum(): number {
    return this.cumulative.approximateSum();
  }
}

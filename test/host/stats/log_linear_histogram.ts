// The histogram Envoy keeps for every histogram stat: libcircllhist's log-linear bins (two significant decimal
// digits, i.e. bin [1.2e2, 1.3e2) has width 10). Envoy's /stats quantiles, Prometheus buckets and _sum are all
// computed from these bins, never from the raw samples, so they are reproduced here bin for bin.
// Read: openhistogram/libcircllhist src/circllhist.c (int_scale_to_hist_bucket, hist_approx_quantile,
// hist_approx_count_below, hist_approx_sum, hist_bucket_midpoint).

interface Bin {
  readonly left: number;
  readonly width: number;
  count: number;
}

export class LogLinearHistogram {
  private readonly bins = new Map<number, Bin>();
  private total = 0;

  get sampleCount(): number {
    return this.total;
  }

  /** Envoy records uint64 samples with hist_insert_intscale(value, scale 0). */
  insert(value: number, count = 1): void {
    const { left, width } = binOf(Math.max(0, Math.trunc(value)));
    const bin = this.bins.get(left);
    if (bin) bin.count += count;
    else this.bins.set(left, { left, width, count });
    this.total += count;
  }

  addAll(other: LogLinearHistogram): void {
    for (const bin of other.bins.values()) {
      const mine = this.bins.get(bin.left);
      if (mine) mine.count += bin.count;
      else this.bins.set(bin.left, { ...bin });
    }
    this.total += other.total;
  }

  /** hist_approx_quantile: linear interpolation inside the bin that holds the q-th sample; NaN when empty. */
  quantiles(qs: readonly number[]): number[] {
    if (this.total === 0) return qs.map(() => NaN);
    const bins = this.sortedBins();
    let index = 0;
    let lower = 0;
    let upper = bins[0].count;
    return qs.map((q) => {
      const target = this.total * q;
      while (index < bins.length - 1 && upper < target) {
        index++;
        lower = upper;
        upper = lower + bins[index].count;
      }
      const { left, width } = bins[index];
      if (lower === target) return left;
      if (upper === target) return left + width;
      if (width === 0) return left;
      return left + ((target - lower) / (upper - lower)) * width;
    });
  }

  /** hist_approx_count_below: samples in bins whose upper edge is <= threshold (a bin is never split). */
  countBelow(threshold: number): number {
    let count = 0;
    for (const bin of this.sortedBins()) {
      if (bin.left + bin.width > threshold) break;
      count += bin.count;
    }
    return count;
  }

  /** hist_approx_sum: every sample counts as its bin's midpoint. */
  approximateSum(): number {
    let sum = 0;
    for (const bin of this.bins.values()) sum += (bin.left === 0 ? 0 : bin.left + bin.width / 2) * bin.count;
    return sum;
  }

  private sortedBins(): Bin[] {
    return [...this.bins.values()].filter((bin) => bin.count > 0).sort((a, b) => a.left - b.left);
  }
}

/** int_scale_to_hist_bucket(value, 0) then hist_bucket_to_double / hist_bucket_to_double_bin_width. */
function binOf(value: number): { left: number; width: number } {
  if (value === 0) return { left: 0, width: 0 };
  let digits = value;
  let exponent = 1;
  if (digits < 10) {
    digits *= 10;
    exponent -= 1;
  }
  while (digits >= 100) {
    digits = Math.floor(digits / 10);
    exponent++;
  }
  return { left: (digits / 10) * 10 ** exponent, width: 10 ** exponent / 10 };
}

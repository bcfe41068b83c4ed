// Timing loops for the benchmarks: calibrate an iteration count so that one sample lasts `sampleMs`, take `samples`
// samples after a warm-up, report the median time per iteration. One thread: "per core" figures are 1e9 / ns.

export interface TimingOptions {
  /** Length of one sample. */
  readonly sampleMs: number;
  readonly samples: number;
}

export const DEFAULT_TIMING: TimingOptions = { sampleMs: 60, samples: 7 };

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Median ns per iteration of `run(iterations)`. */
export function nsPerIteration(run: (iterations: number) => void, options: TimingOptions = DEFAULT_TIMING): number {
  // Calibrate (this also warms the code up: V8's tiers and the wasm module's Liftoff -> TurboFan).
  let iterations = 1;
  for (;;) {
    const start = nowNs();
    run(iterations);
    const elapsedMs = Number(nowNs() - start) / 1e6;
    if (elapsedMs >= options.sampleMs / 4) {
      iterations = Math.max(1, Math.round((iterations * options.sampleMs) / elapsedMs));
      break;
    }
    iterations *= 2;
  }
  run(iterations); // one more sample's worth of warm-up at the final size
  const perIteration: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const start = nowNs();
    run(iterations);
    perIteration.push(Number(nowNs() - start) / iterations);
  }
  return median(perIteration);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile (0..100) of already sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

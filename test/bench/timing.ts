// Timing loops for the benchmarks: calibrate an iteration count so that one sample lasts `sampleMs`, take `samples`
// samples after a warm-up, report the fastest sample's time per iteration (other processes on the machine only ever
// make a sample slower; the fastest is the closest to the code's own cost) and the median (how far the rest was).
// One thread: per core = 1e9 / ns.

export interface TimingOptions {
  /** Length of one sample. */
  readonly sampleMs: number;
  readonly samples: number;
}

export const DEFAULT_TIMING: TimingOptions = { sampleMs: 60, samples: 11 };

export interface Timing {
  /** ns per iteration in the fastest sample. */
  readonly best: number;
  readonly median: number;
}

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** ns per iteration of `run(iterations)`. */
export function nsPerIteration(run: (iterations: number) => void, options: TimingOptions = DEFAULT_TIMING): Timing {
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
  perIteration.sort((a, b) => a - b);
  return { best: perIteration[0], median: perIteration[perIteration.length >> 1] };
}

/**
 * Runs `phases` in turn, round after round, for the length of `options`' samples, timing each phase apart: ns per
 * round of each phase, and the rounds run. Timers cost ~150 ns each here, so this is worth it only when a phase is
 * much longer; each interval holds one timer call, measured and taken off.
 */
export function nsPerPhase(phases: Array<() => void>, options: TimingOptions): { ns: number[]; rounds: number } {
  let timer = 0n;
  for (let i = 0; i < 1000; i++) {
    const a = nowNs();
    timer += nowNs() - a;
  }
  const totals = phases.map(() => 0n);
  let rounds = 0;
  const until = nowNs() + BigInt(options.sampleMs * options.samples) * 1_000_000n;
  while (nowNs() < until) {
    let last = nowNs();
    for (let p = 0; p < phases.length; p++) {
      phases[p]();
      const now = nowNs();
      totals[p] += now - last;
      last = now;
    }
    rounds++;
  }
  const perTimer = Number(timer) / 1000;
  return { ns: totals.map((total) => Number(total) / rounds - perTimer), rounds };
}

/** Percentile (0..100) of already sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

// Envoy counters (monotonic) and gauges (set/add/sub). Values are plain numbers: Envoy's uint64 wraps below zero,
// a gauge here goes negative instead, which is easier to spot in a test.
import type { Counter, Gauge } from "../api.ts";

export class CounterStat implements Counter {
  private current = 0;

  add(amount: number): void {
    if (amount < 0) throw new Error(`counter increment must not be negative (got ${amount})`);
    this.current += amount;
  }

  value(): number {
    return this.current;
  }
}

export class GaugeStat implements Gauge {
  private current = 0;

  set(value: number): void {
    this.current = value;
  }

  add(amount: number): void {
    this.current += amount;
  }

  value(): number {
    return this.current;
  }
}

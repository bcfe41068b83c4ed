// proxy_set_tick_period_milliseconds: one timer per root context; period 0 stops it. The timer is re-armed after each
// proxy_on_tick with the period current at that moment, and never armed at all when the module has no on_tick.
// Read: envoy source/extensions/common/wasm/wasm.cc (Wasm::setTimerPeriod, Wasm::tickHandler) and cpp-host
// ContextBase::setTimerPeriod (the period belongs to the root of the calling context).
import type { WasmVm } from "./wasm_vm.ts";

interface Tick {
  periodMs: number;
  timer?: NodeJS.Timeout;
}

export class TickTimers {
  private readonly ticks = new Map<number, Tick>();

  constructor(private readonly vm: WasmVm) {}

  setPeriod(rootContextId: number, periodMs: number): void {
    const tick = this.ticks.get(rootContextId) ?? { periodMs: 0 };
    this.ticks.set(rootContextId, tick);
    clearTimeout(tick.timer);
    tick.timer = undefined;
    tick.periodMs = periodMs;
    if (periodMs > 0) this.arm(rootContextId, tick);
  }

  stopAll(): void {
    for (const tick of this.ticks.values()) clearTimeout(tick.timer);
    this.ticks.clear();
  }

  private arm(rootContextId: number, tick: Tick): void {
    tick.timer = setTimeout(() => this.onTimer(rootContextId, tick), tick.periodMs);
    // Ticks alone do not keep the host process alive (Envoy's dispatcher would; the proxy's sockets do here).
    tick.timer.unref();
  }

  private onTimer(rootContextId: number, tick: Tick): void {
    if (!this.vm.has("proxy_on_tick")) return;
    const root = this.vm.context(rootContextId);
    if (root) this.vm.call(root, "proxy_on_tick", rootContextId);
    if (this.ticks.get(rootContextId) === tick && tick.periodMs > 0) {
      clearTimeout(tick.timer);
      this.arm(rootContextId, tick);
    }
  }
}

// Connection control, the effective context, the clock and the root context's timer.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { StreamType } from "./types";

const NOW_NS = memory.data(8);

/** Closes the downstream connection (Envoy flushes what is already written, then closes). */
export function closeDownstream(): void {
  host.proxy_close_stream(StreamType.Downstream);
}

export function nowNanoseconds(): u64 {
  host.proxy_get_current_time_nanoseconds(NOW_NS);
  return load<u64>(NOW_NS);
}

/** Hands the connection's read buffer to the filter after ours (Envoy's continueReading). */
export function continueDownstream(): void {
  host.proxy_continue_stream(StreamType.Downstream);
}

/** Makes the next host calls act on stream context `contextId` (from a root-context callback). */
export function setEffectiveContext(contextId: u32): void {
  host.proxy_set_effective_context(contextId);
}

/** Calls the root context's proxy_on_tick every `periodMs`. */
export function setTickPeriodMs(periodMs: u32): void {
  host.proxy_set_tick_period_milliseconds(periodMs);
}

// Memory: the VM's linear memory (the plugin's memoryBytes(), what Envoy's V8 reserves for the module) after 10,000
// idle connections (started, no byte yet) and after 10,000 requests in flight on one connection; module sizes.
import { statSync } from "node:fs";
import { LogLevel } from "../host/api.ts";
import { DrivenPlugin } from "./driver.ts";
import type { Workload } from "./workloads.ts";

export interface MemoryResult {
  readonly workload: string;
  readonly baseBytes: number;
  readonly idleConnections: number;
  readonly afterIdleBytes: number;
  readonly inFlight: number;
  /** The busy connection's VM after one exchange, then with every request in flight. */
  readonly inFlightBaseBytes: number;
  readonly afterInFlightBytes: number;
  /** request_active as the filter reported it with every request in flight, and after the responses. */
  readonly activeGauge: number;
  readonly activeAfterResponses: number;
  /**
   * Bytes per idle connection and per request in flight, estimated from where the memory grew: the allocator doubles
   * the memory when it is full, so between two growths the connections (requests) added filled the previous size's
   * worth of new memory. Undefined when the memory grew fewer than twice.
   */
  readonly bytesPerIdleConnection?: number;
  readonly bytesPerInFlightRequest?: number;
}

/** Records (count, size) each time `size()` changes; `slope()` is bytes per unit between the last two growths. */
export class GrowthTracker {
  private last: number;
  readonly growths: { at: number; bytes: number; before: number }[] = [];

  constructor(private readonly size: () => number) {
    this.last = size();
  }

  observe(count: number): void {
    const now = this.size();
    if (now !== this.last) this.growths.push({ at: count, bytes: now, before: this.last });
    this.last = now;
  }

  /** Between the last two growths: the memory added by the earlier one was filled by the units added since. */
  slope(): number | undefined {
    const g = this.growths;
    if (g.length < 2) return undefined;
    const [a, b] = [g[g.length - 2], g[g.length - 1]];
    return (a.bytes - a.before) / (b.at - a.at);
  }
}

const CONNECTIONS = 10_000;
const IN_FLIGHT = 10_000;
const PER_EVENT = 100;

/** `workload.withId` takes ids below 128 for compact Thrift; these workloads take any u32 id. */
export async function measureMemory(w: Workload, wasmPath: string): Promise<MemoryResult> {
  const load = () => DrivenPlugin.load({ wasmPath, protocol: w.module, configuration: JSON.stringify({ stat_prefix: "mem" }), logLevel: LogLevel.Warn });

  const idle = await load();
  const baseBytes = idle.memoryBytes();
  const connections = Array.from({ length: CONNECTIONS }, () => idle.connect());
  const idleGrowth = new GrowthTracker(() => idle.memoryBytes());
  connections.forEach((c, i) => {
    c.start();
    idleGrowth.observe(i + 1);
  });
  const afterIdleBytes = idle.memoryBytes();
  if (idle.trapCount > 0) throw new Error(`${w.name}: trapped with idle connections: ${idle.errors.join(" | ")}`);
  for (const c of connections) c.closeRemote();
  await idle.close();

  const busy = await load();
  const c = busy.connect();
  c.start();
  c.send(w.request); // the first bytes make the connection's codec; counted in the base
  c.receiveBytes(w.response);
  const before = busy.memoryBytes();
  const busyGrowth = new GrowthTracker(() => busy.memoryBytes());
  for (let first = 2; first < 2 + IN_FLIGHT; first += PER_EVENT) {
    c.send(Buffer.concat(Array.from({ length: PER_EVENT }, (_, i) => w.withId(w.request, first + i))));
    busyGrowth.observe(first - 2 + PER_EVENT);
  }
  const afterInFlightBytes = busy.memoryBytes();
  const activeGauge = busy.gauge("request_active");
  for (let first = 2; first < 2 + IN_FLIGHT; first += PER_EVENT) {
    c.receiveBytes(Buffer.concat(Array.from({ length: PER_EVENT }, (_, i) => w.withId(w.response, first + i))));
  }
  const activeAfterResponses = busy.gauge("request_active");
  if (c.closed || busy.trapCount > 0) throw new Error(`${w.name}: closed or trapped with ${IN_FLIGHT} in flight: ${busy.errors.join(" | ")}`);
  c.closeRemote();
  await busy.close();
  return {
    workload: w.name,
    baseBytes,
    idleConnections: CONNECTIONS,
    afterIdleBytes,
    inFlight: IN_FLIGHT,
    inFlightBaseBytes: before,
    afterInFlightBytes,
    activeGauge,
    activeAfterResponses,
    bytesPerIdleConnection: idleGrowth.slope(),
    bytesPerInFlightRequest: busyGrowth.slope(),
  };
}

export function moduleSizes(paths: string[]): { path: string; bytes: number }[] {
  return paths.map((path) => ({ path, bytes: statSync(path).size }));
}

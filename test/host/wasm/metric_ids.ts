// The metrics a VM defined with proxy_define_metric. Ids are per VM and encode the type in their low two bits
// (cpp-host WasmBase::nextCounterMetricId & co: type + 4, + 8, ...); every definition gets a new id, even for a name
// already defined, and they all point at the one stat "wasmcustom.<name>" in Envoy's store.
// Read: envoy source/extensions/common/wasm/context.cc (Context::defineMetric/incrementMetric/recordMetric/getMetric).
import type { Counter, Gauge, Histogram, StatsStore } from "../api.ts";
import { MetricType } from "./abi_codes.ts";

type Metric =
  | { readonly type: MetricType.Counter; readonly stat: Counter }
  | { readonly type: MetricType.Gauge; readonly stat: Gauge }
  | { readonly type: MetricType.Histogram; readonly stat: Histogram };

const TYPE_MASK = 0x3;
const ID_INCREMENT = 4;

export class MetricIds {
  private readonly metrics = new Map<number, Metric>();
  private readonly lastId = [MetricType.Counter, MetricType.Gauge, MetricType.Histogram];

  constructor(private readonly stats: StatsStore) {}

  define(type: MetricType, name: string): number {
    const statName = `wasmcustom.${name}`;
    const id = (this.lastId[type] += ID_INCREMENT);
    if (type === MetricType.Counter) this.metrics.set(id, { type, stat: this.stats.counter(statName) });
    else if (type === MetricType.Gauge) this.metrics.set(id, { type, stat: this.stats.gauge(statName) });
    else this.metrics.set(id, { type, stat: this.stats.histogram(statName) });
    return id;
  }

  /** The type a metric id claims (its low bits), whether or not it was defined. */
  typeOf(id: number): number {
    return id & TYPE_MASK;
  }

  find(id: number): Metric | undefined {
    return this.metrics.get(id);
  }
}

// The metrics of one member of a group (one method, one route, one upstream cluster): one metric per metric declared
// for that group. Groups may be many (thousands of methods): only those touched since the last flush are flushed.
import { defineAll, flushAll, Group, groupMetrics, Metric, MetricSink } from "./metric";

@final
export class MetricGroup {
  readonly metrics: StaticArray<Metric>;
  private queued: bool = false;

  /** `name`: the metric names up to their last part (`…method=.=<method>;.;`). */
  constructor(private readonly group: Group, sink: MetricSink, name: string, private readonly touched: Array<MetricGroup>) {
    this.metrics = defineAll(sink, groupMetrics(group), name);
  }

  /** Queues these metrics for the next flush (call before changing them). */
  @inline touch(): void {
    if (!this.queued) {
      this.queued = true;
      this.touched.push(this);
    }
  }

  flushTo(sink: MetricSink): void {
    flushAll(sink, groupMetrics(this.group), this.metrics);
    this.queued = false;
  }
}

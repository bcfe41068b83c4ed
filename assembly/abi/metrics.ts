// proxy_define_metric & co. Envoy names the metric `wasmcustom.<name>` and strips that prefix when it prints it.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../lib/bytes";
import { MetricKind, MetricSink } from "../core/stats/metric";

const METRIC_ID = memory.data(4);

@final
export class HostMetricSink extends MetricSink {
  private name: ByteBuffer = new ByteBuffer();

  define(kind: MetricKind, name: string): u32 {
    this.name.clear();
    this.name.appendUtf8(name);
    store<u32>(METRIC_ID, 0);
    host.proxy_define_metric(<i32>kind, this.name.ptr, <usize>this.name.length, METRIC_ID);
    return load<u32>(METRIC_ID);
  }

  add(id: u32, delta: i64): void {
    host.proxy_increment_metric(id, delta);
  }

  record(id: u32, value: u64): void {
    host.proxy_record_metric(id, value);
  }
}

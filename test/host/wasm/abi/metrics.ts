// proxy_define_metric (Counter 0, Gauge 1, Histogram 2; others BadArgument), proxy_increment_metric (counters: only
// positive offsets, else BadArgument; gauges: either sign), proxy_record_metric (counter add, gauge set, histogram
// record), proxy_get_metric (counters and gauges; a histogram id is BadArgument). An id never defined: NotFound.
// Read: envoy context.cc (defineMetric, incrementMetric, recordMetric, getMetric), cpp-host exports.cc.
import { MetricType, WasmResult } from "../abi_codes.ts";
import type { HostCalls } from "../host_imports.ts";
import type { WasmVm } from "../wasm_vm.ts";

export function metricFunctions(vm: WasmVm): HostCalls {
  return {
    proxy_define_metric(type: number, namePointer: number, nameSize: number, idPointer: number) {
      const name = vm.memory.string(namePointer, nameSize);
      if (name === undefined) return WasmResult.InvalidMemoryAccess;
      if (type > MetricType.Histogram) return WasmResult.BadArgument;
      return vm.memory.setWord(idPointer, vm.metricIds.define(type, name)) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, offset: bigint) {
      const type = vm.metricIds.typeOf(id);
      if (type !== MetricType.Counter && type !== MetricType.Gauge) return WasmResult.BadArgument;
      const metric = vm.metricIds.find(id);
      if (!metric) return WasmResult.NotFound;
      if (metric.type === MetricType.Counter) {
        if (offset <= 0n) return WasmResult.BadArgument;
        metric.stat.add(Number(offset));
      } else if (metric.type === MetricType.Gauge) {
        metric.stat.add(Number(offset));
      }
      return WasmResult.Ok;
    },
    proxy_record_metric(id: number, value: bigint) {
      const metric = vm.metricIds.find(id);
      if (!metric) return WasmResult.NotFound;
      const amount = Number(BigInt.asUintN(64, value));
      if (metric.type === MetricType.Counter) metric.stat.add(amount);
      else if (metric.type === MetricType.Gauge) metric.stat.set(amount);
      else metric.stat.record(amount);
      return WasmResult.Ok;
    },
    proxy_get_metric(id: number, resultPointer: number) {
      const type = vm.metricIds.typeOf(id);
      if (type !== MetricType.Counter && type !== MetricType.Gauge) return WasmResult.BadArgument;
      const metric = vm.metricIds.find(id);
      if (!metric || metric.type === MetricType.Histogram) return WasmResult.NotFound;
      const value = BigInt.asUintN(64, BigInt(metric.stat.value()));
      return vm.memory.setU64(resultPointer, value) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LogLinearHistogram } from "./log_linear_histogram.ts";
import { formatGeneral, formatShortest } from "./number_format.ts";
import { EnvoyStatsStore } from "./stats_store.ts";
import { TagProducer } from "./tag_extraction.ts";

// Istio's extraStatTags regex shape: the whole "tag=.=value;.;" segment is cut, the value is the tag.
const ISTIO_TAG = { tagName: "method", regex: String.raw`(method=\.=(.*?);\.;)` };

describe("log-linear histogram (libcircllhist)", () => {
  test("a single sample of 1 spreads over its bin [1, 1.1) like Envoy's P0(1,1) ... P100(1.1,1.1)", () => {
    const h = new LogLinearHistogram();
    h.insert(1);
    assert.deepEqual(
      h.quantiles([0, 0.25, 0.5, 1]).map((v) => Number(v.toFixed(6))),
      [1, 1.025, 1.05, 1.1],
    );
  });

  test("buckets count only whole bins below the bound, the sum uses bin midpoints", () => {
    const h = new LogLinearHistogram();
    h.insert(1);
    h.insert(123); // bin [120, 130)
    assert.equal(h.countBelow(1), 0, "bin [1, 1.1) is not entirely <= 1");
    assert.equal(h.countBelow(5), 1);
    assert.equal(h.countBelow(125), 1);
    assert.equal(h.countBelow(130), 2);
    assert.equal(h.approximateSum(), 1.05 + 125);
  });

  test("zero has its own zero-width bin and an empty histogram has NaN quantiles", () => {
    const h = new LogLinearHistogram();
    assert.ok(Number.isNaN(h.quantiles([0.5])[0]));
    h.insert(0);
    assert.deepEqual(h.quantiles([0, 1]), [0, 0]);
    assert.equal(h.countBelow(0.5), 1);
  });
});

describe("number formatting like {fmt}", () => {
  test("%.32g prints the exact binary value with trailing zeros removed", () => {
    assert.equal(formatGeneral(0.5, 32), "0.5");
    assert.equal(formatGeneral(3600000, 32), "3600000");
    assert.equal(formatGeneral(1.05, 32), "1.0500000000000000444089209850063");
    assert.equal(formatGeneral(99.5, 6), "99.5");
    assert.equal(formatGeneral(1e-5, 6), "1e-05");
  });

  test("{} prints nan and two-digit exponents", () => {
    assert.equal(formatShortest(NaN), "nan");
    assert.equal(formatShortest(1.025), "1.025");
    assert.equal(formatShortest(1e21), "1e+21");
  });
});

describe("tag extraction", () => {
  test("the first group is cut from the name, the second is the value", () => {
    const producer = new TagProducer([ISTIO_TAG], false);
    assert.deepEqual(producer.extract("wasmcustom.meta.demo.method=.=sayHello;.;request"), {
      tagExtractedName: "wasmcustom.meta.demo.request",
      tags: [{ name: "method", value: "sayHello" }],
    });
  });

  test("default tags apply unless disabled, and a name without a match keeps no tags", () => {
    assert.deepEqual(new TagProducer([]).extract("tcp.awesomerpc.downstream_cx_total"), {
      tagExtractedName: "tcp.downstream_cx_total",
      tags: [{ name: "envoy.tcp_prefix", value: "awesomerpc" }],
    });
    assert.deepEqual(new TagProducer([], false).extract("tcp.awesomerpc.downstream_cx_total").tags, []);
  });

  test("every specifier is searched in the original name and all cuts are applied", () => {
    const producer = new TagProducer([ISTIO_TAG, { tagName: "code", regex: String.raw`(code=\.=(.*?);\.;)` }], false);
    const extracted = producer.extract("wasmcustom.m.method=.=a;.;code=.=ok;.;response");
    assert.equal(extracted.tagExtractedName, "wasmcustom.m.response");
    assert.deepEqual(extracted.tags.map((t) => `${t.name}=${t.value}`), ["method=a", "code=ok"]);
  });

  test("a specifier with an empty regex must name a default tag", () => {
    assert.throws(() => new TagProducer([{ tagName: "nope", regex: "" }]), /nope/);
    assert.doesNotThrow(() => new TagProducer([{ tagName: "envoy.tcp_prefix", regex: "" }], false));
  });
});

describe("stats store", () => {
  test("counters reject negative increments, gauges go both ways", () => {
    const store = new EnvoyStatsStore();
    assert.throws(() => store.counter("c").add(-1));
    store.gauge("g").add(3);
    store.gauge("g").add(-5);
    assert.equal(store.gauge("g").value(), -2);
    assert.equal(store.counter("c"), store.counter("c"), "one stat per name");
  });

  test("/stats text: sorted name: value lines, names whole (wasmcustom kept), histograms by quantiles", () => {
    const store = new EnvoyStatsStore();
    store.counter("wasmcustom.zz.requests").add(3);
    store.gauge("aa.active").set(2);
    store.histogram("wasmcustom.latency").record(1);
    store.histogram("idle");
    assert.equal(
      store.renderText(),
      "aa.active: 2\n" +
        "wasmcustom.zz.requests: 3\n" +
        "idle: No recorded values\n" +
        "wasmcustom.latency: P0(nan,nan) P25(nan,nan) P50(nan,nan) P75(nan,nan) P90(nan,nan) P95(nan,nan) P99(nan,nan) " +
        "P99.5(nan,nan) P99.9(nan,nan) P100(nan,nan)\n",
      "a recorded value shows only after the histograms are merged",
    );
    store.mergeHistograms();
    assert.match(store.renderText(), /latency: P0\(1,1\) P25\(1\.025,1\.025\) .* P100\(1\.1,1\.1\)\n$/);
    store.mergeHistograms();
    assert.match(store.renderText(), /latency: P0\(nan,1\) /, "an empty interval shows nan, cumulative stays");
  });

  test("/stats/prometheus: TYPE families, envoy_ prefix except for custom metrics, tags, histogram lines", () => {
    const store = new EnvoyStatsStore({ statsTags: [ISTIO_TAG] });
    store.counter("wasmcustom.rpc.method=.=b;.;requests").add(2);
    store.counter("wasmcustom.rpc.method=.=a;.;requests").add(1);
    store.counter("tcp.proxy1.downstream_cx_total").add(5);
    store.counter("wasmcustom.9bad").add(1);
    store.gauge("server.live").set(1);
    store.histogram("wasmcustom.rpc.time_ms").record(1);
    store.mergeHistograms();
    const buckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000]
      .concat([1800000, 3600000])
      .map((le) => `rpc_time_ms_bucket{le="${le}"} ${le <= 1 ? 0 : 1}\n`)
      .join("");
    assert.equal(
      store.renderPrometheus(),
      "# TYPE envoy_tcp_downstream_cx_total counter\n" +
        'envoy_tcp_downstream_cx_total{envoy_tcp_prefix="proxy1"} 5\n' +
        "# TYPE rpc_requests counter\n" +
        'rpc_requests{method="a"} 1\n' +
        'rpc_requests{method="b"} 2\n' +
        "# TYPE envoy_server_live gauge\n" +
        "envoy_server_live{} 1\n" +
        "# TYPE rpc_time_ms histogram\n" +
        buckets +
        'rpc_time_ms_bucket{le="+Inf"} 1\n' +
        "rpc_time_ms_sum{} 1.0500000000000000444089209850063\n" +
        "rpc_time_ms_count{} 1\n",
    );
  });

  test("Prometheus tag values are escaped and label names sanitized", () => {
    const store = new EnvoyStatsStore({ statsTags: [{ tagName: "a.b-c", regex: String.raw`^x\.((.*?)\.)y$` }] });
    store.counter('x.q"\\.y').add(1);
    assert.match(store.renderPrometheus(), /^envoy_x_y\{a_b_c="q\\"\\\\"\} 1$/m);
  });
});

// The Prometheus series a dashboard may query, with the labels each carries, and a reader that lists the series and
// labels a PromQL expression uses. Sources (docs/istio/observability.md cites them):
// - the filter's metrics: the metrics.ts declarations (test/docs/metric_table.ts), named as Envoy's Prometheus output
//   names them: custom namespace `wasmcustom.` stripped, `.` → `_`, the tags as labels, a histogram as
//   `_bucket` (with `le`), `_sum` and `_count` (Envoy source/server/admin/prometheus_stats.cc);
// - Istio's standard metrics and their labels: istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc
//   (Context: metric and tag names; IstioStatsFilter::log and reportHelper: which tags HTTP and TCP metrics get);
// - the labels Prometheus adds when it scrapes a sidecar: Istio's samples/addons/prometheus.yaml, job
//   kubernetes-pods (namespace, pod, node), and Prometheus's own job and instance.
import { declaredMetrics, type MetricScope } from "../docs/metric_table.ts";

/** Labels every scraped series has (pod labels that the scrape job maps are left out: they vary per pod). */
export const SCRAPE_LABELS = ["job", "instance", "namespace", "pod", "node"];

/** The filter's labels per metric scope (assembly/core/stats/stat_tags.ts). */
const FILTER_LABELS: Record<MetricScope, string[]> = {
  Plugin: ["protocol", "stat_prefix"],
  PluginAndMethod: ["protocol", "stat_prefix", "service", "method"],
  Route: ["protocol", "stat_prefix", "route"],
  Cluster: ["protocol", "stat_prefix", "cluster"],
};
const FILTER_FAMILY: Record<MetricScope, string> = {
  Plugin: "meta_protocol_",
  PluginAndMethod: "meta_protocol_by_method_",
  Route: "meta_protocol_by_route_",
  Cluster: "meta_protocol_by_cluster_",
};

/** The peer and workload labels istio.stats gives every metric (istio_stats.cc populatePeerInfo). */
const ISTIO_PEER_LABELS = [
  "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
  "source_canonical_service", "source_canonical_revision", "source_cluster", "destination_workload",
  "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
  "destination_service", "destination_service_name", "destination_service_namespace", "destination_canonical_service",
  "destination_canonical_revision", "destination_cluster", "request_protocol", "response_flags",
  "connection_security_policy",
];
/** HTTP metrics also get the status tags (IstioStatsFilter::log); TCP metrics do not (reportHelper). */
const ISTIO_HTTP_LABELS = [...ISTIO_PEER_LABELS, "response_code", "grpc_response_status"];

/** Istio's standard metrics as Prometheus names them, with their kind. */
export const ISTIO_STANDARD_METRICS: ReadonlyArray<{ name: string; kind: "counter" | "histogram"; http: boolean }> = [
  { name: "istio_requests_total", kind: "counter", http: true },
  { name: "istio_request_duration_milliseconds", kind: "histogram", http: true },
  { name: "istio_request_bytes", kind: "histogram", http: true },
  { name: "istio_response_bytes", kind: "histogram", http: true },
  { name: "istio_tcp_connections_opened_total", kind: "counter", http: false },
  { name: "istio_tcp_connections_closed_total", kind: "counter", http: false },
  { name: "istio_tcp_sent_bytes_total", kind: "counter", http: false },
  { name: "istio_tcp_received_bytes_total", kind: "counter", http: false },
];

/** Every series name a query may use, with the labels it carries. */
export function knownSeries(): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  const add = (name: string, kind: string, labels: string[]) => {
    if (kind !== "histogram") {
      series.set(name, new Set([...labels, ...SCRAPE_LABELS]));
      return;
    }
    series.set(`${name}_bucket`, new Set([...labels, ...SCRAPE_LABELS, "le"]));
    series.set(`${name}_sum`, new Set([...labels, ...SCRAPE_LABELS]));
    series.set(`${name}_count`, new Set([...labels, ...SCRAPE_LABELS]));
  };
  for (const metric of declaredMetrics()) {
    const scopes: MetricScope[] = metric.scope === "PluginAndMethod" ? ["Plugin", "PluginAndMethod"] : [metric.scope];
    for (const scope of scopes) add(FILTER_FAMILY[scope] + metric.name, metric.kind, FILTER_LABELS[scope]);
  }
  for (const metric of ISTIO_STANDARD_METRICS) add(metric.name, metric.kind, metric.http ? ISTIO_HTTP_LABELS : ISTIO_PEER_LABELS);
  return series;
}

/** What a PromQL expression reads: each series selector (name and matched labels) and each grouping label list. */
export interface QueryUse {
  readonly selectors: Array<{ name: string; labels: string[] }>;
  readonly groupings: string[][];
}

/** PromQL's functions and aggregations the dashboards call, and the keywords that are not series names. */
const FUNCTIONS = new Set(["sum", "rate", "irate", "increase", "histogram_quantile", "clamp_min", "max", "min", "avg", "count", "topk", "label_values"]);
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"]);

/** Reads the series and labels of an expression; anything it cannot read is an error naming it. */
export function readQuery(expr: string): QueryUse {
  const selectors: QueryUse["selectors"] = [];
  const groupings: string[][] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i])) i++;
  };
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "[") {
      const end = expr.indexOf("]", i);
      if (end < 0) throw new Error(`unclosed range in ${expr}`);
      i = end + 1;
    } else if (c === "{") {
      throw new Error(`a selector without a metric name in ${expr}`);
    } else if (/[0-9.]/.test(c)) {
      while (i < expr.length && /[0-9.eE]/.test(expr[i])) i++;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const start = i;
      while (i < expr.length && /[a-zA-Z0-9_:]/.test(expr[i])) i++;
      const word = expr.slice(start, i);
      skipSpace();
      if (word === "by" || word === "without") {
        groupings.push(readLabelList());
      } else if (KEYWORDS.has(word)) {
        continue;
      } else if (FUNCTIONS.has(word)) {
        continue;
      } else if (expr[i] === "(") {
        throw new Error(`unknown function ${word} in ${expr}`);
      } else {
        selectors.push({ name: word, labels: expr[i] === "{" ? readMatchers() : [] });
      }
    } else if ("()+-*/,<>=!".includes(c)) {
      i++;
    } else {
      throw new Error(`unexpected '${c}' in ${expr}`);
    }
  }
  return { selectors, groupings };

  function readLabelList(): string[] {
    if (expr[i] !== "(") throw new Error(`'by' or 'without' without a label list in ${expr}`);
    const end = expr.indexOf(")", i);
    if (end < 0) throw new Error(`unclosed label list in ${expr}`);
    const labels = expr.slice(i + 1, end).split(",").map((l) => l.trim()).filter((l) => l !== "");
    i = end + 1;
    return labels;
  }

  /** `{name op "value", ...}`: the label names, values skipped (they may hold Grafana variables). */
  function readMatchers(): string[] {
    const labels: string[] = [];
    i++;
    for (;;) {
      skipSpace();
      if (expr[i] === "}") {
        i++;
        return labels;
      }
      const match = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/.exec(expr.slice(i));
      if (match === null) throw new Error(`unreadable label matcher at '${expr.slice(i, i + 30)}' in ${expr}`);
      labels.push(match[1]);
      i += match[0].length;
    }
  }
}

// The Grafana dashboards of istio/dashboards/ load: each is JSON with what Grafana needs to draw it, and every
// Prometheus query in it (panel targets and template variables) reads only series that exist (the filter's declared
// metrics, Istio's standard metrics) through labels those series carry (test/validation/prometheus_metrics.ts).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { knownSeries, readQuery } from "./prometheus_metrics.ts";

const DASHBOARDS = fileURLToPath(new URL("../../istio/dashboards/", import.meta.url));

interface Query {
  readonly where: string;
  readonly expr: string;
}

/** The problems of a dashboard's text, one line each; empty when Grafana can load it and every query is sound. */
function dashboardProblems(text: string): string[] {
  let dashboard: any;
  try {
    dashboard = JSON.parse(text);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (typeof dashboard.title !== "string" || dashboard.title === "") problems.push("no title");
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) problems.push("no panels");
  if (!Array.isArray(dashboard.templating?.list)) problems.push("no templating.list");
  if (problems.length > 0) return problems;

  const queries: Query[] = [];
  const ids = new Set<number>();
  for (const panel of dashboard.panels.flatMap((p: any) => [p, ...(p.panels ?? [])])) {
    const where = `panel '${panel.title}'`;
    if (typeof panel.type !== "string") problems.push(`${where}: no type`);
    const grid = panel.gridPos;
    if (!["h", "w", "x", "y"].every((k) => Number.isInteger(grid?.[k]))) problems.push(`${where}: gridPos needs integer h, w, x, y`);
    else if (grid.x + grid.w > 24) problems.push(`${where}: gridPos wider than Grafana's 24 columns`);
    if (ids.has(panel.id)) problems.push(`${where}: id ${panel.id} used twice`);
    ids.add(panel.id);
    if (panel.type === "row") continue;
    if (!Array.isArray(panel.targets) || panel.targets.length === 0) problems.push(`${where}: no targets`);
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== "string" || target.expr === "") problems.push(`${where}: a target without expr`);
      else queries.push({ where: `${where} target ${target.refId}`, expr: target.expr });
    }
  }
  const variables = new Set<string>(["__rate_interval", "__interval", "__range"]);
  for (const variable of dashboard.templating.list) {
    if (typeof variable.name !== "string" || typeof variable.type !== "string") problems.push("a template variable without name or type");
    variables.add(variable.name);
    if (variable.type !== "query") continue;
    const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
    const labelValues = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query ?? "");
    if (labelValues === null) {
      problems.push(`variable '${variable.name}': not a label_values(series, label) query: ${query}`);
      continue;
    }
    queries.push({ where: `variable '${variable.name}'`, expr: `${labelValues[1]} by (${labelValues[2]})` });
  }

  const series = knownSeries();
  for (const { where, expr } of queries) {
    for (const used of expr.matchAll(/\$\{?(\w+)/g)) {
      if (!variables.has(used[1])) problems.push(`${where}: unknown variable $${used[1]}`);
    }
    let use;
    try {
      use = readQuery(expr);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    if (use.selectors.length === 0) problems.push(`${where}: reads no series`);
    for (const selector of use.selectors) {
      const labels = series.get(selector.name);
      if (labels === undefined) {
        problems.push(`${where}: unknown metric ${selector.name}`);
        continue;
      }
      for (const label of selector.labels) {
        if (!labels.has(label)) problems.push(`${where}: ${selector.name} has no label ${label}`);
      }
    }
    for (const label of use.groupings.flat()) {
      for (const selector of use.selectors) {
        if (series.get(selector.name)?.has(label) === false) problems.push(`${where}: groups by ${label}, which ${selector.name} lacks`);
      }
    }
  }
  return problems;
}

const dashboards = readdirSync(DASHBOARDS).filter((f) => f.endsWith(".json"));

describe("the Grafana dashboards", () => {
  it("exist", () => assert.ok(dashboards.length > 0, `no dashboard in ${DASHBOARDS}`));

  for (const file of dashboards) {
    it(`${file} loads, and every query reads existing metrics by their labels`, () => {
      assert.deepEqual(dashboardProblems(readFileSync(join(DASHBOARDS, file), "utf8")), []);
    });
  }

  describe("the check itself", () => {
    const good = readFileSync(join(DASHBOARDS, "meta-protocol-bridge.json"), "utf8");
    /** The problems of the dashboard with the first `from` in a JSON string replaced by `to`. */
    const broken = (from: string, to: string) => {
      const inJson = (text: string) => JSON.stringify(text).slice(1, -1);
      assert.ok(good.includes(inJson(from)), `the dashboard no longer has ${from}`);
      return dashboardProblems(good.replace(inJson(from), inJson(to)));
    };

    it("refuses text that is not JSON", () => {
      assert.match(dashboardProblems(good.slice(0, -3)).join("\n"), /^not JSON/);
    });
    it("refuses a query of a metric that does not exist", () => {
      assert.match(broken("meta_protocol_by_method_request{", "meta_protocol_by_method_requests{").join("\n"), /unknown metric meta_protocol_by_method_requests/);
      assert.match(broken("istio_requests_total{", "istio_request_total{").join("\n"), /unknown metric istio_request_total/);
    });
    it("refuses a histogram read without its Prometheus suffix", () => {
      assert.match(broken("request_time_ms_bucket", "request_time_ms").join("\n"), /unknown metric meta_protocol_by_method_request_time_ms\b/);
    });
    it("refuses a label the metric does not have, in a selector and in a grouping", () => {
      assert.match(broken('destination_service=~"$service"', 'destination_svc=~"$service"').join("\n"), /istio_requests_total has no label destination_svc/);
      assert.match(broken("sum by (stat_prefix, service, method)", "sum by (stat_prefix, service, method, response_code)").join("\n"), /groups by response_code, which meta_protocol_by_method_request lacks/);
    });
    it("refuses a per-method label on a per-plugin metric", () => {
      assert.match(broken("meta_protocol_by_method_response_success{", "meta_protocol_response_success{").join("\n"), /meta_protocol_response_success has no label method/);
    });
    it("refuses an unknown template variable and a panel without gridPos", () => {
      assert.match(broken('"$stat_prefix"', '"$prefix"').join("\n"), /unknown variable \$prefix/);
      const withoutGrid = JSON.parse(good);
      delete withoutGrid.panels[1].gridPos;
      assert.match(dashboardProblems(JSON.stringify(withoutGrid)).join("\n"), /gridPos needs integer h, w, x, y/);
    });
  });
});

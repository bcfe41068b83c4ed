// The metric list of docs/metrics-and-logs.md is the one the declarations make (make docs), and the modules define
// exactly the declared metrics: a metric declared some other way, or left out of the list, fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, startTestHost, type RunningHost } from "../e2e/host_fixture.ts";
import { declaredMetrics, DOC, type MetricScope, metricTable, withTable } from "./metric_table.ts";

/** A route, so that every group of metrics exists (per method, per route, per cluster). */
const ROUTED = JSON.stringify({ stat_prefix: "demo", connection_routing: false, routes: [{ name: "all", route: { cluster: "awesomerpc_server" } }] });

describe("the metric list", () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", server.port, ROUTED), "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("in the docs is the one the declarations make (run make docs after changing a metric)", () => {
    const document = readFileSync(DOC, "utf8");
    assert.equal(document, withTable(document, metricTable(declaredMetrics())));
  });

  it("names every metric the module defines: per plugin, per method, per route, per cluster", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    await client.call(Command.Echo, "x");
    client.close();
    const names = (await host.statsText()).split("\n").map((line) => line.split(":")[0]);
    const suffixes = (family: string) => [...new Set(names.filter((n) => n.startsWith(family)).map((n) => n.slice(n.lastIndexOf(";.;") + 3)))].sort();
    const declared = declaredMetrics();
    const of = (...scopes: MetricScope[]) => declared.filter((m) => scopes.includes(m.scope)).map((m) => m.name).sort();
    const prefix = "wasmcustom.meta_protocol.protocol=.=awesomerpc;.;stat_prefix=.=demo;.;";
    const plugin = names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    assert.deepEqual([...new Set(plugin)].sort(), of("Plugin", "PluginAndMethod"));
    assert.deepEqual(suffixes("wasmcustom.meta_protocol.by_method."), of("PluginAndMethod"));
    assert.deepEqual(suffixes("wasmcustom.meta_protocol.by_route."), of("Route"));
    assert.deepEqual(suffixes("wasmcustom.meta_protocol.by_cluster."), of("Cluster"));
  });
});

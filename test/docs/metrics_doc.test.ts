// The metric list of docs/metrics-and-logs.md is the one the declarations make (make docs), and the modules define
// exactly the declared metrics: a metric declared some other way, or left out of the list, fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, startTestHost, type RunningHost } from "../e2e/host_fixture.ts";
import { declaredMetrics, DOC, metricTable, withTable } from "./metric_table.ts";

describe("the metric list", () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", server.port), "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("in the docs is the one the declarations make (run make docs after changing a metric)", () => {
    const document = readFileSync(DOC, "utf8");
    assert.equal(document, withTable(document, metricTable(declaredMetrics())));
  });

  it("names every metric the module defines, per plugin and per method", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    await client.call(Command.Echo, "x");
    client.close();
    const names = (await host.statsText()).split("\n").map((line) => line.split(":")[0]);
    const plugin = names.filter((n) => n.startsWith("meta_protocol.awesomerpc.demo.")).map((n) => n.slice("meta_protocol.awesomerpc.demo.".length));
    const perMethod = names.filter((n) => n.startsWith("meta_protocol.by_method.")).map((n) => n.slice(n.lastIndexOf(";.;") + 3));
    const declared = declaredMetrics();
    assert.deepEqual([...new Set(plugin)].sort(), declared.map((m) => m.name).sort());
    assert.deepEqual([...new Set(perMethod)].sort(), declared.filter((m) => m.perMethod).map((m) => m.name).sort());
  });
});

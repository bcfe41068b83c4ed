// Routing with the real awesomerpc peers: the connection's first request chooses tcp_proxy's cluster (held new
// connection + max_early_data_bytes + set_envoy_filter_state), weighted clusters, route mismatches, and
// route-not-found errors answered through the carrier while other calls on the connection complete; and the same
// routes with connection routing off, as on Envoy before 1.37.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "awesomerpc", statPrefix: "demo" };
const ROUTES = {
  stat_prefix: "demo",
  routes: [
    { name: "echo", match: { metadata: [{ name: "cmd", exact_match: String(Command.Echo) }] }, route: { cluster: "server_a" } },
    { name: "upper", match: { metadata: [{ name: "cmd", exact_match: String(Command.Upper) }] }, route: { cluster: "server_b" } },
    {
      name: "delay",
      match: { metadata: [{ name: "cmd", exact_match: String(Command.Delay) }] },
      route: { weighted_clusters: { clusters: [{ name: "server_a", weight: 50 }, { name: "server_b", weight: 50 }] } },
    },
  ],
};

describe("connection routing through the wasm filter", () => {
  let a: AwesomeRpcServer;
  let b: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    a = await startAwesomeRpcServer();
    b = await startAwesomeRpcServer();
    const config = bootstrapFor("envoy/awesomerpc.yaml", { awesomerpc_server: a.port, server_a: a.port, server_b: b.port }, JSON.stringify(ROUTES));
    const tcpProxy = config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config;
    tcpProxy.max_early_data_bytes = 65536; // lets the filter hold the new connection until its first request
    host = await startTestHost(config, "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await a?.close();
    await b?.close();
  });

  it("sends a connection to the cluster of its first request's route", async () => {
    const before = { a: a.received.length, b: b.received.length };
    const client = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await client.call(Command.Upper, "to b"), { responseCode: 0, body: "TO B" });
    client.close();
    const other = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await other.call(Command.Echo, "to a"), { responseCode: 0, body: "to a" });
    other.close();
    assert.equal(b.received.length - before.b, 1);
    assert.equal(a.received.length - before.a, 1);
  });

  it("spreads connections over weighted clusters", async () => {
    const before = { a: a.received.length, b: b.received.length };
    for (let i = 0; i < 60; i++) {
      const client = await AwesomeRpcClient.connect(host.port);
      await client.call(Command.Delay, "0");
      client.close();
    }
    const toA = a.received.length - before.a;
    const toB = b.received.length - before.b;
    assert.equal(toA + toB, 60);
    assert.ok(toA >= 10 && toB >= 10, `60 connections split ${toA}/${toB}`);
  });

  it("forwards a request whose route leads elsewhere on the connection's cluster, and counts it", async () => {
    const mismatches = total(await host.prometheus(), PLUGIN, "route_mismatch") ?? 0;
    const client = await AwesomeRpcClient.connect(host.port);
    await client.call(Command.Echo, "first");
    const before = b.received.length;
    assert.deepEqual(await client.call(Command.Upper, "stays on a"), { responseCode: 0, body: "STAYS ON A" });
    client.close();
    assert.equal(b.received.length, before);
    await eventually(async () => total(await host.prometheus(), PLUGIN, "route_mismatch") === mismatches + 1, "route_mismatch");
  });

  it("answers a request with no route with an error for that call only, while other calls complete", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    const slow = client.call(Command.Delay, "150");
    const lost = client.call(99, "nowhere");
    const echo = client.call(Command.Echo, "fine");
    assert.deepEqual(await lost, { responseCode: 1, body: "" });
    assert.deepEqual(await echo, { responseCode: 0, body: "fine" });
    assert.deepEqual(await slow, { responseCode: 0, body: "150" });
    client.close();
    const exposition = await host.prometheus();
    assert.ok((total(exposition, PLUGIN, "route_not_found") ?? 0) >= 1);
    assert.ok((total(exposition, PLUGIN, "local_response_error") ?? 0) >= 1);
    assert.ok(host.accessLog().some((l) => / cmd=99 .*response=error/.test(l)));
  });

  it("answers a first request with no route through tcp_proxy's own cluster", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await client.call(42, "x"), { responseCode: 1, body: "" });
    assert.deepEqual(await client.call(Command.Echo, "then"), { responseCode: 0, body: "then" });
    client.close();
  });
});

describe("routes with connection_routing off, for Envoy before 1.37 (tcp_proxy without max_early_data_bytes)", { timeout: 10_000 }, () => {
  let a: AwesomeRpcServer;
  let b: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    a = await startAwesomeRpcServer();
    b = await startAwesomeRpcServer();
    const routes = JSON.stringify({ ...ROUTES, connection_routing: false });
    host = await startTestHost(bootstrapFor("envoy/awesomerpc.yaml", { awesomerpc_server: a.port, server_b: b.port }, routes), "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await a?.close();
    await b?.close();
  });

  it("never holds a connection: tcp_proxy's own cluster serves every route, and each route naming another is a mismatch", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await client.call(Command.Upper, "route says b"), { responseCode: 0, body: "ROUTE SAYS B" });
    assert.deepEqual(await client.call(Command.Echo, "then a"), { responseCode: 0, body: "then a" });
    client.close();
    assert.deepEqual([a.received.length, b.received.length], [2, 0]);
    // tcp_proxy's cluster is awesomerpc_server; the routes name server_b and server_a: neither is where they went.
    const stats = await host.prometheus();
    assert.equal(total(stats, PLUGIN, "route_mismatch"), 2);
    assert.equal(total(stats, PLUGIN, "cx_cluster_tcp_proxy"), 1);
  });

  it("still answers a request with no route with an error for that call only", async () => {
    const client = await AwesomeRpcClient.connect(host.port);
    const lost = client.call(99, "nowhere");
    const echo = client.call(Command.Echo, "fine");
    assert.deepEqual(await lost, { responseCode: 1, body: "" });
    assert.deepEqual(await echo, { responseCode: 0, body: "fine" });
    client.close();
    await eventually(async () => total(await host.prometheus(), PLUGIN, "route_not_found") === 1, "route_not_found");
  });
});

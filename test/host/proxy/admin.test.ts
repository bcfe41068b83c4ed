import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client, startTestProxy, startUpstream, type TestProxy, type Upstream } from "./test_support.ts";

describe("admin endpoints", { timeout: 10_000 }, () => {
  let echo: Upstream;
  let proxy: TestProxy;
  let admin: string;
  before(async () => {
    echo = await startUpstream();
    proxy = await startTestProxy({ clusters: { backend: echo.port } });
    admin = `http://127.0.0.1:${proxy.host.adminPort}`;
    const client = await Client.connect(proxy.port);
    client.write("x");
    await client.waitFor("x");
    client.socket.destroy();
  });
  after(async () => {
    await proxy.stop();
    await echo.close();
  });

  const get = async (path: string, method = "GET") => {
    const response = await fetch(admin + path, { method });
    return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
  };

  it("answers /ready with LIVE", async () => {
    assert.deepEqual(await get("/ready"), { status: 200, type: "text/plain; charset=UTF-8", body: "LIVE\n" });
  });

  it("renders /stats as Envoy's text format", async () => {
    const { status, body } = await get("/stats");
    assert.equal(status, 200);
    assert.match(body, /^tcp\.main\.downstream_cx_total: 1$/m);
    assert.match(body, /^cluster\.backend\.upstream_cx_total: 1$/m);
  });

  it("renders /stats/prometheus, and /stats?format=prometheus, with Envoy's default tags", async () => {
    const prometheus = await get("/stats/prometheus");
    assert.equal(prometheus.type, "text/plain; version=0.0.4; charset=UTF-8");
    assert.match(prometheus.body, /^envoy_tcp_downstream_cx_total\{envoy_tcp_prefix="main"\} 1$/m);
    assert.match(prometheus.body, /^envoy_cluster_upstream_cx_total\{envoy_cluster_name="backend"\} 1$/m);
    assert.equal((await get("/stats?format=prometheus")).body, prometheus.body);
  });

  it("refuses /stats parameters it does not implement", async () => {
    const { status, body } = await get("/stats?filter=tcp");
    assert.equal(status, 400);
    assert.match(body, /parameter 'filter' is not supported/);
  });

  it("answers /server_info with a minimal ServerInfo", async () => {
    const info = JSON.parse((await get("/server_info")).body);
    assert.equal(info.state, "LIVE");
    assert.deepEqual(info.command_line_options, { concurrency: 1, log_level: "info" });
    assert.match(info.uptime_current_epoch, /^\d+s$/);
  });

  it("lists the endpoints on an unknown path, and requires POST for /quitquitquit", async () => {
    const unknown = await get("/clusters");
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /\/stats\/prometheus/);
    assert.deepEqual(await get("/quitquitquit"), { status: 405, type: "text/plain; charset=UTF-8", body: "Method GET not allowed, POST required.\n" });
  });
});

describe("admin /quitquitquit", { timeout: 10_000 }, () => {
  it("answers OK, then stops the host", async () => {
    const echo = await startUpstream();
    const proxy = await startTestProxy({ clusters: { backend: echo.port } });
    try {
      const response = await fetch(`http://127.0.0.1:${proxy.host.adminPort}/quitquitquit`, { method: "POST" });
      assert.equal(await response.text(), "OK\n");
      await proxy.host.stopped;
      await assert.rejects(Client.connect(proxy.port));
    } finally {
      await proxy.stop();
      await echo.close();
    }
  });
});

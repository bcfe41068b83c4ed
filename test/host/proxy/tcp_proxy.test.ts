// tcp_proxy and the filter chain in front of it, end to end on 127.0.0.1: client → host listener → test filters →
// tcp_proxy → Node upstream servers.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { FilterStateLifeSpan, FilterStatus } from "../api.ts";
import { PER_CONNECTION_CLUSTER_KEY } from "./tcp_proxy.ts";
import {
  Client,
  closedPort,
  eventually,
  sleep,
  startTestProxy,
  startUpstream,
  testFilters,
  text,
  type TestProxy,
  type Upstream,
} from "./test_support.ts";

describe("tcp_proxy behind the network filter chain", { timeout: 20_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function upstream(onData?: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
    const server = await startUpstream(onData);
    cleanups.push(() => server.close());
    return server;
  }
  async function proxy(options: Parameters<typeof startTestProxy>[0]): Promise<TestProxy> {
    const started = await startTestProxy(options);
    cleanups.push(() => started.stop());
    return started;
  }
  async function client(port: number): Promise<Client> {
    const connected = await Client.connect(port);
    cleanups.push(async () => void connected.socket.destroy());
    return connected;
  }

  it("proxies both ways, counts like Envoy and tells filters the chosen upstream", async () => {
    const echo = await upstream();
    const filters = testFilters();
    const host = await proxy({ filters: [filters.make], clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("ping");
    await peer.waitFor("ping");

    const info = filters.instances[0].callbacks.connection;
    assert.equal(info.upstreamClusterName, "backend");
    assert.equal(info.upstreamAddress, `127.0.0.1:${echo.port}`);
    assert.equal(info.listenerName, "main");
    assert.equal(info.destinationPort, host.port);
    assert.equal(await host.stat("tcp.main.downstream_cx_total"), 1);
    assert.equal(await host.stat("tcp.main.downstream_cx_rx_bytes_total"), 4);
    assert.equal(await host.stat("cluster.backend.upstream_cx_total"), 1);
    assert.equal(await host.stat("cluster.backend.upstream_cx_active"), 1);
    assert.equal(await host.stat(`listener.127.0.0.1_0.downstream_cx_active`), 1);
  });

  it("hangs a connection whose filter holds onNewConnection, when early data is not allowed", async () => {
    const echo = await upstream();
    const holder = testFilters({ onNewConnection: () => FilterStatus.StopIteration });
    const host = await proxy({ filters: [holder.make], clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("hello");
    await sleep(200);
    // tcp_proxy read-disabled the connection when the chain was built: nothing is read, nobody connects upstream.
    assert.deepEqual(holder.instances[0].seen, []);
    assert.equal(echo.sockets.length, 0);
    assert.equal(peer.closed, false);
  });

  it("with max_early_data_bytes, lets a filter holding onNewConnection read, choose the cluster and continue", async () => {
    const chosen = await upstream();
    const configured = await upstream();
    const router = testFilters({
      onNewConnection: () => FilterStatus.StopIteration,
      onData: (data, filter) => {
        if (!text(data.view()).includes("\n")) return FilterStatus.StopIteration;
        filter.callbacks.filterState.set(PER_CONNECTION_CLUSTER_KEY, "chosen", FilterStateLifeSpan.DownstreamConnection);
        return FilterStatus.Continue;
      },
    });
    const host = await proxy({
      filters: [router.make],
      tcpProxy: { cluster: "configured", max_early_data_bytes: 1024 },
      clusters: { configured: configured.port, chosen: chosen.port },
    });
    const peer = await client(host.port);
    peer.write("route me");
    await eventually(() => router.instances[0].seen.length === 1, "the filter to see the first bytes");
    peer.write(" to chosen\n");
    await peer.waitFor("route me to chosen\n");

    // The whole undrained buffer was presented again with the new bytes.
    assert.deepEqual(router.instances[0].seen, ["route me", "route me to chosen\n"]);
    assert.equal(configured.sockets.length, 0);
    assert.equal(chosen.received[0], "route me to chosen\n");
    assert.equal(router.instances[0].callbacks.connection.upstreamClusterName, "chosen");
    assert.equal(await host.stat("tcp.main.early_data_received_count_total"), 1);
  });

  it("ignores the filter-state cluster when tcp_proxy has weighted_clusters", async () => {
    const weighted = await upstream();
    const other = await upstream();
    const router = testFilters({
      onNewConnection: (filter) => {
        filter.callbacks.filterState.set(PER_CONNECTION_CLUSTER_KEY, "other", FilterStateLifeSpan.DownstreamConnection);
        return FilterStatus.Continue;
      },
    });
    const host = await proxy({
      filters: [router.make],
      tcpProxy: { weighted_clusters: { clusters: [{ name: "weighted", weight: 5 }] } },
      clusters: { weighted: weighted.port, other: other.port },
    });
    const peer = await client(host.port);
    peer.write("x");
    await peer.waitFor("x");
    assert.equal(weighted.sockets.length, 1);
    assert.equal(other.sockets.length, 0);
  });

  it("resumes at the filter after the one calling continueReading, with everything it held", async () => {
    const echo = await upstream();
    const gate = testFilters({ onData: () => FilterStatus.StopIteration });
    const host = await proxy({ filters: [gate.make], clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("one ");
    await eventually(() => gate.instances[0].seen.length === 1, "the gate to see the bytes");
    peer.write("two");
    await eventually(() => gate.instances[0].seen.at(-1) === "one two", "the gate to see all the bytes");
    assert.equal(echo.received[0], "");

    gate.instances[0].callbacks.continueReading();
    await peer.waitFor("one two");
  });

  it("keeps upstream bytes a write filter stopped, and presents them again with the next upstream bytes", async () => {
    const server = await upstream((socket, chunk) => {
      socket.write("part-");
      setTimeout(() => socket.write(`${chunk}!`), 100);
    });
    const seenOnWrite: string[] = [];
    const complete = testFilters({
      onWrite: (data) => {
        seenOnWrite.push(text(data.view()));
        return text(data.view()).endsWith("!") ? FilterStatus.Continue : FilterStatus.StopIteration;
      },
    });
    const host = await proxy({ filters: [complete.make], clusters: { backend: server.port } });
    const peer = await client(host.port);
    peer.write("rest");
    await peer.waitFor("part-rest!");
    assert.deepEqual(seenOnWrite, ["part-", "part-rest!"]);
  });

  it("runs write filters in reverse chain order", async () => {
    const echo = await upstream();
    const order: string[] = [];
    const first = testFilters({ onWrite: () => (order.push("first"), FilterStatus.Continue) });
    const second = testFilters({ onWrite: () => (order.push("second"), FilterStatus.Continue) });
    const host = await proxy({ filters: [first.make, second.make], clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("x");
    await peer.waitFor("x");
    assert.deepEqual(order, ["second", "first"]);
  });

  it("stops reading above per_connection_buffer_limit_bytes and resumes once the filters drain", async () => {
    const echo = await upstream(() => {});
    let release = false;
    const holder = testFilters({ onData: () => (release ? FilterStatus.Continue : FilterStatus.StopIteration) });
    const host = await proxy({
      filters: [holder.make],
      clusters: { backend: echo.port },
      listener: { per_connection_buffer_limit_bytes: 1024 },
    });
    const peer = await client(host.port);
    const payload = "z".repeat(400_000);
    peer.write(payload);
    await sleep(300);
    const largestHeld = Math.max(...holder.instances[0].seen.map((seen) => seen.length));
    assert.ok(largestHeld < payload.length, `reading went on up to ${largestHeld} bytes`);

    release = true;
    holder.instances[0].callbacks.continueReading();
    await eventually(() => echo.received[0]?.length === payload.length, "the upstream to receive every byte", 5000);
  });

  it("stops reading the upstream while the client does not take what is written to it", async () => {
    const size = 64 * 1024 * 1024;
    const server = await upstream((socket) => socket.write(Buffer.alloc(size, "y")));
    const host = await proxy({ clusters: { backend: server.port }, listener: { per_connection_buffer_limit_bytes: 64 * 1024 } });
    const peer = await client(host.port);
    peer.socket.pause();
    peer.write("go");
    await eventually(() => server.sockets.length === 1, "the upstream connection");
    await sleep(500);
    assert.ok(server.sockets[0].writableLength > 0, "the proxy read everything the upstream sent");

    let received = 0;
    peer.socket.removeAllListeners("data");
    peer.socket.on("data", (chunk) => (received += chunk.length));
    peer.socket.resume();
    await eventually(() => received === size, "the client to receive every byte", 10_000);
  });

  it("passes half-closes both ways and closes once both directions are done", async () => {
    const server = await upstream(() => {});
    const host = await proxy({ clusters: { backend: server.port } });
    const peer = await client(host.port);
    peer.write("question");
    peer.socket.end();
    await eventually(() => server.ended[0], "the upstream to see the client's FIN");
    assert.equal(server.received[0], "question");

    server.sockets[0].end("answer"); // the answer still flows after the client's FIN
    await peer.waitFor("answer");
    await eventually(() => peer.ended, "the client to see the upstream's FIN");
    await peer.waitClosed();
  });

  it("flushes and closes the client when the upstream closes", async () => {
    const server = await upstream((socket) => {
      socket.write("bye");
      socket.destroy();
    });
    const host = await proxy({ clusters: { backend: server.port } });
    const peer = await client(host.port);
    peer.write("hi");
    await peer.waitClosed();
    assert.equal(peer.received, "bye");
  });

  it("closes the upstream when the client goes away", async () => {
    const echo = await upstream();
    const host = await proxy({ clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("x");
    await peer.waitFor("x");
    peer.socket.destroy();
    await eventually(() => echo.ended[0], "the upstream connection to end");
    await eventually(() => echo.sockets[0].closed || echo.sockets[0].readableEnded, "the upstream to be closed");
  });

  it("closes connections routed to an unknown cluster, counting downstream_cx_no_route", async () => {
    const host = await proxy({ tcpProxy: { cluster: "missing" }, clusters: {} });
    const peer = await client(host.port);
    await peer.waitClosed();
    assert.equal(await host.stat("tcp.main.downstream_cx_no_route"), 1);
  });

  it("closes the client when the upstream refuses the connection, counting the failure", async () => {
    const host = await proxy({ clusters: { backend: await closedPort() } });
    const peer = await client(host.port);
    await peer.waitClosed();
    assert.equal(await host.stat("cluster.backend.upstream_cx_connect_fail"), 1);
    assert.equal(await host.stat("cluster.backend.upstream_cx_connect_attempts_exceeded"), 1);
    assert.equal(await host.stat("cluster.backend.upstream_cx_active"), 0);
  });

  it("closes a connection idle for idle_timeout, counting it", async () => {
    const echo = await upstream();
    const host = await proxy({ tcpProxy: { cluster: "backend", idle_timeout: "0.2s" }, clusters: { backend: echo.port } });
    const peer = await client(host.port);
    peer.write("x");
    await peer.waitFor("x");
    const start = Date.now();
    await peer.waitClosed();
    assert.ok(Date.now() - start >= 150, "closed before the idle timeout");
    assert.equal(await host.stat("tcp.main.idle_timeout"), 1);
  });
});

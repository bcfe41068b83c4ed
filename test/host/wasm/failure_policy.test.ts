// What each failure policy does to the connections already on a VM when it fails, and to the new ones after.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { CloseType, FilterStatus } from "../api.ts";
import { startHost } from "../proxy/server.ts";
import { Client, eventually, startUpstream, testBootstrap } from "../proxy/test_support.ts";
import { type PluginOptions, type ProbeConnection, type ProbePlugin, probeModulePath, ProbeRuntime } from "./testing/probe_host.ts";

const TRAP_LOG = "Error Function: proxy_on_downstream_data failed: Uncaught RuntimeError: unreachable";

/** A plugin with a connection that is about to trap and another one already open beside it, both working. */
async function beforeTheTrap(options: PluginOptions): Promise<{ probe: ProbePlugin; trapping: ProbeConnection; existing: ProbeConnection }> {
  const probe = await ProbeRuntime.create().load(options);
  const [trapping, existing] = [probe.connect(), probe.connect()];
  for (const connection of [trapping, existing]) {
    assert.equal(connection.start(), FilterStatus.Continue);
    assert.equal(connection.send("ctx"), FilterStatus.Continue);
  }
  return { probe, trapping, existing };
}

/** Whether the module saw the connection's data, and what the connection became. */
function afterData(probe: ProbePlugin, connection: ProbeConnection, data: string) {
  const callbacks = probe.callbacks().length;
  const status = connection.send(data);
  return { status, closes: connection.closes, moduleCalled: probe.callbacks().length > callbacks };
}

const closedAtOnce = { status: FilterStatus.StopIteration, closes: [CloseType.FlushWrite], moduleCalled: false };
const passedUntouched = { status: FilterStatus.Continue, closes: [], moduleCalled: false };

describe("failure policies", () => {
  for (const [what, options] of [
    ["FAIL_CLOSED", { failurePolicy: "FAIL_CLOSED" }],
    ["no policy (FAIL_CLOSED)", {}],
  ] as const) {
    it(`${what}: the VM's connections are closed at their next data, new ones at once`, async () => {
      const { probe, trapping, existing } = await beforeTheTrap(options);
      assert.equal(trapping.send("trap"), FilterStatus.StopIteration);
      assert.deepEqual(trapping.closes, [CloseType.FlushWrite]);
      assert.ok(probe.logs.includes(TRAP_LOG));
      assert.deepEqual(afterData(probe, existing, "ctx"), closedAtOnce);
      const next = probe.connect();
      assert.equal(next.start(), FilterStatus.StopIteration);
      assert.deepEqual(next.closes, [CloseType.FlushWrite]);
      await probe.close();
    });
  }

  it("FAIL_OPEN: the VM's connections are still closed (fail_open_ is false); new ones skip the filter", async () => {
    const { probe, trapping, existing } = await beforeTheTrap({ failurePolicy: "FAIL_OPEN" });
    assert.equal(trapping.send("trap"), FilterStatus.StopIteration);
    assert.deepEqual(trapping.closes, [CloseType.FlushWrite]);
    assert.deepEqual(afterData(probe, existing, "ctx"), closedAtOnce);
    const next = probe.connect();
    assert.equal(next.start(), FilterStatus.Continue);
    assert.deepEqual(afterData(probe, next, "set 2 0 99 replaced"), passedUntouched);
    assert.deepEqual(next.forwardedText(), ["set 2 0 99 replaced"]);
    await probe.close();
  });

  it("the deprecated fail_open: the VM's connections pass untouched, new ones skip the filter", async () => {
    const { probe, trapping, existing } = await beforeTheTrap({ failOpen: true });
    assert.equal(trapping.send("trap"), FilterStatus.Continue, "the trapping call itself answers Continue");
    assert.deepEqual(trapping.forwardedText(), ["ctx", "trap"]);
    assert.deepEqual(afterData(probe, existing, "ctx"), passedUntouched);
    const next = probe.connect();
    assert.equal(next.start(), FilterStatus.Continue);
    assert.deepEqual(afterData(probe, next, "ctx"), passedUntouched);
    assert.deepEqual([...trapping.closes, ...existing.closes, ...next.closes], []);
    await probe.close();
  });

  it("fail_open together with failure_policy is refused", async () => {
    await assert.rejects(
      ProbeRuntime.create().load({ failOpen: true, failurePolicy: "FAIL_CLOSED" }),
      /^Error: Unable to create Wasm plugin probe_filter: only one of fail_open or failure_policy can be set$/,
    );
  });
});

describe("FAIL_RELOAD", () => {
  const BASE_MS = 200; // backoffs are drawn from [200, 300) ms
  const counter = (probe: ProbePlugin, name: string) => probe.stats.counter(`wasm.probe_filter.vm_reload_${name}`).value();
  const counters = (probe: ProbePlugin) => ["backoff", "success", "failure"].map((name) => counter(probe, name));

  it("closes like FAIL_CLOSED within the backoff; past it, a new connection reloads the plugin on a new VM", async () => {
    const { probe, trapping, existing } = await beforeTheTrap({ failurePolicy: "FAIL_RELOAD", reloadBaseIntervalMs: BASE_MS, configuration: "conf" });
    trapping.send("calls");
    assert.equal(probe.result("calls"), "1");
    assert.equal(trapping.send("trap"), FilterStatus.StopIteration);
    assert.deepEqual(trapping.closes, [CloseType.FlushWrite]);

    const tooSoon = probe.connect();
    assert.equal(tooSoon.start(), FilterStatus.StopIteration, "within the backoff since the plugin was loaded");
    assert.deepEqual(tooSoon.closes, [CloseType.FlushWrite]);
    assert.deepEqual(counters(probe), [1, 0, 0]);

    await sleep(1.5 * BASE_MS);
    const callbacks = probe.callbacks().length;
    const reloaded = probe.connect();
    assert.equal(reloaded.start(), FilterStatus.Continue);
    assert.deepEqual(probe.callbacks().slice(callbacks), [
      "on_context_create 1 0",
      "on_vm_start 1 vm-config",
      "on_configure 1 conf",
      "on_context_create 2 1",
      "on_new_connection 2",
    ], "a new VM: the plugin started and configured there, the connection under its root");
    reloaded.send("calls");
    assert.equal(probe.result("calls"), "1", "the new VM's module globals are new");
    assert.deepEqual(counters(probe), [1, 1, 0]);
    assert.deepEqual(afterData(probe, existing, "ctx"), closedAtOnce, "connections of the failed VM stay on it");

    reloaded.send("trap");
    const again = probe.connect();
    assert.equal(again.start(), FilterStatus.StopIteration, "the backoff counts from the last reload");
    assert.deepEqual(counters(probe), [2, 1, 0]);
    assert.equal(probe.factory.trapCount, 2);
    await probe.close();
  });

  it("a reload the module refuses counts as a failure and closes the connection; it is tried again after the backoff", async () => {
    // accept=2: the canary's configure and the worker's pass, the reloads' are refused.
    const { probe, trapping } = await beforeTheTrap({ failurePolicy: "FAIL_RELOAD", reloadBaseIntervalMs: BASE_MS, configuration: "accept=2", vmId: "reload_refused" });
    trapping.send("trap");
    await sleep(1.5 * BASE_MS);
    const refused = probe.connect();
    assert.equal(refused.start(), FilterStatus.StopIteration);
    assert.deepEqual(refused.closes, [CloseType.FlushWrite]);
    assert.deepEqual(counters(probe), [0, 0, 1]);
    assert.ok(probe.logs.includes("Error Wasm VM failed Failed to configure thread-local Wasm plugin"));

    await sleep(1.5 * BASE_MS);
    const callbacks = probe.callbacks().length;
    probe.connect().start();
    assert.deepEqual(
      probe.callbacks().slice(callbacks),
      ["on_context_create 1 0", "on_vm_start 1 vm-config", "on_configure 1 accept=2"],
      "the new VM kept the root context its refused start left, and starts it again (WasmBase::start)",
    );
    assert.deepEqual(counters(probe), [0, 0, 2]);
    await probe.close();
  });

  it("other plugins sharing the failed VM keep their own policy: FAIL_CLOSED ones are not reloaded", async () => {
    const runtime = ProbeRuntime.create();
    const reloading = await runtime.load({ name: "reloading", failurePolicy: "FAIL_RELOAD", reloadBaseIntervalMs: BASE_MS, vmId: "reload_shared" });
    const closing = await runtime.load({ name: "closing", failurePolicy: "FAIL_CLOSED", vmId: "reload_shared" });
    const trapping = reloading.connect();
    trapping.start();
    trapping.send("trap");
    await sleep(1.5 * BASE_MS);
    assert.equal(reloading.connect().start(), FilterStatus.Continue, "reloaded");
    assert.equal(closing.connect().start(), FilterStatus.StopIteration, "still on the failed VM");
    await Promise.all([reloading.close(), closing.close()]);
  });
});

describe("in the host, failure_policy: FAIL_OPEN", { timeout: 20_000 }, () => {
  it("closes the connection whose data trapped the VM, and lets the next connection through without the filter", async () => {
    const upstream = await startUpstream(() => {});
    const config: any = testBootstrap({ clusters: { backend: upstream.port } });
    config.static_resources.listeners[0].filter_chains[0].filters.unshift({
      name: "envoy.filters.network.wasm",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm",
        config: { name: "probe", failure_policy: "FAIL_OPEN", vm_config: { vm_id: "fail_open_host", code: { local: { filename: await probeModulePath() } } } },
      },
    });
    const host = await startHost({ config, concurrency: 1, log: () => {} });
    try {
      const trapping = await Client.connect(host.listenerPort("main"));
      trapping.write("trap");
      await trapping.waitClosed();
      const next = await Client.connect(host.listenerPort("main"));
      next.write("stop");
      await eventually(() => upstream.received.includes("stop"), "the bytes to reach the upstream untouched");
      assert.equal(next.closed || next.ended, false);
      assert.ok(!upstream.received.some((bytes) => bytes.includes("trap")), "the trapping data was not forwarded");
      next.socket.destroy();
    } finally {
      await host.stop();
      await upstream.close();
    }
  });
});

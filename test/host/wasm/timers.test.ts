// proxy_set_tick_period_milliseconds: ticks on the root context until the period is set to 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ProbePlugin } from "./testing/probe_host.ts";

const ticks = (probe: ProbePlugin) => probe.callbacks().filter((c) => c.startsWith("on_tick")).length;

test("a period set in on_configure ticks the root context repeatedly; 0 stops it", async () => {
  const probe = await ProbePlugin.load({ configuration: "tick=10" });
  await sleep(80);
  assert.ok(ticks(probe) >= 3, `ticked ${ticks(probe)} times`);
  assert.ok(probe.callbacks().filter((c) => c.startsWith("on_tick")).every((c) => c === "on_tick 1"));
  const connection = probe.connect();
  connection.start();
  connection.send("tick 0");
  const stopped = ticks(probe);
  await sleep(40);
  assert.equal(ticks(probe), stopped, "the connection's call set its root's period");
  await probe.close();
});

test("the canary VM's timer does not survive it, and close() stops the ticks", async () => {
  const probe = await ProbePlugin.load({ configuration: "tick=5" });
  await probe.close();
  const afterClose = ticks(probe);
  await sleep(30);
  assert.equal(ticks(probe), afterClose);
});

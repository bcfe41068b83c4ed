// Wasm memory is capped as Envoy's V8 caps it: 16384 pages (1 GiB) per module memory. memory.grow past it answers -1;
// a module's allocator then aborts, which fails the VM like any trap.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CloseType, FilterStatus } from "../api.ts";
import { ProbePlugin } from "./testing/probe_host.ts";

const MiB = 1024 * 1024;
const CAP_PAGES = 16384;

test("memory grows up to 16384 pages (1 GiB) and not one page more; the VM goes on", async () => {
  const probe = await ProbePlugin.load({ vmId: "memory_cap_1" });
  const connection = probe.connect();
  connection.start();
  connection.send("grow 0");
  const pages = Number(probe.result("grow 0"));
  connection.send(`grow ${CAP_PAGES - pages}`);
  assert.equal(probe.result(`grow ${CAP_PAGES - pages}`), String(pages), "grown to the cap");
  connection.send("grow 1");
  assert.equal(probe.result("grow 1"), "-1", "past the cap, memory.grow fails");
  assert.equal(connection.send("ctx"), FilterStatus.Continue);
  assert.deepEqual(connection.closes, []);
  assert.deepEqual(probe.factory.memoryBytes(), [1024 * MiB]);
  assert.equal(probe.factory.trapCount, 0);
  await probe.close();
});

test("an allocation past the cap aborts the module: the VM fails, logged, and its worker's connections break", async () => {
  const probe = await ProbePlugin.load({ vmId: "memory_cap_2", concurrency: 2 });
  const [allocating, sameWorker, otherWorker] = [probe.connect({}, 0), probe.connect({}, 0), probe.connect({}, 1)];
  for (const connection of [allocating, sameWorker, otherWorker]) connection.start();
  assert.equal(allocating.send(`alloc ${900 * MiB}`), FilterStatus.Continue, "900 MiB fit");
  assert.equal(allocating.send(`alloc ${200 * MiB}`), FilterStatus.StopIteration);
  assert.deepEqual(allocating.closes, [CloseType.FlushWrite]);
  assert.ok(probe.logs.includes("Error Function: proxy_on_downstream_data failed: Uncaught RuntimeError: unreachable"));
  assert.equal(probe.factory.trapCount, 1);
  assert.ok(probe.factory.memoryBytes()[0] <= 1024 * MiB);

  assert.equal(sameWorker.send("ctx"), FilterStatus.StopIteration);
  assert.deepEqual(sameWorker.closes, [CloseType.FlushWrite], "the other connection of the failed VM breaks at its next data");
  assert.equal(otherWorker.send("ctx"), FilterStatus.Continue, "the other worker's VM goes on");
  assert.deepEqual(otherWorker.closes, []);
  await probe.close();
});

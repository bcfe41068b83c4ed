// Shared data and shared queues: per vm_id, across the VMs of all workers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let probe: ProbePlugin;
let onFirstVm: ProbeConnection;
let onSecondVm: ProbeConnection;
before(async () => {
  probe = await ProbePlugin.load({ concurrency: 2, vmId: "shared_state_test" });
  onFirstVm = probe.connect();
  onSecondVm = probe.connect();
  onFirstVm.start();
  onSecondVm.start();
});
after(() => probe.close());

test("a value written on one VM is read on another with its CAS; a missing key is NotFound", () => {
  onFirstVm.send("sget color");
  assert.equal(probe.result("sget color"), `${WasmResult.NotFound}  0`);
  onFirstVm.send("sset color red 0");
  onSecondVm.send("sget color");
  const [result, value, cas] = probe.result("sget color")!.split(" ");
  assert.deepEqual([result, value], [String(WasmResult.Ok), "red"]);
  assert.ok(Number(cas) > 0);
});

test("CAS: the current one wins, a stale one is CasMismatch, 0 always writes", () => {
  onFirstVm.send("sget color");
  const cas = probe.result("sget color")!.split(" ")[2];
  onSecondVm.send(`sset color blue ${cas}`);
  assert.equal(probe.result(`sset color blue ${cas}`), String(WasmResult.Ok));
  onFirstVm.send(`sset color green ${cas}`);
  assert.equal(probe.result(`sset color green ${cas}`), String(WasmResult.CasMismatch));
  onFirstVm.send("sset color green 0");
  onFirstVm.send("sget color");
  assert.equal(probe.result("sget color")!.split(" ")[1], "green");
});

test("a queue: registered on one VM, resolved and filled from the other, reported to the registering root", async () => {
  onFirstVm.send("qreg jobs");
  const token = probe.result("qreg jobs")!.split(" ")[1];
  onSecondVm.send("qresolve - jobs");
  assert.equal(probe.result("qresolve - jobs"), `${WasmResult.Ok} ${token}`);
  onSecondVm.send(`qenq ${token} job-1`);
  assert.equal(probe.result(`qenq ${token} job-1`), String(WasmResult.Ok));
  assert.ok(!probe.callbacks().some((c) => c.startsWith("on_queue_ready")), "reported asynchronously");
  await nextTurn();
  assert.equal(probe.callbacks().at(-1), `on_queue_ready 1 ${token} ${WasmResult.Ok} job-1`);
  onFirstVm.send(`qdeq ${token}`);
  assert.equal(probe.result(`qdeq ${token}`), `${WasmResult.Empty} `);
});

test("unknown queues: NotFound", () => {
  onFirstVm.send("qresolve other_vm jobs");
  assert.equal(probe.result("qresolve other_vm jobs"), `${WasmResult.NotFound} 0`);
  onFirstVm.send("qenq 999 x");
  assert.equal(probe.result("qenq 999 x"), String(WasmResult.NotFound));
});

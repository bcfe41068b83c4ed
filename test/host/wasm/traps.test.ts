// A trap fails the VM for good: logged, counted, and every connection of that VM is closed (or, failing open,
// passed through); the other workers' VMs go on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CloseType, ConnectionEvent, FilterStatus } from "../api.ts";
import { ProbePlugin } from "./testing/probe_host.ts";

test("a trap closes the connection, is logged at error and counted; later connections on that VM are closed", async () => {
  const probe = await ProbePlugin.load({ concurrency: 2 });
  const first = probe.connect(); // VM 1
  const other = probe.connect(); // VM 2
  first.start();
  other.start();
  assert.equal(first.send("trap"), FilterStatus.StopIteration);
  assert.deepEqual(first.closes, [CloseType.FlushWrite]);
  assert.equal(probe.factory.trapCount, 1);
  assert.ok(probe.logs.includes("Error Function: proxy_on_downstream_data failed: Uncaught RuntimeError: unreachable"));

  assert.equal(first.send("ctx"), FilterStatus.StopIteration);
  assert.equal(first.closes.length, 1, "closed once");
  first.event(ConnectionEvent.LocalClose);

  const next = probe.connect(); // VM 1 again
  assert.equal(next.start(), FilterStatus.StopIteration);
  assert.deepEqual(next.closes, [CloseType.FlushWrite]);

  assert.equal(other.send("ctx"), FilterStatus.Continue, "the other VM is fine");
  assert.deepEqual(other.closes, []);
  const callbacksBefore = probe.callbacks().length;
  next.event(ConnectionEvent.RemoteClose);
  assert.equal(probe.callbacks().length, callbacksBefore, "a failed VM gets no more callbacks");
  await probe.close();
});

test("failing open, a failed VM lets data through untouched", async () => {
  const probe = await ProbePlugin.load({ failOpen: true });
  const connection = probe.connect();
  connection.start();
  assert.equal(connection.send("trap"), FilterStatus.Continue);
  assert.equal(connection.send("set 2 0 99 replaced"), FilterStatus.Continue);
  assert.deepEqual(connection.forwardedText(), ["trap", "set 2 0 99 replaced"]);
  const next = probe.connect();
  assert.equal(next.start(), FilterStatus.Continue);
  assert.equal(next.send("x"), FilterStatus.Continue);
  assert.deepEqual([...connection.closes, ...next.closes], []);
  assert.equal(probe.factory.trapCount, 1);
  await probe.close();
});

test("a trap in a close callback fails the VM too", async () => {
  const probe = await ProbePlugin.load({ configuration: "trap_on_log" });
  const connection = probe.connect();
  connection.start();
  connection.event(ConnectionEvent.RemoteClose);
  assert.equal(probe.factory.trapCount, 1);
  assert.equal(probe.callbacks().at(-1), "on_log 2", "on_delete is not called on a failed VM");
  assert.equal(probe.connect().start(), FilterStatus.StopIteration);
  await probe.close();
});

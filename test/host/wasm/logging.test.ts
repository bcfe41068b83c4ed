// proxy_log and proxy_get_log_level.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LogLevel } from "../api.ts";
import { WasmResult } from "./abi_codes.ts";
import { ProbePlugin } from "./testing/probe_host.ts";

test("lines below the configured level are dropped; the level is what proxy_get_log_level answers", async () => {
  const probe = await ProbePlugin.load({ logLevel: LogLevel.Warn });
  const connection = probe.connect();
  connection.start();
  connection.send(`log ${LogLevel.Info} quiet;log ${LogLevel.Error} loud;log 6 nonsense`);
  assert.ok(!probe.logs.some((l) => l.includes("quiet")));
  assert.ok(probe.logs.includes("Error wasm log probe_filter probe_root probe_vm: loud"), "stream contexts log with the plugin name");
  assert.ok(!probe.logs.some((l) => l.includes("cb on_new_connection")), "the probe's own info lines are dropped too");
  await probe.close();
});

test("log levels above critical are BadArgument; root contexts log without the plugin name", async () => {
  const probe = await ProbePlugin.load({ logLevel: LogLevel.Trace });
  const connection = probe.connect();
  connection.start();
  connection.send("log 6 nonsense;loglevel");
  assert.equal(probe.result("log 6 nonsense"), String(WasmResult.BadArgument));
  assert.equal(probe.result("loglevel"), `${WasmResult.Ok} ${LogLevel.Trace}`);
  assert.ok(probe.logs.includes("Info wasm log probe_root probe_vm: cb on_vm_start 1 vm-config"));
  await probe.close();
});

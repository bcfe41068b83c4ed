// VM sharing as Envoy does it: plugins with the same VM key (vm_id, VM configuration, code) share one VM per worker,
// each with its own root context; another VM key is another VM.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { LogLevel } from "../api.ts";
import { startHost } from "../proxy/server.ts";
import { Client, eventually, startUpstream, testBootstrap } from "../proxy/test_support.ts";
import { WasmResult } from "./abi_codes.ts";
import { compileAssemblyScript } from "./testing/compile_assemblyscript.ts";
import { type ProbeConnection, type ProbePlugin, probeModulePath, ProbeRuntime } from "./testing/probe_host.ts";

/** Runs `commands` on a new connection of `plugin` (on `worker`) and returns their results, in order. */
function run(plugin: ProbePlugin, commands: string[], worker?: number): string[] {
  const connection: ProbeConnection = plugin.connect({}, worker);
  connection.start();
  connection.send(commands.join(";"));
  return commands.map((command) => plugin.result(command)!);
}

const hex = (text: string) => Buffer.from(text).toString("hex");

describe("plugins with the same VM key", () => {
  it("share each worker's VM: each plugin gets a root context there, started and configured with its own configuration", async () => {
    const runtime = ProbeRuntime.create({ concurrency: 2 });
    const a = await runtime.load({ name: "a", rootId: "root_a", configuration: "conf-a", vmId: "sharing_1" });
    const b = await runtime.load({ name: "b", rootId: "root_b", configuration: "conf-b", vmId: "sharing_1" });
    const start = (root: number, configuration: string) => [
      `on_context_create ${root} 0`,
      `on_vm_start ${root} vm-config`,
      `on_configure ${root} ${configuration}`,
    ];
    assert.deepEqual(a.callbacks(), [
      ...start(1, "conf-a"), // a's canary VM
      ...start(1, "conf-a"), // worker 0's VM
      ...start(1, "conf-a"), // worker 1's VM
      ...start(1, "conf-b"), // b's canary VM: another plugin key, checked on a fresh VM
      ...start(2, "conf-b"), // worker 0's VM, shared: a second root context
      ...start(2, "conf-b"), // worker 1's VM
    ]);

    assert.deepEqual(run(a, ["root", "config", "prop plugin_root_id", "calls"], 0), ["1", "conf-a", `0 ${hex("root_a")}`, "1"]);
    assert.deepEqual(run(b, ["root", "config", "prop plugin_root_id", "calls"], 0), ["2", "conf-b", `0 ${hex("root_b")}`, "2"]);
    assert.deepEqual(run(b, ["calls"], 1), ["1"], "worker 1 has a VM of its own");
    assert.deepEqual(run(a, ["calls"], 0), ["3"], "one module instance per worker: its globals are shared by the plugins");
    assert.deepEqual(b.callbacks().filter((c) => c.startsWith("on_context_create") && !c.endsWith(" 0")), [
      "on_context_create 3 1",
      "on_context_create 4 2",
      "on_context_create 3 2",
      "on_context_create 5 1",
    ], "each connection's context is created under its own plugin's root context");
    assert.deepEqual(a.factory.memoryBytes(), b.factory.memoryBytes());
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(a.callbacks().slice(-8).sort(), ["on_delete 1", "on_delete 1", "on_delete 2", "on_delete 2", "on_done 1", "on_done 1", "on_done 2", "on_done 2"]);
  });

  it("with the same plugin key too (name, root_id, configuration, listener direction) share the root context, checked once", async () => {
    const runtime = ProbeRuntime.create();
    const first = await runtime.load({ configuration: "same", vmId: "sharing_2" });
    const callbacks = first.callbacks().length;
    const second = await runtime.load({ configuration: "same", vmId: "sharing_2" });
    assert.equal(second.callbacks().length, callbacks, "no canary, no second root context");
    assert.deepEqual(run(second, ["root", "calls"]), ["1", "1"]);
    assert.deepEqual(run(first, ["root", "calls"]), ["1", "2"]);
    await first.close();
    assert.equal(first.callbacks().filter((c) => c.startsWith("on_done")).length, 0, "the root lives on while a plugin holds it");
    await second.close();
    assert.deepEqual(first.callbacks().slice(-2), ["on_done 1", "on_delete 1"]);
  });

  it("a plugin whose canary passed but whose worker refuses it has no filter on that worker, and the failure is logged", async () => {
    const runtime = ProbeRuntime.create();
    const plugin = await runtime.load({ configuration: "accept=1", vmId: "sharing_3" });
    assert.ok(plugin.logs.includes("Error Wasm VM failed Failed to configure thread-local Wasm plugin"));
    const connection = plugin.connect();
    connection.start();
    connection.send("ctx");
    assert.deepEqual(connection.forwardedText(), ["ctx"], "the bytes pass untouched");
    assert.equal(plugin.result("ctx"), undefined, "the module never sees the connection");
    await assert.rejects(runtime.load({ name: "later", vmId: "sharing_3" }), /Unable to create Wasm network filter later: Failed to configure thread-local Wasm plugin/);
    await plugin.close();
  });
});

describe("plugins with different VM keys get different VMs", () => {
  const variants: [string, { vmId?: string; vmConfiguration?: string; wasmPath?: () => Promise<string> }][] = [
    ["another vm_id", { vmId: "sharing_other" }],
    ["another VM configuration", { vmConfiguration: "other-vm-config" }],
    ["other code", { wasmPath: otherProbeModule }],
  ];
  for (const [what, difference] of variants) {
    it(what, async () => {
      const runtime = ProbeRuntime.create();
      const a = await runtime.load({ name: "a", vmId: "sharing_4" });
      const b = await runtime.load({
        name: "b",
        vmId: difference.vmId ?? "sharing_4",
        vmConfiguration: difference.vmConfiguration,
        wasmPath: await difference.wasmPath?.(),
      });
      assert.deepEqual(run(a, ["root", "calls"]), ["1", "1"]);
      assert.deepEqual(run(b, ["root", "calls"]), ["1", "1"], "b's root is the first of its own VM, whose globals are its own");
      await Promise.all([a.close(), b.close()]);
    });
  }

  it("shared data follows the vm_id, not the VM: two VM keys with one vm_id see the same data", async () => {
    const runtime = ProbeRuntime.create();
    const a = await runtime.load({ name: "a", vmId: "sharing_5" });
    const b = await runtime.load({ name: "b", vmId: "sharing_5", vmConfiguration: "other-vm-config" });
    const c = await runtime.load({ name: "c", vmId: "sharing_6" });
    run(a, ["sset colour red 0"]);
    assert.equal(run(b, ["sget colour"])[0].split(" ").slice(0, 2).join(" "), `${WasmResult.Ok} red`);
    assert.equal(run(c, ["sget colour"])[0], `${WasmResult.NotFound}  0`);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe("a vm_id's shared data and queues", () => {
  it("live as long as a VM with that vm_id, in any runtime of the process, and go with the last one", async () => {
    const first = await ProbeRuntime.create().load({ vmId: "sharing_7" });
    run(first, ["sset colour red 0", "qreg jobs"]);
    const second = await ProbeRuntime.create().load({ name: "second", vmId: "sharing_7", vmConfiguration: "other-vm-config" });
    await first.close();
    assert.equal(run(second, ["sget colour"])[0].split(" ")[1], "red", "a base VM of the vm_id is still alive");
    await second.close();
    const third = await ProbeRuntime.create().load({ vmId: "sharing_7" });
    assert.deepEqual(run(third, ["sget colour", "qresolve - jobs"]), [`${WasmResult.NotFound}  0`, `${WasmResult.NotFound} 0`]);
    await third.close();
  });
});

/** The probe with one more line: other code, the same behaviour. */
async function otherProbeModule(): Promise<string> {
  const source = readFileSync(new URL("./testing/probe_module.as", import.meta.url), "utf8");
  return (await compileAssemblyScript(`${source}\nwaitingConnection = 0;\n`)).path;
}

describe("in the host, two listeners whose wasm filters have the same VM key", { timeout: 20_000 }, () => {
  it("share the worker's VM, each connection on its own listener's plugin", async () => {
    const upstream = await startUpstream(() => {}); // answers nothing: the probe runs only what the client sends
    const wasmPath = await probeModulePath();
    const config: any = testBootstrap({ clusters: { backend: upstream.port } });
    const [listener] = config.static_resources.listeners;
    const wasmFilter = (name: string) => ({
      name: "envoy.filters.network.wasm",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm",
        config: {
          name,
          root_id: "probe",
          configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: `conf-${name}` },
          vm_config: { vm_id: "sharing_host", code: { local: { filename: wasmPath } } },
        },
      },
    });
    const withFilter = (name: string) => ({ ...listener, name, filter_chains: [{ filters: [wasmFilter(name), ...listener.filter_chains[0].filters] }] });
    config.static_resources.listeners = [withFilter("one"), withFilter("two")];
    const logs: string[] = [];
    const host = await startHost({ config, concurrency: 1, logLevel: LogLevel.Info, log: (_level, message) => logs.push(message) });
    const result = (command: string) => [...logs].reverse().find((l) => l.includes(`: r ${command} => `))?.split(" => ")[1];
    try {
      for (const [listenerName, expected] of [["one", ["conf-one", "1"]], ["two", ["conf-two", "2"]], ["one", ["conf-one", "3"]]] as const) {
        const client = await Client.connect(host.listenerPort(listenerName));
        client.write("config;calls");
        await eventually(() => result("calls") === expected[1], `the probe on listener ${listenerName} to count ${expected[1]}`);
        assert.equal(result("config"), expected[0]);
        client.socket.destroy();
      }
    } finally {
      await host.stop();
      await upstream.close();
    }
  });
});

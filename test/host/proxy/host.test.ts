import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogLevel, type NetworkFilterFactory } from "../api.ts";
import { runHost } from "./host.ts";
import { Client, startUpstream, testBootstrap, testComponents, testFilters } from "./test_support.ts";

describe("host life cycle", { timeout: 10_000 }, () => {
  it("refuses the bootstrap when a plugin fails to load, closing the plugins already loaded", async () => {
    const closed: string[] = [];
    const components = testComponents();
    const config = testBootstrap({ filters: [testFilters().make, testFilters().make], clusters: { backend: 1 } });
    const result = runHost(
      { config, concurrency: 1, log: () => {} },
      {
        ...components,
        createWasmLoader: () => async (plugin): Promise<NetworkFilterFactory> => {
          if (plugin.name === "filter1") throw new Error("invalid plugin configuration");
          return { createFilter: testFilters().make, close: async () => void closed.push(plugin.name) };
        },
      },
    );
    await assert.rejects(result, /invalid plugin configuration/);
    assert.deepEqual(closed, ["filter0"]);
  });

  it("refuses an invalid bootstrap before starting anything", async () => {
    await assert.rejects(runHost({ config: { admin: {} } }, testComponents()), /^BootstrapError: admin\.address: required/);
  });

  it("closes a connection whose filter cannot be created, and logs why", async () => {
    const echo = await startUpstream();
    const lines: string[] = [];
    const failing = () => {
      throw new Error("the VM failed");
    };
    const host = await runHost(
      { config: testBootstrap({ filters: [failing], clusters: { backend: echo.port } }), concurrency: 1, log: (level, message, logger) => lines.push(`${LogLevel[level]} ${logger} ${message}`) },
      testComponents([failing]),
    );
    try {
      const client = await Client.connect(host.listenerPort("main"));
      await client.waitClosed();
      assert.ok(lines.some((line) => /^Error connection \[C\d+\] closing connection: the VM failed$/.test(line)), lines.join("\n"));
      assert.equal(echo.sockets.length, 0);
    } finally {
      await host.stop();
      await echo.close();
    }
  });

  it("logs start-up and shutdown on Envoy's loggers, and names its listeners", async () => {
    const lines: string[] = [];
    const host = await runHost(
      { config: testBootstrap({ clusters: {} }), concurrency: 1, log: (_level, message, logger) => lines.push(`[${logger}] ${message}`) },
      testComponents(),
    );
    assert.throws(() => host.listenerPort("other"), /no listener named 'other'/);
    await host.stop();
    await host.stopped;
    assert.deepEqual(
      lines.map((line) => line.replace(/:\d+$/, ":PORT")),
      [
        "[main] admin address: 127.0.0.1:PORT",
        "[main] listener 'main' listening on 127.0.0.1:PORT",
        "[main] all dependencies initialized. starting workers",
        "[main] shutting down server instance",
        "[main] exiting",
      ],
    );
  });
});

// Connections coming and going: every connection's objects become garbage when it closes, and the modules' minimal
// runtime collects it only at safe points (assembly/abi/collector.ts). Tens of thousands of short connections, each
// with one real exchange, must leave the VM's linear memory where the first of them left it: the allocator doubles the
// memory when it is full, so a leak of more than a few dozen bytes per connection would grow it over the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LogLevel } from "../host/api.ts";
import { DrivenPlugin } from "../bench/driver.ts";
import { workloads } from "../bench/workloads.ts";

const WARM_UP = 10_000;
const CONNECTIONS = 50_000;
/** The heap holds the garbage of up to a few thousand callbacks between collections; far more means a leak. */
const MEMORY_BOUND = 4 << 20;

for (const name of ["awesomerpc", "dubbo", "thrift framed binary"]) {
  test(`${name}: ${CONNECTIONS} short connections leave the memory bounded`, async () => {
    const w = workloads().find((x) => x.name === name)!;
    const plugin = await DrivenPlugin.load({
      wasmPath: `build/${w.module}.wasm`,
      protocol: w.module,
      configuration: JSON.stringify({ stat_prefix: "churn" }),
      logLevel: LogLevel.Info,
    });
    try {
      let afterWarmUp = 0;
      for (let i = 0; i < CONNECTIONS; i++) {
        if (i === WARM_UP) afterWarmUp = plugin.memoryBytes();
        const c = plugin.connect();
        c.keep = true;
        c.start();
        c.send(w.request);
        c.receiveBytes(w.response);
        assert.ok(c.forwardedBytes().equals(w.request) && c.deliveredBytes().equals(w.response), `exchange ${i} changed on its way`);
        c.closeRemote();
      }
      assert.equal(plugin.trapCount, 0, plugin.errors.join(" | "));
      assert.equal(plugin.counter("request"), CONNECTIONS);
      assert.equal(plugin.counter("response_success"), CONNECTIONS);
      assert.equal(plugin.accessLines, CONNECTIONS);
      assert.ok(afterWarmUp <= MEMORY_BOUND, `linear memory ${afterWarmUp} bytes after ${WARM_UP} connections`);
      assert.equal(plugin.memoryBytes(), afterWarmUp, `linear memory grew from ${afterWarmUp} to ${plugin.memoryBytes()} bytes between connection ${WARM_UP} and ${CONNECTIONS}`);
    } finally {
      await plugin.close();
    }
  });
}

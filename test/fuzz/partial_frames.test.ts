// Hostile clients that announce frames and never finish them: the frames' bytes wait in wasm memory, which never
// shrinks, and a VM that reaches V8's 1 GiB fails with every connection of its worker. So a VM keeps the bytes held
// in partial frames within a budget (its VM configuration's `partial_frame_budget`): past it, the connection holding
// the most is closed, counted and logged, and the bytes it held are reused by later connections.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogLevel } from "../host/api.ts";
import { DrivenPlugin, type DrivenConnection } from "../bench/driver.ts";

const MIB = 1 << 20;
const FRAME = MIB - 1024; // under max_frame_size (1 MiB)
const CONNECTIONS = 100;

/** The 13-byte awesomerpc header of a request of `size` bytes in all (that never comes whole), and most of its body. */
function unfinishedFrame(id: number, size: number, sent: number): Uint8Array {
  const bytes = new Uint8Array(sent);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 1);
  view.setUint32(1, id);
  view.setUint32(5, size);
  view.setUint16(9, 1);
  return bytes;
}

async function load(vmConfiguration: string): Promise<DrivenPlugin> {
  return DrivenPlugin.load({
    wasmPath: "build/awesomerpc.wasm",
    protocol: "awesomerpc",
    configuration: JSON.stringify({ stat_prefix: "hostile", access_log: false, frame_timeout: "0s" }),
    vmConfiguration,
    logLevel: LogLevel.Warn,
    keepLogs: true,
  });
}

/** Chunks a hostile client trickles its frame in, every connection in turn. */
const CHUNK = 64 * 1024;

/** Opens `count` connections that each leave `sent` bytes of a `FRAME`-byte frame unfinished, sent in CHUNKs. */
function burst(plugin: DrivenPlugin, count: number, sent: number): DrivenConnection[] {
  const connections: DrivenConnection[] = [];
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const c = plugin.connect();
    c.start();
    connections.push(c);
    frames.push(unfinishedFrame(i + 1, FRAME, sent));
  }
  for (let at = 0; at < sent; at += CHUNK) {
    connections.forEach((c, i) => {
      if (!c.closed) c.send(frames[i].subarray(at, Math.min(sent, at + CHUNK)));
    });
  }
  return connections;
}

describe("bytes held in partial frames", { timeout: 60_000 }, () => {
  it("stay within the VM's budget: past it the connection holding the most is closed, counted and logged", async () => {
    const budget = 16 * MIB;
    const plugin = await load(JSON.stringify({ partial_frame_budget: budget }));
    try {
      const connections = burst(plugin, CONNECTIONS, FRAME - 1);
      const closed = connections.filter((c) => c.closed).length;
      assert.equal(plugin.trapCount, 0, plugin.errors.join(" | "));
      assert.ok(closed >= CONNECTIONS - budget / FRAME - 1 && closed < CONNECTIONS, `${closed} of ${CONNECTIONS} closed`);
      assert.equal(plugin.counter("cx_partial_frame_budget"), closed);
      assert.ok(plugin.lines.some((l) => l.includes("closed: its partial frames held the most of the VM's partial_frame_budget")));
      // What the open ones hold, and the garbage of the closed ones, fit in a few budgets' worth of memory.
      assert.ok(plugin.memoryBytes() <= 4 * budget, `linear memory ${plugin.memoryBytes()} bytes`);
    } finally {
      await plugin.close();
    }
  });

  it("are reused by the next burst once their connections closed: memory stays flat", async () => {
    const plugin = await load("");
    try {
      const first = burst(plugin, CONNECTIONS, FRAME / 2);
      for (const c of first) c.closeRemote();
      const afterFirst = plugin.memoryBytes();
      for (let round = 0; round < 3; round++) {
        for (const c of burst(plugin, CONNECTIONS, FRAME / 2)) c.closeRemote();
      }
      assert.equal(plugin.trapCount, 0, plugin.errors.join(" | "));
      assert.equal(plugin.memoryBytes(), afterFirst, `linear memory grew from ${afterFirst} to ${plugin.memoryBytes()} bytes`);
    } finally {
      await plugin.close();
    }
  });

  it("leave nothing behind when their connections close before any tick (no frame_timeout, so no tick comes)", async () => {
    const plugin = await load("");
    const round = () => {
      for (const c of burst(plugin, 5000, 64)) c.closeRemote();
    };
    try {
      round();
      const afterFirst = plugin.memoryBytes();
      for (let i = 0; i < 4; i++) round();
      assert.equal(plugin.trapCount, 0, plugin.errors.join(" | "));
      assert.equal(plugin.memoryBytes(), afterFirst, `linear memory grew from ${afterFirst} to ${plugin.memoryBytes()} bytes`);
    } finally {
      await plugin.close();
    }
  });

  it("default to a budget that keeps a hundred 1 MiB frames from taking the VM near V8's limit", async () => {
    const plugin = await load("");
    try {
      burst(plugin, CONNECTIONS, FRAME - 1);
      assert.ok(plugin.counter("cx_partial_frame_budget") > 0);
      assert.ok(plugin.memoryBytes() <= 256 * MIB, `linear memory ${plugin.memoryBytes()} bytes`);
    } finally {
      await plugin.close();
    }
  });
});

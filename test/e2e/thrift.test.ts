// Thrift end to end: real Apache Thrift peers in two languages (npm thrift 0.24 and Debian's python3-thrift 0.17, code
// generated at test time from test/peers/thrift/demo.thrift) through build/thrift.wasm on the bundled host, running
// envoy/thrift.yaml. One server and one host per transport/protocol pair.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as thrift from "thrift";
import { connectThriftClient, Operation, type ThriftClient } from "../peers/thrift/client.ts";
import { loadGeneratedModules } from "../peers/thrift/generate.ts";
import { runPythonClient } from "../peers/thrift/python_client.ts";
import { startThriftServer, type ThriftProtocolName, type ThriftServer, type ThriftTransportName } from "../peers/thrift/server.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "thrift", statPrefix: "demo" };
const CONFIG = "envoy/thrift.yaml";
const MUTATION = '{"stat_prefix": "demo", "request_mutation": [{"key": "x-mesh", "value": "wasm"}]}';
/** TApplicationExceptionType.UNKNOWN: what npm thrift's processor answers for an undeclared error. */
const UNKNOWN = 0;

interface Pair {
  name: string;
  transport: ThriftTransportName;
  protocol: ThriftProtocolName;
  multiplexed?: boolean;
}

const PAIRS: Pair[] = [
  { name: "binary + framed", transport: "framed", protocol: "binary" },
  { name: "compact + buffered (unframed)", transport: "buffered", protocol: "compact" },
  { name: "THeader with binary", transport: "header", protocol: "binary" },
  { name: "THeader with compact", transport: "header", protocol: "compact" },
  { name: "multiplexed (binary + framed)", transport: "framed", protocol: "binary", multiplexed: true },
];

/** Samples of a Prometheus exposition, keyed by name and sorted label set. */
function samples(exposition: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of exposition.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = [...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`).sort();
    result.set(`${match[1]}{${labels.join(",")}}`, Number(match[3]));
  }
  return result;
}

/**
 * The change of every sample between two expositions (absent = 0). `name` follows `meta_protocol_`; a total without
 * labels given is the plugin's (protocol thrift, stat prefix demo).
 */
function delta(before: string, after: string): (name: string, labels?: Record<string, string>) => number {
  const b = samples(before);
  const a = samples(after);
  return (name, labels = { protocol: PLUGIN.protocol, stat_prefix: PLUGIN.statPrefix }) => {
    const key = `meta_protocol_${name}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(",")}}`;
    return (a.get(key) ?? 0) - (b.get(key) ?? 0);
  };
}

/** The key=value fields of an access log line (everything after "access "). */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of line.slice(line.indexOf("access ") + 7).split(" ")) {
    const eq = token.indexOf("=");
    if (eq > 0) out[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return out;
}

/** Per-method labels: the service label only on multiplexed calls. */
function methodLabels(pair: Pair, method: string, service = "Calculator"): Record<string, string> {
  const labels = { protocol: "thrift", stat_prefix: "demo" };
  return pair.multiplexed ? { ...labels, service, method } : { ...labels, method };
}

/** Waits until the filter has counted `requests` more requests than in `before`, and returns the new exposition. */
async function countedSince(host: RunningHost, before: string, requests: number): Promise<string> {
  const start = total(before, PLUGIN, "request") ?? 0;
  let now = before;
  await eventually(async () => {
    now = await host.prometheus();
    return (total(now, PLUGIN, "request") ?? 0) - start >= requests && total(now, PLUGIN, "request_active") === 0;
  }, `${requests} requests counted`);
  return now;
}

const expectedNodeResult = {
  id: 1,
  value: 2 ** 40 + 1 + 2,
  partials: { "ADD[0]": 1, "ADD[1]": 3, "ADD[2]": 2 ** 40 + 3 },
  trace: ["1", "add 2 -> 3", `add ${2 ** 40} -> ${2 ** 40 + 3}`, "client=node", "blob=01ff"],
  ratio: (2 ** 40 + 3) / 3,
};

for (const pair of PAIRS) {
  describe(`thrift ${pair.name} through the wasm filter`, { timeout: 30_000 }, () => {
    const header = pair.transport === "header";
    let server: ThriftServer;
    let host: RunningHost;

    before(async () => {
      server = await startThriftServer({ ...pair, ...(header && { replyHeaders: { "x-served-by": "node" } }) });
      host = await startTestHost(bootstrapFor(CONFIG, server.port), "thrift");
    });
    after(async () => {
      await host?.stop();
      await server?.close();
    });

    it("Node client: structs, maps and lists, a declared exception, an application exception, a oneway call", async () => {
      const { types } = loadGeneratedModules();
      const metricsBefore = await host.prometheus();
      const logBefore = host.accessLog().length;
      const callsBefore = server.calls.length;
      const client = await connectThriftClient({ ...pair, port: host.port, ...(header && { headers: { "x-trace": "node-1" } }) });
      try {
        const result = await client.calculator.calculate({
          id: 1,
          op: Operation.ADD,
          operands: [1, 2, 2 ** 40],
          labels: { client: "node" },
          blob: Buffer.from([0x01, 0xff]),
        });
        assert.deepEqual(result, expectedNodeResult);

        const declared = await client.calculator.calculate({ id: 2, op: Operation.DIVIDE, operands: [1, 0] }).then(
          () => assert.fail("divide by zero returned"),
          (error: unknown) => error,
        );
        assert.ok(declared instanceof types.InvalidOperation, `a declared InvalidOperation, got ${String(declared)}`);
        assert.equal((declared as any).whatOp, Operation.DIVIDE);
        assert.equal((declared as any).why, "division by zero");

        const undeclared = await client.calculator.crash("node").then(
          () => assert.fail("crash returned"),
          (error: unknown) => error,
        );
        assert.ok(undeclared instanceof thrift.Thrift.TApplicationException, `a TApplicationException, got ${String(undeclared)}`);
        assert.equal((undeclared as { type: number }).type, UNKNOWN);
        assert.equal((undeclared as Error).message, "crash requested: node");

        await client.calculator.zip("node-oneway");
        if (pair.multiplexed) {
          assert.equal(await client.echo!.echo("node-echo"), "node-echo");
          assert.deepEqual(await client.echo!.split("x|y", "|"), ["x", "y"]);
        }
        await eventually(() => server.calls.some((c) => c.method === "zip" && c.args[0] === "node-oneway"), "the oneway call at the server");
        assert.deepEqual(client.errors, []);
      } finally {
        await client.close();
      }

      const calls = server.calls.slice(callsBefore);
      assert.deepEqual(
        calls.map((c) => `${c.service}.${c.method}`),
        ["Calculator.calculate", "Calculator.calculate", "Calculator.crash", "Calculator.zip", ...(pair.multiplexed ? ["Echo.echo", "Echo.split"] : [])],
      );
      if (header) for (const call of calls) assert.equal(call.headers?.["x-trace"], "node-1", `${call.method} carries its info header`);
      assert.deepEqual(server.errors, []);

      const requests = pair.multiplexed ? 6 : 4;
      const d = delta(metricsBefore, await countedSince(host, metricsBefore, requests));
      assert.equal(d("request"), requests);
      assert.equal(d("request_oneway"), 1);
      assert.equal(d("request_twoway"), requests - 1);
      // The codec counts a REPLY carrying a declared exception (result field 1, not 0) as an error, as it does an
      // EXCEPTION message (the undeclared error).
      assert.equal(d("response_success"), pair.multiplexed ? 3 : 1);
      assert.equal(d("response_error"), 2);
      assert.equal(d("by_method_request", methodLabels(pair, "calculate")), 2);
      assert.equal(d("by_method_response_success", methodLabels(pair, "calculate")), 1);
      assert.equal(d("by_method_response_error", methodLabels(pair, "calculate")), 1);
      assert.equal(d("by_method_request", methodLabels(pair, "crash")), 1);
      assert.equal(d("by_method_response_error", methodLabels(pair, "crash")), 1);
      assert.equal(d("by_method_request", methodLabels(pair, "zip")), 1);
      if (pair.multiplexed) {
        assert.equal(d("by_method_request", methodLabels(pair, "echo", "Echo")), 1);
        assert.equal(d("by_method_response_success", methodLabels(pair, "split", "Echo")), 1);
      }
      assert.equal(d("request_decoding_error"), 0);
      assert.equal(d("response_decoding_error"), 0);

      const lines = host.accessLog().slice(logBefore);
      assert.equal(lines.length, requests, lines.join("\n"));
      const byOrder = lines.map(fields);
      for (const f of byOrder) {
        assert.equal(f.protocol, "thrift");
        assert.match(f.connection, /^\d+$/);
        assert.match(f.request_id, /^\d+$/);
        assert.match(f.request_bytes, /^\d+$/);
        if (pair.multiplexed) assert.ok(f.service === "Calculator" || f.service === "Echo", `service in ${JSON.stringify(f)}`);
        else assert.equal(f.service, undefined);
        if (header) assert.equal(f["x-trace"], "node-1");
        if (f.response !== "none") {
          assert.match(f.response_bytes, /^\d+$/);
          assert.match(f.duration_us, /^\d+$/);
        }
      }
      const calculate = byOrder.filter((f) => f.method === "calculate").map((f) => f.response).sort();
      assert.deepEqual(calculate, ["error", "ok"]);
      assert.equal(byOrder.find((f) => f.method === "crash")?.response, "error");
      assert.equal(byOrder.find((f) => f.method === "zip")?.response, "none");
      // npm thrift numbers the calls of a connection 1, 2, 3... (one counter for all services when multiplexed).
      assert.deepEqual(byOrder.map((f) => Number(f.request_id)).sort((a, b) => a - b), Array.from({ length: requests }, (_, i) => i + 1));
    });

    it("Python client: the same calls, batched in one process", async () => {
      const metricsBefore = await host.prometheus();
      const logBefore = host.accessLog().length;
      const callsBefore = server.calls.length;
      const tag = `py-${pair.transport}-${pair.protocol}`;
      const result = await runPythonClient({ ...pair, port: host.port, tag, ...(header && { headers: { "x-trace": "python-1" } }) });

      assert.deepEqual(result.calculate, {
        id: 7,
        value: 6 * 2 ** 40,
        partials: { "MULTIPLY[0]": 2, "MULTIPLY[1]": 6, "MULTIPLY[2]": 6 * 2 ** 40 },
        trace: ["2", "multiply 3 -> 6", `multiply ${2 ** 40} -> ${6 * 2 ** 40}`, "client=python", `tag=${tag}`, "blob=00ff"],
        ratio: 2 * 2 ** 40,
      });
      assert.deepEqual(result.invalid, { exception: "InvalidOperation", whatOp: Operation.DIVIDE, why: "division by zero" });
      assert.deepEqual(result.crash, { exception: "TApplicationException", type: UNKNOWN, message: `crash requested: ${tag}-crash` });
      assert.equal(result.zip, null);
      assert.deepEqual(result.slow, [`${tag}-0`, `${tag}-1`, `${tag}-2`]);
      if (pair.multiplexed) {
        assert.equal(result.echo, `${tag}-echo`);
        assert.deepEqual(result.split, ["a", "b", "c"]);
      }
      // Python's THeader client accepts only THeader replies; the server's info header comes back on each.
      if (header) assert.deepEqual(result.replyHeaders, Array.from({ length: 6 }, () => ({ "x-served-by": "node" })));

      await eventually(() => server.calls.some((c) => c.method === "zip" && c.args[0] === `${tag}-oneway`), "the oneway call at the server");
      const calls = server.calls.slice(callsBefore);
      assert.equal(calls.length, pair.multiplexed ? 9 : 7);
      if (header) for (const call of calls) assert.equal(call.headers?.["x-trace"], "python-1");

      const requests = pair.multiplexed ? 9 : 7;
      const d = delta(metricsBefore, await countedSince(host, metricsBefore, requests));
      assert.equal(d("request"), requests);
      assert.equal(d("request_oneway"), 1);
      assert.equal(d("response_success"), requests - 3);
      assert.equal(d("response_error"), 2);
      assert.equal(d("by_method_request", methodLabels(pair, "slow")), 3);
      assert.equal(d("by_method_response_success", methodLabels(pair, "slow")), 3);
      assert.equal(d("by_method_response_error", methodLabels(pair, "calculate")), 1);
      if (pair.multiplexed) assert.equal(d("by_method_request", methodLabels(pair, "split", "Echo")), 1);

      const lines = host.accessLog().slice(logBefore).map(fields);
      assert.equal(lines.length, requests);
      assert.deepEqual(lines.filter((f) => f.method === "slow").map((f) => f.response), ["ok", "ok", "ok"]);
      if (header) assert.ok(lines.every((f) => f["x-trace"] === "python-1"));
      if (pair.multiplexed) assert.deepEqual(lines.filter((f) => f.service === "Echo").map((f) => f.method).sort(), ["echo", "split"]);
    });

    it("matches 100 concurrent calls on one connection answered out of order (unframed ones too: npm thrift pipelines them)", async () => {
      const metricsBefore = await host.prometheus();
      const logBefore = host.accessLog().length;
      const client = await connectThriftClient({ ...pair, port: host.port });
      const completion: number[] = [];
      try {
        const replies = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            client.calculator.slow((i * 7) % 23, `c${i}`).then((reply) => {
              completion.push(i);
              return reply;
            }),
          ),
        );
        replies.forEach((reply, i) => assert.equal(reply, `c${i}`));
      } finally {
        await client.close();
      }
      assert.notDeepEqual(completion, [...completion].sort((a, b) => a - b), "replies arrived out of order");

      const d = delta(metricsBefore, await countedSince(host, metricsBefore, 100));
      assert.equal(d("request"), 100);
      assert.equal(d("response_success"), 100);
      assert.equal(d("by_method_request", methodLabels(pair, "slow")), 100);
      assert.equal(d("response_unmatched"), 0);
      const lines = host.accessLog().slice(logBefore).map(fields);
      assert.equal(lines.length, 100);
      assert.equal(new Set(lines.map((f) => f.request_id)).size, 100);
      assert.ok(lines.every((f) => f.method === "slow" && f.response === "ok"));
    });
  });
}

describe("thrift request mutation (request_mutation x-mesh=wasm)", { timeout: 30_000 }, () => {
  let client: ThriftClient | undefined;
  const running: { server: ThriftServer; host: RunningHost }[] = [];
  async function start(transport: ThriftTransportName, protocol: ThriftProtocolName) {
    const server = await startThriftServer({ transport, protocol });
    const host = await startTestHost(bootstrapFor(CONFIG, server.port, MUTATION), "thrift");
    running.push({ server, host });
    return { server, host };
  }
  after(async () => {
    await client?.close();
    for (const { server, host } of running) {
      await host.stop();
      await server.close();
    }
  });

  for (const protocol of ["binary", "compact"] as const) {
    it(`adds the info header to THeader (${protocol}) requests of both clients`, async () => {
      const { server, host } = await start("header", protocol);
      client = await connectThriftClient({ transport: "header", protocol, port: host.port, headers: { "x-trace": "node-m" } });
      const result = await client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1, 2, 2 ** 40], labels: { client: "node" }, blob: Buffer.from([0x01, 0xff]) });
      assert.deepEqual(result, expectedNodeResult);
      assert.deepEqual(await Promise.all(Array.from({ length: 20 }, (_, i) => client!.calculator.slow(20 - i, `m${i}`))), Array.from({ length: 20 }, (_, i) => `m${i}`));
      await client.calculator.zip("node-m-oneway");
      await client.close();
      client = undefined;
      // Python sends its own x-mesh: the filter's value replaces it.
      const python = await runPythonClient({ transport: "header", protocol, port: host.port, tag: "pym", slow: 1, headers: { "x-trace": "python-m", "x-mesh": "python" } });
      assert.deepEqual(python.slow, ["pym-0"]);
      await eventually(() => server.calls.filter((c) => c.method === "zip").length === 2, "both oneway calls at the server");

      assert.equal(server.calls.length, 22 + 5);
      for (const call of server.calls) {
        assert.equal(call.headers?.["x-mesh"], "wasm", `${call.method}(${String(call.args[0])}) carries x-mesh: wasm`);
        assert.ok(call.headers?.["x-trace"] === "node-m" || call.headers?.["x-trace"] === "python-m", "the client's own header is kept");
      }
      assert.deepEqual(server.errors, []);
      const exposition = await host.prometheus();
      assert.equal(total(exposition, PLUGIN, "mutation_unsupported") ?? 0, 0);
      assert.equal(total(exposition, PLUGIN, "request_decoding_error") ?? 0, 0);
    });
  }

  for (const [transport, protocol] of [["framed", "binary"], ["buffered", "compact"]] as const) {
    it(`forwards ${protocol} + ${transport} requests untouched and counts mutation_unsupported`, async () => {
      const { server, host } = await start(transport, protocol);
      client = await connectThriftClient({ transport, protocol, port: host.port });
      assert.deepEqual(
        await client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1, 2, 2 ** 40], labels: { client: "node" }, blob: Buffer.from([0x01, 0xff]) }),
        expectedNodeResult,
      );
      assert.equal(await client.calculator.slow(1, "untouched"), "untouched");
      await client.calculator.zip("untouched-oneway");
      await client.close();
      client = undefined;
      await eventually(() => server.calls.length === 3, "the three calls at the server");
      const exposition = await countedSince(host, "", 3);
      assert.equal(total(exposition, PLUGIN, "mutation_unsupported"), 3);
      assert.equal(total(exposition, PLUGIN, "response_success"), 2);
      assert.deepEqual(server.errors, []);
    });
  }
});

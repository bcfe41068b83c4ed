// Bridge mode end to end with real Apache Thrift peers (npm thrift 0.24 and Debian's python3-thrift 0.17, code
// generated from test/peers/thrift/demo.thrift) and the bootstrap the generator writes for a bridge-mode service, on
// the bundled host. What it proves:
// - framed binary, multiplexed: each call on ONE client connection is routed by Envoy's router on its own (two
//   methods to two server versions, a weighted split), an unrouted call and a route timeout become a
//   TApplicationException on the client while the other calls complete, many calls in flight are matched back by
//   seqid, and two clients whose seqids collide share one upstream connection per version;
// - framed binary, not multiplexed (npm and Python clients): the call's `:path` is `//<method>` (a route matching an
//   empty service takes it), and every kind of answer (value, declared exception, TApplicationException, oneway)
//   comes back as the server sent it;
// - THeader (npm client, Python client in binary and compact): an info header routes the call, a route's
//   requestMutation arrives at the server as an info header and its responseMutation at the Python client (npm
//   thrift does not expose a reply's headers).
// Thrift has no heartbeat, so a bridged Thrift connection has no keepalive of its own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectThriftClient, Operation, type ThriftClient } from "../peers/thrift/client.ts";
import { runPythonClient } from "../peers/thrift/python_client.ts";
import { startThriftServer, type ThriftServer, type ThriftServerOptions } from "../peers/thrift/server.ts";
import { startBridgeHost } from "./bridge_fixture.ts";
import type { RunningHost } from "./host_fixture.ts";

/** TApplicationExceptionType: INTERNAL_ERROR (the client side's answer to Envoy's own replies), UNKNOWN. */
const INTERNAL_ERROR = 6;
const UNKNOWN = 0;

function service(name: string, routes: string, v1: number, v2: number, filter = ""): string {
  return `
apiVersion: meta-protocol-wasm/v1alpha1
kind: MetaProtocolService
name: ${name}
protocol: thrift
mode: bridge
host: ${name}.demo.svc.cluster.local
port: 9090
${filter}
routes:
${routes}
envoy:
  listener: { address: 127.0.0.1, port: 9090 }
  clusters:
  - { subset: v1, endpoints: ["127.0.0.1:${v1}"] }
  - { subset: v2, endpoints: ["127.0.0.1:${v2}"] }
`;
}

const count = (server: ThriftServer, method: string) => server.calls.filter((c) => c.method === method).length;

/** Two servers of one kind, the host running `description(v1, v2)`, and what the test needs to close. */
async function startPair(
  options: ThriftServerOptions,
  description: (v1: number, v2: number) => string,
): Promise<{ v1: ThriftServer; v2: ThriftServer; host: RunningHost }> {
  const [v1, v2] = await Promise.all([startThriftServer(options), startThriftServer(options)]);
  return { v1, v2, host: await startBridgeHost(description(v1.port, v2.port)) };
}

describe("bridge mode with real Thrift peers: framed binary, multiplexed, per-call routing", { timeout: 120_000 }, () => {
  const routes = `
- name: calculate
  match: { attributes: { service: { exact: Calculator }, method: { exact: calculate } } }
  route: [{ destination: { subset: v1 } }]
- name: slow
  match: { attributes: { service: { exact: Calculator }, method: { exact: slow } } }
  route: [{ destination: { subset: v2 } }]
  timeout: 1s
- name: echo
  match: { attributes: { service: { exact: Echo }, method: { exact: echo } } }
  route: [{ destination: { subset: v1 }, weight: 80 }, { destination: { subset: v2 }, weight: 20 }]`;
  let v1: ThriftServer;
  let v2: ThriftServer;
  let host: RunningHost;
  let client: ThriftClient;

  before(async () => {
    ({ v1, v2, host } = await startPair({ transport: "framed", protocol: "binary", multiplexed: true }, (a, b) => service("calc", routes, a, b)));
    client = await connectThriftClient({ port: host.port, transport: "framed", protocol: "binary", multiplexed: true });
  });
  after(async () => {
    await client?.close();
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it("sends alternate calls of two methods on one connection to two versions", async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal((await client.calculator.calculate({ id: i, op: Operation.ADD, operands: [i, 1] })).value, i + 1);
      assert.equal(await client.calculator.slow(1, `s${i}`), `s${i}`);
    }
    assert.deepEqual([count(v1, "calculate"), count(v2, "calculate")], [10, 0]);
    assert.deepEqual([count(v1, "slow"), count(v2, "slow")], [0, 10]);
  });

  it("splits 500 calls 80/20 by call", async () => {
    const before = { v1: count(v1, "echo"), v2: count(v2, "echo") };
    for (let batch = 0; batch < 10; batch++) {
      const texts = Array.from({ length: 50 }, (_, i) => `e${batch * 50 + i}`);
      assert.deepEqual(await Promise.all(texts.map((t) => client.echo!.echo(t))), texts);
    }
    const toV1 = count(v1, "echo") - before.v1;
    const toV2 = count(v2, "echo") - before.v2;
    assert.equal(toV1 + toV2, 500, "every call answered once, by v1 or v2");
    // Binomial(500, 0.2): mean 100, standard deviation 8.9; 5 deviations either side.
    assert.ok(Math.abs(toV2 - 100) <= 45, `v2 got ${toV2} of 500 calls`);
  });

  it("answers an unrouted call with a TApplicationException from Envoy's no-route reply", async () => {
    await assert.rejects(client.echo!.split("a,b", ","), (e: any) => e.type === INTERNAL_ERROR && /envoy 404/.test(e.message));
    assert.equal(count(v1, "split") + count(v2, "split"), 0);
  });

  it("times a slow call out with a TApplicationException while the other calls on the connection complete", async () => {
    const slow = client.calculator.slow(3000, "late");
    const quick = await Promise.all([client.echo!.echo("a"), client.calculator.slow(10, "on time")]);
    assert.deepEqual(quick, ["a", "on time"]);
    await assert.rejects(slow, (e: any) => e.type === INTERNAL_ERROR && /envoy 504: upstream request timeout/.test(e.message));
  });

  it("answers 200 concurrent calls whose answers overtake each other", async () => {
    const tags = Array.from({ length: 200 }, (_, i) => `t${i}`);
    assert.deepEqual(await Promise.all(tags.map((tag, i) => client.calculator.slow((i * 37) % 50, tag))), tags);
  });

  it("multiplexes clients whose seqids collide onto one upstream connection per version", async () => {
    const second = await connectThriftClient({ port: host.port, transport: "framed", protocol: "binary", multiplexed: true });
    try {
      // The second client's seqids start at 1 again: the same seqids are in flight from both clients at once.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? client : second).calculator.slow((i * 7) % 20, `c${i}`)),
      );
      answers.forEach((a, i) => assert.equal(a, `c${i}`));
    } finally {
      await second.close();
    }
    assert.equal(v1.connections, 1);
    assert.equal(v2.connections, 1);
    assert.deepEqual([...v1.errors, ...v2.errors, ...client.errors], []);
  });
});

describe("bridge mode with real Thrift peers: framed binary, not multiplexed (npm and Python clients)", { timeout: 120_000 }, () => {
  // The empty service matches only a call that is not multiplexed, whose :path is //calculate.
  const routes = `
- name: plain-calculate
  match: { attributes: { service: { exact: "" }, method: { exact: calculate } } }
  route: [{ destination: { subset: v1 } }]
- name: rest
  route: [{ destination: { subset: v2 } }]`;
  let v1: ThriftServer;
  let v2: ThriftServer;
  let host: RunningHost;

  before(async () => {
    ({ v1, v2, host } = await startPair({ transport: "framed", protocol: "binary" }, (a, b) => service("plain", routes, a, b)));
  });
  after(async () => {
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it("routes the npm client's //calculate and its other calls apart", async () => {
    const client = await connectThriftClient({ port: host.port, transport: "framed", protocol: "binary" });
    try {
      const result = await client.calculator.calculate({ id: 3, op: Operation.MULTIPLY, operands: [6, 7] });
      assert.deepEqual({ id: result.id, value: result.value }, { id: 3, value: 42 });
      assert.equal(await client.calculator.slow(1, "x"), "x");
    } finally {
      await client.close();
    }
    assert.deepEqual([count(v1, "calculate"), count(v2, "calculate"), count(v1, "slow"), count(v2, "slow")], [1, 0, 0, 1]);
  });

  it("gives the Python client every kind of answer as the server sent it", async () => {
    const results = await runPythonClient({ port: host.port, transport: "framed", protocol: "binary", tag: "pyf" });
    assert.equal(results.calculate.value, 2 * 3 * 2 ** 40);
    assert.deepEqual(results.invalid, { exception: "InvalidOperation", whatOp: Operation.DIVIDE, why: "division by zero" });
    assert.equal(results.crash.exception, "TApplicationException");
    assert.equal(results.crash.type, UNKNOWN);
    assert.match(results.crash.message ?? "", /crash requested: pyf-crash/);
    assert.deepEqual(results.slow, ["pyf-0", "pyf-1", "pyf-2"]);
    // The oneway call reached the server though no reply ever comes.
    assert.ok(v2.calls.some((c) => c.method === "zip" && c.args[0] === "pyf-oneway"));
    assert.equal(v1.calls.filter((c) => c.method === "calculate").length, 3, "both of Python's calculate calls took the //calculate route");
  });
});

describe("bridge mode with real Thrift peers: THeader, routing by info header and header mutations", { timeout: 120_000 }, () => {
  const routes = `
- name: canary
  match: { attributes: { x-canary: { present: true } } }
  route: [{ destination: { subset: v2 } }]
  requestMutation: [{ key: x-route, value: canary }]
  responseMutation: [{ key: x-served-by, value: v2 }]
- name: rest
  route: [{ destination: { subset: v1 } }]`;
  const filter = `filter:
  requestMutation: [{ key: x-mesh, value: wasm }]`;
  let v1: ThriftServer;
  let v2: ThriftServer;
  let host: RunningHost;

  before(async () => {
    ({ v1, v2, host } = await startPair({ transport: "header", protocol: "binary" }, (a, b) => service("theader", routes, a, b, filter)));
  });
  after(async () => {
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it("routes the npm client's calls by an info header and sets the route's requestMutation as an info header", async () => {
    const canary = await connectThriftClient({ port: host.port, transport: "header", protocol: "binary", headers: { "x-canary": "1" } });
    const plain = await connectThriftClient({ port: host.port, transport: "header", protocol: "binary" });
    try {
      assert.equal(await canary.calculator.slow(1, "canary"), "canary");
      assert.equal(await plain.calculator.slow(1, "plain"), "plain");
    } finally {
      await Promise.all([canary.close(), plain.close()]);
    }
    const atV2 = v2.calls.find((c) => c.args[1] === "canary");
    assert.ok(atV2, "the canary call reached v2");
    assert.equal(atV2.headers?.["x-route"], "canary");
    assert.equal(atV2.headers?.["x-mesh"], "wasm");
    assert.equal(atV2.headers?.["x-canary"], "1");
    const atV1 = v1.calls.find((c) => c.args[1] === "plain");
    assert.ok(atV1, "the plain call reached v1");
    assert.equal(atV1.headers?.["x-route"], undefined);
  });

  for (const protocol of ["binary", "compact"] as const) {
    it(`gives the Python client (THeader ${protocol}) the route's responseMutation as a reply info header`, async () => {
      const tag = `py-${protocol}`;
      const results = await runPythonClient({ port: host.port, transport: "header", protocol, tag, headers: { "x-canary": "yes" } });
      assert.equal(results.calculate.value, 2 * 3 * 2 ** 40);
      assert.deepEqual(results.invalid, { exception: "InvalidOperation", whatOp: Operation.DIVIDE, why: "division by zero" });
      assert.equal(results.crash.type, UNKNOWN);
      assert.deepEqual(results.slow, [`${tag}-0`, `${tag}-1`, `${tag}-2`]);
      // Every reply (the oneway call has none) carries the header.
      assert.equal(results.replyHeaders?.length, 6);
      for (const headers of results.replyHeaders!) assert.equal(headers["x-served-by"], "v2");
      const calls = v2.calls.filter((c) => c.method === "slow" && String(c.args[1]).startsWith(tag));
      assert.equal(calls.length, 3);
      for (const call of calls) assert.equal(call.headers?.["x-route"], "canary");
    });
  }
});

// Bridge mode end to end with the sample awesomerpc client and server (test/peers/awesomerpc) and the bootstrap the
// generator writes for a bridge-mode service, on the bundled host. What it proves: a call's `cmd` is the method
// segment of its `:path` (awesomerpc has no service: `//<cmd>`, which the generator's routes on `cmd` match), so calls
// on ONE client connection are routed by command to two servers; the server sees the HTTP/2 stream ids as request
// ids while the client gets its own back; the server's error code comes back as it sent it; an unrouted call and a
// route timeout become awesomerpc's error reply (code 1) while other calls complete; answers overtake each other.
// awesomerpc has no heartbeat, so a bridged awesomerpc connection has no keepalive of its own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, UNKNOWN_COMMAND, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { startBridgeHost } from "./bridge_fixture.ts";
import type { RunningHost } from "./host_fixture.ts";

/** The code of awesomerpc's error reply (the codec's encodeError). */
const ERROR_CODE = 1;
/** A command no route matches. */
const UNROUTED = 5;
/** A command the server does not know, routed to v1. */
const UNKNOWN = 77;

function description(v1: number, v2: number): string {
  return `
apiVersion: meta-protocol-wasm/v1alpha1
kind: MetaProtocolService
name: awesome
protocol: awesomerpc
mode: bridge
host: awesome.demo.svc.cluster.local
port: 26000
routes:
- name: echo
  match: { attributes: { cmd: { exact: "${Command.Echo}" } } }
  route: [{ destination: { subset: v1 } }]
- name: unknown
  match: { attributes: { cmd: { exact: "${UNKNOWN}" } } }
  route: [{ destination: { subset: v1 } }]
- name: upper
  match: { attributes: { cmd: { exact: "${Command.Upper}" } } }
  route: [{ destination: { subset: v2 } }]
- name: delay
  match: { attributes: { cmd: { exact: "${Command.Delay}" } } }
  route: [{ destination: { subset: v2 } }]
  timeout: 1s
envoy:
  listener: { address: 127.0.0.1, port: 26000 }
  clusters:
  - { subset: v1, endpoints: ["127.0.0.1:${v1}"] }
  - { subset: v2, endpoints: ["127.0.0.1:${v2}"] }
`;
}

describe("bridge mode with the awesomerpc peers: routing by command", { timeout: 60_000 }, () => {
  let v1: AwesomeRpcServer;
  let v2: AwesomeRpcServer;
  let host: RunningHost;
  let client: AwesomeRpcClient;

  const commands = (server: AwesomeRpcServer, command: number) => server.received.filter((f) => f.command === command);

  before(async () => {
    [v1, v2] = await Promise.all([startAwesomeRpcServer(), startAwesomeRpcServer()]);
    host = await startBridgeHost(description(v1.port, v2.port));
    client = await AwesomeRpcClient.connect(host.port);
  });
  after(async () => {
    client?.close();
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it("sends alternate commands on one connection to two servers, with stream ids as request ids", async () => {
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(await client.call(Command.Echo, `e${i}`), { responseCode: 0, body: `e${i}` });
      assert.deepEqual(await client.call(Command.Upper, `u${i}`), { responseCode: 0, body: `U${i}` });
    }
    assert.deepEqual([commands(v1, Command.Echo).length, commands(v2, Command.Echo).length], [10, 0]);
    assert.deepEqual([commands(v1, Command.Upper).length, commands(v2, Command.Upper).length], [0, 10]);
    // Client-initiated HTTP/2 streams are odd and never reused on a connection (the server side's carriers, which
    // make the server send bytes HTTP/2 frames owed to Envoy can ride on, take even ids).
    const ids = commands(v1, Command.Echo).map((f) => f.requestId);
    assert.ok(ids.every((id) => id % 2 === 1), `stream ids at the server: ${ids}`);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("gives the client the server's own error code", async () => {
    assert.deepEqual(await client.call(UNKNOWN, "?"), { responseCode: UNKNOWN_COMMAND, body: "unknown command" });
    assert.equal(commands(v1, UNKNOWN).length, 1);
  });

  it("answers an unrouted command with awesomerpc's error reply", async () => {
    assert.deepEqual(await client.call(UNROUTED, "x"), { responseCode: ERROR_CODE, body: "" });
    assert.equal(commands(v1, UNROUTED).length + commands(v2, UNROUTED).length, 0);
  });

  it("times a slow call out with the error reply while the other calls on the connection complete", async () => {
    const slow = client.call(Command.Delay, "3000");
    const quick = await Promise.all([client.call(Command.Echo, "a"), client.call(Command.Delay, "10")]);
    assert.deepEqual(quick, [{ responseCode: 0, body: "a" }, { responseCode: 0, body: "10" }]);
    assert.deepEqual(await slow, { responseCode: ERROR_CODE, body: "" });
  });

  it("answers 200 concurrent calls whose answers overtake each other", async () => {
    const delays = Array.from({ length: 200 }, (_, i) => String((i * 37) % 50));
    const replies = await Promise.all(delays.map((d) => client.call(Command.Delay, d)));
    assert.deepEqual(replies.map((r) => r.body), delays);
  });
});

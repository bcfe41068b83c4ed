// A generated Envoy bootstrap with routes, run on the bundled host with real awesomerpc peers: the cluster names the
// generator writes into the plugin configuration are the clusters it defines, and the early data it allows tcp_proxy
// lets the filter hold a new connection until its first request picks the cluster. Needs `make build`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { generateEnvoyBootstrap, readServices } from "../../generator/index.ts";
import { startTestHost, type RunningHost } from "../e2e/host_fixture.ts";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";

function services(a: number, b: number): string {
  return `kind: MetaProtocolService
name: routed
protocol: awesomerpc
host: awesome.test
port: 26001
filter: { statPrefix: generated }
routes:
- name: upper
  match: { attributes: { cmd: { exact: "${Command.Upper}" } } }
  route: [{ destination: { subset: b } }]
- name: others
  route: [{ destination: { subset: a } }]
envoy:
  listener: { address: 127.0.0.1, port: 0 }
  admin: { address: 127.0.0.1, port: 0 }
  clusters:
  - { endpoints: ["127.0.0.1:${a}"] }
  - { subset: a, endpoints: ["127.0.0.1:${a}"] }
  - { subset: b, endpoints: ["127.0.0.1:${b}"] }
`;
}

describe("a generated bootstrap with routes, on the bundled host", () => {
  let a: AwesomeRpcServer;
  let b: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    [a, b] = [await startAwesomeRpcServer(), await startAwesomeRpcServer()];
    const yaml = generateEnvoyBootstrap(readServices("routed.yaml", services(a.port, b.port)));
    host = await startTestHost(parse(yaml), "routed");
  });
  after(async () => {
    await host?.stop();
    await a?.close();
    await b?.close();
  });

  it("sends each connection to the subset cluster of its first request's route", async () => {
    const upper = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await upper.call(Command.Upper, "to b"), { responseCode: 0, body: "TO B" });
    upper.close();
    const echo = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await echo.call(Command.Echo, "to a"), { responseCode: 0, body: "to a" });
    echo.close();
    assert.deepEqual([a.received.length, b.received.length], [1, 1]);
  });
});

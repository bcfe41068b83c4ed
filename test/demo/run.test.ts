// `make run` works beside whatever else listens on the machine: with the ports the demo once used (and envoy/*.yaml
// name) taken, it still runs every part on free ports; a proxy that cannot listen is one line naming the port.
// Needs `make build` and the Thrift peers' system packages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { demoBootstrap } from "./demo_bootstrap.ts";
import { startProxy } from "./proxy_process.ts";

/**
 * The listener, upstream and admin ports of envoy/*.yaml and of the routing demo, and those the generator writes for
 * the bridge demo's description (client listener 20880, server-side listeners from 20881, admin 9901).
 */
const FIXED_PORTS = [26000, 26001, 26002, 26010, 26011, 26012, 26013, 26100, 26101, 26102, 26200, 26201, 26202, 20880, 20881, 20882, 20883, 9901];

/** Listens on 127.0.0.1:`port`; resolves undefined when something else already does (the port is busy either way). */
function occupy(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("make run", { timeout: 120_000 }, () => {
  const occupied: net.Server[] = [];
  before(async () => {
    for (const port of FIXED_PORTS) {
      const server = await occupy(port);
      if (server !== undefined) occupied.push(server);
    }
  });
  after(() => occupied.forEach((server) => server.close()));

  it("runs every part with the ports of envoy/*.yaml and of the generated bridge bootstrap taken", () => {
    const result = spawnSync("make", ["-s", "run"], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    for (const expected of [
      /with envoy\/awesomerpc\.yaml \(on free ports\)/,
      /upper "route me" +-> code 0, "ROUTE ME", served by v2/,
      /delay call 4 +-> code 1: rejected over limit by the filter/,
      /sayHello\("world"\) +-> "Hello world"/,
      /calculate\(ADD \[1, 2, 39\]\) +-> \{"id":1,"value":42,/,
      /in bridge mode, with the bootstrap the generator writes for\n +test\/demo\/bridge_dubbo\.yaml/,
      ...[1, 2, 3].flatMap((i) => [
        new RegExp(`sayHello\\("call ${i}"\\) +-> "Hello call ${i}", served by v1\n`),
        new RegExp(`echoUser\\(com\\.example\\.User\\{"alice", ${i}\\}\\) +-> \\{"name":"alice","age":${i}\\}, served by v2\n`),
      ]),
      /nothing\(\) call \d +-> null, served by v1: met the dead instance, retried [12]x/,
      /upstream_rq_retry: [1-9]/,
      /fail\("x"\) +-> error "envoy 404"/,
    ]) {
      assert.match(result.stdout, expected);
    }
  });

  it("a busy port fails with one line naming it: the listener's, or the proxy's admin", async () => {
    const bootstrap = await demoBootstrap("envoy/awesomerpc.yaml", { awesomerpc_server: 1 });
    try {
      for (const [port, message] of [
        [bootstrap.listenerPort, new RegExp(`^cannot start the proxy: 127\\.0\\.0\\.1:${bootstrap.listenerPort} is busy \\(another process listens there\\)$`)],
        [bootstrap.adminPort, new RegExp(`^bundled host \\(test/host\\) exited: .*cannot bind 127\\.0\\.0\\.1:${bootstrap.adminPort}\\b`)],
      ] as const) {
        const busy = await occupy(port);
        try {
          await assert.rejects(startProxy(bootstrap.path, bootstrap.listenerPort), (error: Error) => {
            assert.doesNotMatch(error.message, /\n/);
            assert.match(error.message, message);
            return true;
          });
        } finally {
          busy?.close();
        }
      }
    } finally {
      bootstrap.remove();
    }
  });
});

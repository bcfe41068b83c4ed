// The bridge-mode part of `make run`: real Dubbo providers (sofa-rpc-node) as two versions, v1 and v2, and a dead
// v1 instance (a port nothing listens on); the proxy on the bootstrap the generator writes for the bridge-mode
// service test/demo/bridge_dubbo.yaml (on free ports: test/demo/bridge_bootstrap.ts); one real consumer connection.
// Every call on that connection is an HTTP/2 stream that Envoy's HTTP connection manager routes on its own:
// alternate calls of two methods go to two versions (the providers record which calls they served), calls to a
// subset holding the dead instance are retried onto the live one (the proxy's /stats counts the retries), and a call
// no route matches gets Envoy's own 404 as a Dubbo error. Then the metrics of the bridge's two sides (stat prefixes
// demo_client and demo_server).
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { DEMO_SERVICE, DEMO_VERSION, type DubboProvider, javaUser, startDubboProvider } from "../peers/dubbo/provider.ts";
import { bridgeBootstrap } from "./bridge_bootstrap.ts";
import { freePort, withProxyOn, writeDemoBootstrap } from "./demo_bootstrap.ts";
import { printFilterReport } from "./filter_report.ts";

const DESCRIPTION = "test/demo/bridge_dubbo.yaml";
/** The HTTP/2 cluster the generator names for the subset holding the dead instance. */
const FLAKY_CLUSTER = "outbound|20880|flaky|provider.demo.svc.cluster.local";

/** The service description with each endpoint's host (a provider's name) replaced by 127.0.0.1:`ports[host]`. */
function withProviderPorts(ports: Readonly<Record<string, number>>): string {
  const description = parse(readFileSync(DESCRIPTION, "utf8"));
  for (const cluster of description.envoy.clusters) {
    cluster.endpoints = cluster.endpoints.map((endpoint: string) => {
      const name = endpoint.slice(0, endpoint.lastIndexOf(":"));
      if (ports[name] === undefined) throw new Error(`${DESCRIPTION}: no demo provider named ${name}`);
      return `127.0.0.1:${ports[name]}`;
    });
  }
  return stringify(description);
}

export async function runBridgeDemo(): Promise<void> {
  const [v1, v2] = await Promise.all([startDubboProvider(), startDubboProvider()]);
  const dead = await freePort();
  console.log(`Dubbo providers (sofa-rpc-node) ${DEMO_SERVICE}:${DEMO_VERSION}: v1 on 127.0.0.1:${v1.port}, v2 on 127.0.0.1:${v2.port}`);
  console.log(`  and a dead v1 instance at 127.0.0.1:${dead} (nothing listens there)`);
  try {
    const ports = { "provider-v1": v1.port, "provider-v2": v2.port, "provider-v1-dead": dead };
    const config = await bridgeBootstrap(DESCRIPTION, withProviderPorts(ports));
    const listenerPort: number = config.static_resources.listeners[0].address.socket_address.port_value;
    const bootstrap = await writeDemoBootstrap(config, "bridge_dubbo.envoy.yaml", listenerPort);
    await withProxyOn(bootstrap, async (proxy, { adminPort }) => {
      const listeners = config.static_resources.listeners.length;
      console.log(`${proxy.name} on 127.0.0.1:${listenerPort} in bridge mode, with the bootstrap the generator writes for`);
      console.log(`  ${DESCRIPTION} (${listeners} listeners on free ports): sayHello -> v1, echoUser -> v2, nothing -> subset`);
      console.log(`  "flaky" (v1 and the dead instance) with 2 retries on reset or connect failure\n`);
      const consumer = await connectDubboConsumer(listenerPort);
      try {
        await showRoutingPerCall(consumer, v1, v2);
        await showRetries(consumer, v1, adminPort);
        await showNoRoute(consumer);
      } finally {
        await consumer.close();
      }
      await printFilterReport(proxy, adminPort, "dubbo");
    });
  } finally {
    await Promise.all([v1.close(), v2.close()]);
  }
}

/** Which provider received a call since the counts `before` were taken. */
function servedBy(providers: Record<string, DubboProvider>, before: Record<string, number>): string {
  const served = Object.keys(providers).filter((version) => providers[version].calls.length > before[version]);
  return served.length > 0 ? served.join(" and ") : "nobody";
}

function callCounts(providers: Record<string, DubboProvider>): Record<string, number> {
  return Object.fromEntries(Object.entries(providers).map(([version, provider]) => [version, provider.calls.length]));
}

async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await call);
  } catch (error) {
    return `error "${(error as Error).message}"`;
  }
}

async function showRoutingPerCall(consumer: DubboConsumer, v1: DubboProvider, v2: DubboProvider): Promise<void> {
  const providers = { v1, v2 };
  console.log("alternate calls of two methods on ONE consumer connection, each routed by Envoy on its own:");
  for (let i = 1; i <= 3; i++) {
    for (const [label, method, args] of [
      [`sayHello("call ${i}")`, "sayHello", [`call ${i}`]],
      [`echoUser(com.example.User{"alice", ${i}})`, "echoUser", [javaUser("alice", i)]],
    ] as const) {
      const before = callCounts(providers);
      const result = await outcome(consumer.invoke(method, [...args]));
      console.log(`  ${label.padEnd(44)} -> ${result}, served by ${servedBy(providers, before)}`);
    }
  }
}

/** The proxy's counter `name` from its admin /stats (`name: value` lines). */
async function counter(adminPort: number, name: string): Promise<number> {
  const stats = await (await fetch(`http://127.0.0.1:${adminPort}/stats`)).text();
  const line = stats.split("\n").find((l) => l.startsWith(`${name}: `));
  if (line === undefined) throw new Error(`the proxy's /stats has no ${name}`);
  return Number(line.slice(name.length + 2));
}

async function showRetries(consumer: DubboConsumer, v1: DubboProvider, adminPort: number): Promise<void> {
  const retries = `cluster.${FLAKY_CLUSTER}.upstream_rq_retry`;
  console.log(`\nretries: calls to subset "flaky", one of whose two instances is dead, on the same connection:`);
  for (let i = 1; i <= 4; i++) {
    const before = { retries: await counter(adminPort, retries), ...callCounts({ v1 }) };
    const result = await outcome(consumer.invoke("nothing", []));
    const retried = (await counter(adminPort, retries)) - before.retries;
    const path = retried > 0 ? `met the dead instance, retried ${retried}x` : "went straight to the live instance";
    console.log(`  ${`nothing() call ${i}`.padEnd(44)} -> ${result}, served by ${servedBy({ v1 }, before)}: ${path}`);
  }
  console.log(`  ${retries}: ${await counter(adminPort, retries)}`);
}

async function showNoRoute(consumer: DubboConsumer): Promise<void> {
  console.log("\nEnvoy's own answer (no route matches fail()) reaches the consumer as a Dubbo error:");
  console.log(`  ${'fail("x")'.padEnd(44)} -> ${await outcome(consumer.invoke("fail", ["x"]))}`);
}

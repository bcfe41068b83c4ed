// Bridge mode in an Istio mesh, run without Istio: istio/examples/dubbo-bridge-mesh/equivalent.envoy.yaml is the
// Envoy configuration Istio's resources give the consumer's sidecar (Sidecar egress listener, the WasmPlugin's
// client side before HCM, the VirtualService's routes, the DestinationRule's subset clusters) and three providers'
// sidecars (Istio's inbound HCM with the AuthorizationPolicy's HTTP RBAC, its route pointed at the bridge's server
// side and tcp_proxy to the app), all in one bundled host, with a real sofa-rpc-node consumer and providers.
// What it proves: on ONE consumer connection, each Dubbo call is routed by the VirtualService's rules (path exact,
// path prefix with weights, header from an attachment) to DestinationRule subsets; a call that meets a v1 pod whose
// app is down is retried onto the live one; a route timeout gives a Dubbo error while other calls complete; a method
// the AuthorizationPolicy does not allow is refused by the provider's sidecar (403 from HTTP RBAC) and reaches the
// consumer as Dubbo's permission error, never the provider.
// What it does not prove: that Istio writes exactly this configuration (the file is hand-written from the facts in
// docs/istio/bridge.md; no Istio runs here), mTLS and peer metadata (not modelled), Istio's own HTTP filters
// (istio.stats, metadata exchange, fault, cors: the host does not implement them), original-destination
// addressing (each pod's inbound chain is a listener of its own).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { moveListenersToFreePorts } from "../demo/bridge_bootstrap.ts";
import { freePort } from "../demo/demo_bootstrap.ts";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { javaUser, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { startTestHost, type RunningHost } from "./host_fixture.ts";

const EQUIVALENT = "istio/examples/dubbo-bridge-mesh/equivalent.envoy.yaml";
const V1 = "outbound|20880|v1|provider.demo.svc.cluster.local";

/** The equivalent bootstrap on free ports, each pod's `inbound|20880||` pointed at its app's port. */
async function meshBootstrap(appPorts: Record<string, number>): Promise<any> {
  const config = parse(readFileSync(EQUIVALENT, "utf8"));
  config.admin.address.socket_address.port_value = 0;
  await moveListenersToFreePorts(config);
  for (const [pod, port] of Object.entries(appPorts)) {
    const cluster = config.static_resources.clusters.find((c: any) => c.name === `inbound|20880||@${pod}`);
    assert.ok(cluster, `the bootstrap has pod ${pod}'s inbound cluster`);
    cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address = { address: "127.0.0.1", port_value: port };
  }
  return config;
}

/** A counter of the host's /stats text, 0 when absent. */
function counter(stats: string, name: string): number {
  const line = stats.split("\n").find((l) => l.startsWith(`${name}: `));
  return line === undefined ? 0 : Number(line.slice(name.length + 2));
}

describe("bridge mode in an Istio mesh (the Envoy configuration Istio's resources lead to) with real Dubbo peers", { timeout: 120_000 }, () => {
  let v1: DubboProvider;
  let v2: DubboProvider;
  let host: RunningHost;
  let consumer: DubboConsumer;

  const callsTo = (provider: DubboProvider, method: string) => provider.calls.filter((c) => c.method === method).length;

  before(async () => {
    [v1, v2] = await Promise.all([startDubboProvider(), startDubboProvider()]);
    // provider-v1-b's sidecar is up, its app is not: nothing listens on that port.
    const config = await meshBootstrap({ "provider-v1-a": v1.port, "provider-v1-b": await freePort(), "provider-v2": v2.port });
    host = await startTestHost(config, "127.0.0.1_20880");
    consumer = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await consumer?.close();
    await host?.stop();
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it("routes alternate calls of two methods on one connection to two subsets by :path", async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal(await consumer.invoke("sayHello", [`n${i}`]), `Hello n${i}`);
      assert.deepEqual(await consumer.invoke("echoUser", [javaUser("alice", i)]), { name: "alice", age: i });
    }
    assert.equal(callsTo(v1, "sayHello"), 10);
    assert.equal(callsTo(v2, "sayHello"), 0);
    assert.equal(callsTo(v2, "echoUser"), 10);
    assert.equal(callsTo(v1, "echoUser"), 0);
  });

  it("retries the calls that met the v1 pod whose app is down onto the live v1 pod", async () => {
    const stats = await host.statsText();
    const retriesBefore = counter(stats, `cluster.${V1}.upstream_rq_retry`);
    const deadPodBefore = counter(stats, "cluster.bridge|20880@provider-v1-b.upstream_rq_total");
    for (let i = 0; i < 10; i++) assert.equal(await consumer.invoke("sayHello", [`r${i}`]), `Hello r${i}`);
    const after = await host.statsText();
    const retries = counter(after, `cluster.${V1}.upstream_rq_retry`) - retriesBefore;
    const deadPodTries = counter(after, "cluster.bridge|20880@provider-v1-b.upstream_rq_total") - deadPodBefore;
    // Round robin over two v1 pods: about every other first try lands on the dead one, and each such try is retried.
    assert.ok(deadPodTries >= 3, `the dead pod's sidecar saw ${deadPodTries} of the calls`);
    assert.equal(retries, deadPodTries, "every try that met the dead pod was retried");
  });

  it("routes by a header (a Dubbo attachment) ahead of the path and sets the VirtualService's response header", async () => {
    const from = consumer.responses.length;
    const v2Before = callsTo(v2, "sayHello");
    assert.equal(await consumer.invoke("sayHello", ["canary"], { "x-canary": "1" }), "Hello canary");
    assert.equal(callsTo(v2, "sayHello"), v2Before + 1);
    assert.equal(consumer.responses[from].attachments?.["x-served-by"], "v2");
  });

  it("splits calls of a prefix route between the subsets by weight", async (t) => {
    const before = { v1: callsTo(v1, "nothing"), v2: callsTo(v2, "nothing") };
    // 25 at a time: Istio's previous_hosts predicate makes the retry of a call that met the dead v1 pod pick the live
    // one even when concurrent calls move round robin's cursor in between.
    for (let batch = 0; batch < 8; batch++) {
      for (const answer of await Promise.all(Array.from({ length: 25 }, () => consumer.invoke("nothing", [])))) assert.equal(answer, null);
    }
    const toV1 = callsTo(v1, "nothing") - before.v1;
    const toV2 = callsTo(v2, "nothing") - before.v2;
    assert.equal(toV1 + toV2, 200, "every call answered once, by v1 or v2");
    // Binomial(200, 0.5): mean 100, standard deviation 7.1; 5 deviations either side.
    t.diagnostic(`split: v1 ${toV1}, v2 ${toV2} of 200 calls (expected 100/100, tolerance ±35)`);
    assert.ok(Math.abs(toV2 - 100) <= 35, `v2 got ${toV2} of 200 calls`);
  });

  it("times a slow call out with a Dubbo error while the other calls on the connection complete", async () => {
    const slow = consumer.invoke("slow", [3000, "late"]);
    const quick = await Promise.all([consumer.invoke("sayHello", ["a"]), consumer.invoke("slow", [10, "on time"])]);
    assert.deepEqual(quick, ["Hello a", "on time"]);
    await assert.rejects(slow, (e: Error) => /envoy 504: upstream request timeout/.test(e.message));
  });

  it("refuses a method the AuthorizationPolicy does not allow at the provider's sidecar", async () => {
    const denied = (stats: string) =>
      ["provider-v1-a", "provider-v1-b", "provider-v2"].reduce((sum, pod) => sum + counter(stats, `http.inbound_0.0.0.0_20880@${pod}.rbac.denied`), 0);
    const deniedBefore = denied(await host.statsText());
    for (let i = 0; i < 4; i++) {
      await assert.rejects(consumer.invoke("echoMap", [{ i }]), (e: Error) => /envoy 403: RBAC: access denied/.test(e.message));
    }
    assert.equal(callsTo(v1, "echoMap") + callsTo(v2, "echoMap"), 0, "no provider saw the call");
    assert.equal(denied(await host.statsText()) - deniedBefore, 4, "the providers' sidecars denied each call");
    assert.equal(await consumer.invoke("sayHello", ["still allowed"]), "Hello still allowed");
  });
});

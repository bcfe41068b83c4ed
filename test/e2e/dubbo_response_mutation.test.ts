// Response mutation with the real Dubbo peers: a route's response_mutation adds attachments to the sofa provider's
// answers, which carry none (result flag 1 becomes 4, 0 becomes 3), and both consumers decode them: sofa-rpc-node
// (dubbo-remoting) and dubbo2.js (its own decoder and hessian.js 2.5.0). An error status has a message for a body,
// no room for attachments: that answer goes on untouched, counted as mutation_unsupported.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { connectDubbo2js } from "../peers/dubbo/dubbo2js_consumer.ts";
import { javaUser, startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const PLUGIN = { protocol: "dubbo", statPrefix: "demo" };
const ADDED = { "x-served-by": "mesh", "x-route": "all" };

const ROUTES = JSON.stringify({
  stat_prefix: "demo",
  routes: [
    {
      name: "all",
      route: { cluster: "dubbo_provider" },
      response_mutation: Object.entries(ADDED).map(([key, value]) => ({ key, value })),
    },
  ],
});

describe("Dubbo response mutation with real peers", { timeout: 30_000 }, () => {
  let provider: DubboProvider;
  let host: RunningHost;
  let sofa: DubboConsumer;

  /** Calls `method` and returns the reply with the attachments its response carried to the consumer. */
  async function call(method: string, args: unknown[]): Promise<{ reply: unknown; attachments: Record<string, unknown> | null }> {
    const from = sofa.responses.length;
    const reply = await sofa.invoke(method, args);
    const [response] = sofa.responses.slice(from);
    assert.equal(response.method, method);
    return { reply, attachments: response.attachments };
  }

  before(async () => {
    provider = await startDubboProvider();
    const config = bootstrapFor("envoy/dubbo.yaml", provider.port, ROUTES);
    // The route picks the connection's cluster: tcp_proxy must read the first request while the filter holds it.
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 65536;
    host = await startTestHost(config, "dubbo");
    sofa = await connectDubboConsumer(host.port);
  });
  after(async () => {
    await sofa?.close();
    await host?.stop();
    await provider?.close();
  });

  it("sofa consumer: a value, an object and a null each come back with the route's attachments", async () => {
    assert.deepEqual(await call("sayHello", ["world"]), { reply: "Hello world", attachments: ADDED });
    assert.deepEqual(await call("echoUser", [javaUser("alice", 30)]), { reply: { name: "alice", age: 30 }, attachments: ADDED });
    assert.deepEqual(await call("nothing", []), { reply: null, attachments: ADDED });
  });

  it("sofa consumer: a returned exception still fails the call, and carries the attachments", async () => {
    const from = sofa.responses.length;
    await assert.rejects(sofa.invoke("exception", ["bad state"]), (error: Error) => {
      assert.equal(error.name, "java.lang.IllegalStateException");
      assert.equal(error.message, "bad state");
      return true;
    });
    assert.deepEqual(sofa.responses.slice(from), [{ method: "exception", attachments: ADDED }]);
  });

  it("sofa consumer: an error status goes on untouched, counted as mutation_unsupported", async () => {
    const from = sofa.responses.length;
    await assert.rejects(sofa.invoke("fail", ["boom: x"]), (error: Error) => {
      assert.equal(error.message, "boom: x");
      return true;
    });
    assert.deepEqual(sofa.responses.slice(from), [{ method: "fail", attachments: null }]);
    assert.equal(total(await host.prometheus(), PLUGIN, "mutation_unsupported"), 1);
  });

  it("dubbo2.js consumer: the calls succeed and its decoder reads the attachments", async () => {
    const d2js = connectDubbo2js(host.port);
    try {
      assert.equal(await d2js.sayHello("dubbo2.js"), "Hello dubbo2.js");
      assert.deepEqual(await d2js.echoUser({ name: "bob", age: 7 }), { name: "bob", age: 7 });
      assert.deepEqual(d2js.responseAttachments, [ADDED, ADDED]);
    } finally {
      d2js.close();
    }
  });

  it("every response decoded, none refused by the filter or the consumers", async () => {
    const stats = await host.prometheus();
    assert.equal(total(stats, PLUGIN, "response"), provider.calls.length);
    assert.equal(total(stats, PLUGIN, "response_decoding_error") ?? 0, 0);
    assert.equal(total(stats, PLUGIN, "mutation_unsupported"), 1);
  });
});

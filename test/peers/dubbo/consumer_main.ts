// Command-line Dubbo consumer for the docker-compose scenario (test/docker/dubbo) and its run on the bundled host
// (test/docker/compose.test.ts): the sofa-rpc-node consumer of consumer.ts makes --calls calls through the proxy at
// --target (sayHello, echoUser, echoMap in turn, ten at a time on one connection), checks every reply, reads the
// filter's request counter from the proxy's admin at --admin, prints one summary line and exits 0 when every call
// succeeded and the filter counted at least as many requests.
//   node --import tsx test/peers/dubbo/consumer_main.ts --target envoy:26100 --admin envoy:26102 --calls 50
import { isDeepStrictEqual } from "node:util";
import { options, parseAddress, runConsumerScenario } from "../main_support.ts";
import { connectDubboConsumer, type DubboConsumer } from "./consumer.ts";
import { javaUser } from "./provider.ts";

/** The filter's request counter for the stat_prefix "demo" of the Dubbo bootstraps. */
const REQUEST_COUNTER = { name: "meta_protocol_request", labels: { protocol: "dubbo", stat_prefix: "demo" } };

const opts = options({ target: "127.0.0.1:26100", admin: "127.0.0.1:26102", calls: "50", "wait-seconds": "60" });

/** Call i and the reply it must get. */
function call(i: number): { method: string; args: unknown[]; expected: unknown } {
  switch (i % 3) {
    case 0:
      return { method: "sayHello", args: [`call-${i}`], expected: `Hello call-${i}` };
    case 1:
      return { method: "echoUser", args: [javaUser(`user-${i}`, i)], expected: { name: `user-${i}`, age: i } };
    default:
      return { method: "echoMap", args: [{ call: `${i}`, tag: "compose" }], expected: { call: `${i}`, tag: "compose" } };
  }
}

async function invoke(consumer: DubboConsumer, i: number): Promise<boolean> {
  const { method, args, expected } = call(i);
  try {
    const reply = await consumer.invoke(method, args);
    if (isDeepStrictEqual(reply, expected)) return true;
    console.error(`call ${i} ${method}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(reply)}`);
  } catch (error) {
    console.error(`call ${i} ${method}: ${(error as Error).message}`);
  }
  return false;
}

const target = parseAddress(opts.target, "--target");
await runConsumerScenario("dubbo consumer", opts, REQUEST_COUNTER, {
  connect: () => connectDubboConsumer(target.port, { host: target.host, timeoutMs: 3000 }),
  call: invoke,
  close: (consumer) => consumer.close(),
});

// Command-line Thrift client for the docker-compose scenario (test/docker/thrift) and its run on the bundled host
// (test/docker/compose.test.ts): the npm thrift client of client.ts makes --calls calls through the proxy at --target
// (Calculator.calculate with the four operations in turn, ten at a time on one connection), checks every reply, reads
// the filter's request counter from the proxy's admin at --admin, prints one summary line and exits 0 when every call
// succeeded and the filter counted at least as many requests.
//   node --import tsx test/peers/thrift/consumer_main.ts --target envoy:26200 --admin envoy:26202 --calls 50
import { adminCounter, exitWithError, options, parseAddress, positiveInteger, retryUntilUp, withTimeout } from "../main_support.ts";
import { connectThriftClient, Operation, type ThriftClient } from "./client.ts";
import type { ThriftProtocolName, ThriftTransportName } from "./server.ts";

/** The filter's request counter for the stat_prefix "demo" of the Thrift bootstraps. */
const REQUEST_COUNTER = "meta_protocol_thrift_demo_request";

const opts = options({
  target: "127.0.0.1:26200",
  admin: "127.0.0.1:26202",
  calls: "50",
  transport: "framed",
  protocol: "binary",
  "wait-seconds": "60",
});

/** Call i: an operation on [i + 10, 2] and the value it must give. */
function work(i: number): { op: number; operands: number[]; expected: number } {
  const a = i + 10;
  const b = 2;
  switch (i % 4) {
    case 0:
      return { op: Operation.ADD, operands: [a, b], expected: a + b };
    case 1:
      return { op: Operation.SUBTRACT, operands: [a, b], expected: a - b };
    case 2:
      return { op: Operation.MULTIPLY, operands: [a, b], expected: a * b };
    default:
      return { op: Operation.DIVIDE, operands: [a, b], expected: Math.trunc(a / b) };
  }
}

async function calculate(client: ThriftClient, i: number): Promise<boolean> {
  const { op, operands, expected } = work(i);
  try {
    const result = await withTimeout(client.calculator.calculate({ id: i, op, operands, labels: { call: `${i}` } }), 5000, `call ${i}`);
    if (result.id === i && result.value === expected) return true;
    console.error(`call ${i}: expected id ${i} value ${expected}, got ${JSON.stringify(result)}`);
  } catch (error) {
    console.error(`call ${i}: ${(error as Error).message}`);
  }
  return false;
}

try {
  const target = parseAddress(opts.target, "--target");
  const admin = parseAddress(opts.admin, "--admin");
  const calls = positiveInteger(opts.calls, "--calls");
  const connect = () =>
    connectThriftClient({
      host: target.host,
      port: target.port,
      transport: opts.transport as ThriftTransportName,
      protocol: opts.protocol as ThriftProtocolName,
    });
  // The first call is retried (with a new connection) until the proxy and the server behind it answer.
  const client = await retryUntilUp("thrift client: first call", Number(opts["wait-seconds"]) * 1000, async () => {
    const candidate = await withTimeout(connect(), 5000, `connecting to ${opts.target}`);
    if (await calculate(candidate, 0)) return candidate;
    await candidate.close();
    throw new Error(`no answer through ${opts.target}`);
  });
  let ok = 1;
  for (let from = 1; from < calls; from += 10) {
    const batch = Array.from({ length: Math.min(10, calls - from) }, (_, k) => calculate(client, from + k));
    ok += (await Promise.all(batch)).filter(Boolean).length;
  }
  await client.close();
  const counted = await adminCounter(admin, REQUEST_COUNTER, calls);
  console.log(`thrift client: ${ok}/${calls} calls ok; the wasm filter counted ${counted} requests`);
  process.exit(ok === calls && counted >= calls ? 0 : 1);
} catch (error) {
  exitWithError("thrift client", error);
}

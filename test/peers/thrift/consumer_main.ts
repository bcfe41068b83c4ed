// Command-line Thrift client for the docker-compose scenario (test/docker/thrift) and its run on the bundled host
// (test/docker/compose.test.ts): the npm thrift client of client.ts makes --calls calls through the proxy at --target
// (Calculator.calculate with the four operations in turn, ten at a time on one connection), checks every reply, reads
// the filter's request counter from the proxy's admin at --admin, prints one summary line and exits 0 when every call
// succeeded and the filter counted at least as many requests.
//   node --import tsx test/peers/thrift/consumer_main.ts --target envoy:26200 --admin envoy:26202 --calls 50
import { options, parseAddress, runConsumerScenario, withTimeout } from "../main_support.ts";
import { connectThriftClient, Operation, type ThriftClient } from "./client.ts";
import type { ThriftProtocolName, ThriftTransportName } from "./server.ts";

/** The filter's request counter for the stat_prefix "demo" of the Thrift bootstraps. */
const REQUEST_COUNTER = { name: "meta_protocol_request", labels: { protocol: "thrift", stat_prefix: "demo" } };

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

const target = parseAddress(opts.target, "--target");
await runConsumerScenario("thrift client", opts, REQUEST_COUNTER, {
  connect: () =>
    connectThriftClient({
      host: target.host,
      port: target.port,
      transport: opts.transport as ThriftTransportName,
      protocol: opts.protocol as ThriftProtocolName,
    }),
  call: calculate,
  close: (client) => client.close(),
});

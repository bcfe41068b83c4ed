// `make run`: the sample awesomerpc server, the proxy with envoy/awesomerpc.yaml (wasm filter + tcp_proxy), and a
// client making calls through it; prints the replies, the filter's access log lines and its metrics. Then routing by
// method to a second server instance and a local rate limit rejection (test/demo/routing.ts), the same with real
// Dubbo peers and envoy/dubbo.yaml (test/demo/dubbo.ts), and with real Thrift peers and envoy/thrift.yaml
// (test/demo/thrift.ts).
import { startAwesomeRpcServer, Command } from "../peers/awesomerpc/server.ts";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { runDubboDemo } from "./dubbo.ts";
import { printFilterReport } from "./filter_report.ts";
import { startProxy } from "./proxy_process.ts";
import { runRoutingDemo } from "./routing.ts";
import { runThriftDemo } from "./thrift.ts";

const LISTENER_PORT = 26000;
const SERVER_PORT = 26001;
const ADMIN_PORT = 26002;

const server = await startAwesomeRpcServer(SERVER_PORT);
console.log(`awesomerpc server on 127.0.0.1:${SERVER_PORT}`);
const proxy = await startProxy("envoy/awesomerpc.yaml", LISTENER_PORT);
console.log(`${proxy.name} on 127.0.0.1:${LISTENER_PORT} with envoy/awesomerpc.yaml\n`);

try {
  const client = await AwesomeRpcClient.connect(LISTENER_PORT);
  const show = async (label: string, command: number, body: string, pieces = 1) => {
    const reply = await client.call(command, body, pieces);
    console.log(`  ${label.padEnd(44)} -> code ${reply.responseCode}, "${reply.body}"`);
  };
  console.log("calls through the wasm filter:");
  await show('echo "hello"', Command.Echo, "hello");
  await show('upper "meta protocol"', Command.Upper, "meta protocol");
  await show('echo "fragmented" written 1 byte at a time', Command.Echo, "fragmented", 64);
  await show("unknown command 42", 42, "?");
  const slow = client.call(Command.Delay, "200");
  const fast = client.call(Command.Delay, "10");
  const order: string[] = [];
  await Promise.all([slow.then(() => order.push("200 ms")), fast.then(() => order.push("10 ms"))]);
  console.log(`  two calls in flight on one connection         -> answered in order: ${order.join(", ")}`);
  client.close();

  await printFilterReport(proxy, ADMIN_PORT, "awesomerpc");
} finally {
  await proxy.stop();
  await server.close();
}

console.log("\n" + "-".repeat(100) + "\n");
await runRoutingDemo();

console.log("\n" + "-".repeat(100) + "\n");
await runDubboDemo();

console.log("\n" + "-".repeat(100) + "\n");
await runThriftDemo();

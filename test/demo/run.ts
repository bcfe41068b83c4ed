// `make run`: the sample awesomerpc server, the proxy with envoy/awesomerpc.yaml (wasm filter + tcp_proxy), and a
// client making calls through it; prints the replies, the filter's access log lines and its metrics. Then routing by
// method to a second server instance and a local rate limit rejection (test/demo/routing.ts), the same with real
// Dubbo peers and envoy/dubbo.yaml (test/demo/dubbo.ts), with real Thrift peers and envoy/thrift.yaml
// (test/demo/thrift.ts), and bridge mode, where Envoy's HTTP connection manager routes each Dubbo call on its own
// (test/demo/bridge.ts). Every server and the proxy listen on free ports (test/demo/demo_bootstrap.ts); a failure is
// one line on stderr and exit status 1.
import { startAwesomeRpcServer, Command } from "../peers/awesomerpc/server.ts";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { withDemoProxy } from "./demo_bootstrap.ts";
import { runBridgeDemo } from "./bridge.ts";
import { runDubboDemo } from "./dubbo.ts";
import { printFilterReport } from "./filter_report.ts";
import { runRoutingDemo } from "./routing.ts";
import { runThriftDemo } from "./thrift.ts";

const CONFIG = "envoy/awesomerpc.yaml";

async function runAwesomeRpcDemo(): Promise<void> {
  const server = await startAwesomeRpcServer();
  console.log(`awesomerpc server on 127.0.0.1:${server.port}`);
  try {
    await withDemoProxy({ source: CONFIG, upstreams: { awesomerpc_server: server.port } }, async (proxy, { listenerPort, adminPort }) => {
      console.log(`${proxy.name} on 127.0.0.1:${listenerPort} with ${CONFIG} (on free ports)\n`);
      await callThrough(listenerPort);
      await printFilterReport(proxy, adminPort, "awesomerpc");
    });
  } finally {
    await server.close();
  }
}

async function callThrough(listenerPort: number): Promise<void> {
  const client = await AwesomeRpcClient.connect(listenerPort);
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
}

try {
  await runAwesomeRpcDemo();
  for (const demo of [runRoutingDemo, runDubboDemo, runThriftDemo, runBridgeDemo]) {
    console.log("\n" + "-".repeat(100) + "\n");
    await demo();
  }
} catch (error) {
  process.stderr.write(`make run: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

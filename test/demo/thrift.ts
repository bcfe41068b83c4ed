// The Thrift part of `make run`: a real Apache Thrift server (npm thrift, THeader transport, binary protocol), the
// proxy with envoy/thrift.yaml (wasm filter + tcp_proxy) plus a request_mutation, and a real client calling through
// it; prints the replies, the info headers the server received, the filter's access log lines and its metrics.
import { connectThriftClient, Operation } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { pluginConfiguration, setPluginConfiguration, withDemoProxy } from "./demo_bootstrap.ts";
import { printFilterReport } from "./filter_report.ts";

const CONFIG = "envoy/thrift.yaml";

/** envoy/thrift.yaml with `request_mutation` x-mesh=wasm added to the plugin configuration. */
function withMutation(config: any): void {
  setPluginConfiguration(config, { ...pluginConfiguration(config), request_mutation: [{ key: "x-mesh", value: "wasm" }] });
}

export async function runThriftDemo(): Promise<void> {
  const server = await startThriftServer({ transport: "header", protocol: "binary" });
  console.log(`Thrift server (npm thrift, THeader + binary) Calculator on 127.0.0.1:${server.port}`);
  try {
    await withDemoProxy({ source: CONFIG, upstreams: { thrift_server: server.port }, edit: withMutation }, async (proxy, { listenerPort, adminPort }) => {
      console.log(`${proxy.name} on 127.0.0.1:${listenerPort} with ${CONFIG} + request_mutation x-mesh=wasm (on free ports)\n`);
      await callThrough(listenerPort, server);
      await printFilterReport(proxy, adminPort, "thrift");
    });
  } finally {
    await server.close();
  }
}

async function callThrough(listenerPort: number, server: ThriftServer): Promise<void> {
  const client = await connectThriftClient({
    port: listenerPort,
    transport: "header",
    protocol: "binary",
    headers: { "x-trace": "demo-1" },
  });
  const show = (label: string, result: string) => console.log(`  ${label.padEnd(44)} -> ${result}`);
  console.log("Thrift calls through the wasm filter (npm thrift client, THeader + binary, info header x-trace=demo-1):");
  try {
    const result = await client.calculator.calculate({ id: 1, op: Operation.ADD, operands: [1, 2, 39] });
    show("calculate(ADD [1, 2, 39])", JSON.stringify(result));

    const declared = await client.calculator.calculate({ id: 2, op: Operation.DIVIDE, operands: [1, 0] }).then(
      (value) => `returned ${JSON.stringify(value)}`,
      (error: any) => `${error?.name ?? "error"} ${JSON.stringify({ whatOp: error?.whatOp, why: error?.why })}`,
    );
    show("calculate(DIVIDE [1, 0]) (throws)", declared);

    await client.calculator.zip("demo-oneway");
    const deadline = Date.now() + 2000;
    while (!server.calls.some((c) => c.method === "zip") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const arrived = server.calls.some((c) => c.method === "zip");
    show('zip("demo-oneway") (oneway)', arrived ? "no reply; the server got it" : "no reply; NOT at the server after 2 s");

    const order: string[] = [];
    await Promise.all([
      client.calculator.slow(200, "slow-200").then((tag) => order.push(`"${tag}"`)),
      client.calculator.slow(10, "fast-10").then((tag) => order.push(`"${tag}"`)),
    ]);
    show("slow 200 ms, slow 10 ms on one connection", `answered in order: ${order.join(", ")}`);
  } finally {
    await client.close();
  }

  const headers = server.calls.find((c) => c.method === "calculate")?.headers ?? {};
  console.log(`\ninfo headers the server received with calculate (x-mesh added by the filter):`);
  console.log("  " + JSON.stringify(headers));
}

// The Dubbo part of `make run`: a real Dubbo provider (sofa-rpc-node), the proxy with envoy/dubbo.yaml (wasm filter +
// tcp_proxy), and a real consumer calling through it; prints the replies, what the provider received, the filter's
// access log lines and its metrics.
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { DEMO_SERVICE, DEMO_VERSION, type DubboProvider, javaUser, startDubboProvider } from "../peers/dubbo/provider.ts";
import { withDemoProxy } from "./demo_bootstrap.ts";
import { printFilterReport } from "./filter_report.ts";

const CONFIG = "envoy/dubbo.yaml";

export async function runDubboDemo(): Promise<void> {
  const provider = await startDubboProvider();
  console.log(`Dubbo provider (sofa-rpc-node) ${DEMO_SERVICE}:${DEMO_VERSION} on 127.0.0.1:${provider.port}`);
  try {
    await withDemoProxy({ source: CONFIG, upstreams: { dubbo_provider: provider.port } }, async (proxy, { listenerPort, adminPort }) => {
      console.log(`${proxy.name} on 127.0.0.1:${listenerPort} with ${CONFIG} (on free ports)\n`);
      await callThrough(listenerPort, provider);
      await printFilterReport(proxy, adminPort, "dubbo");
    });
  } finally {
    await provider.close();
  }
}

async function callThrough(listenerPort: number, provider: DubboProvider): Promise<void> {
  const consumer = await connectDubboConsumer(listenerPort);
  const show = async (label: string, method: string, args: unknown[]) => {
    let result: string;
    try {
      result = JSON.stringify(await consumer.invoke(method, args, { "x-trace": "demo-1" }));
    } catch (error) {
      result = `error "${(error as Error).message}"`;
    }
    console.log(`  ${label.padEnd(44)} -> ${result}`);
  };
  console.log("Dubbo calls through the wasm filter (sofa-rpc-node consumer, attachment x-trace=demo-1):");
  await show('sayHello("world")', "sayHello", ["world"]);
  await show('echoUser(com.example.User{"alice", 30})', "echoUser", [javaUser("alice", 30)]);
  await show('fail("boom") (the provider throws)', "fail", ["boom"]);
  await consumer.close();

  const attachments = provider.calls[0]?.attachments ?? {};
  console.log(`\nattachments the provider received with sayHello (x-mesh added by the filter):`);
  console.log("  " + JSON.stringify(attachments));
}

// Through the bundled host over loopback: a protocol's sample server and the host each in their own process (as
// `make run` starts them), the real client in this one. One host process serves two listeners from the same
// bootstrap: envoy/<protocol>.yaml as is (wasm filter, then tcp_proxy) and the same listener without the wasm filter
// (plain tcp_proxy). Closed loop: `concurrency` calls always in flight; a fresh client per run, a warm-up, then a
// bounded measured window.
//   awesomerpc  sample client, echo of a 24-byte body, calls spread over min(N, 8) connections
//   dubbo       sofa-rpc-node consumer, echoUser(User{name, age}) (6 attachments, and the bootstrap's x-mesh
//               mutation on the wasm listener), one connection (the consumer multiplexes every call on it)
//   thrift      npm thrift client, framed binary, calculate(Work) of test/peers/thrift, one connection
// Bridge mode (Dubbo): a second host runs what the generator writes for BRIDGE_SERVICE, the same load on its client
// listener.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command } from "../peers/awesomerpc/server.ts";
import { connectDubboConsumer } from "../peers/dubbo/consumer.ts";
import { javaUser } from "../peers/dubbo/provider.ts";
import { connectThriftClient, Operation } from "../peers/thrift/client.ts";
import { percentile } from "./timing.ts";
import { waitForPort } from "../demo/proxy_process.ts";
import { bridgeBootstrap } from "../demo/bridge_bootstrap.ts";
import { freePort } from "../demo/demo_bootstrap.ts";

export type LoopbackProtocol = "awesomerpc" | "dubbo" | "thrift";

export interface LoopbackResult {
  readonly protocol: LoopbackProtocol;
  /** wasm: the filter in tcp mode before tcp_proxy; plain: tcp_proxy alone; bridge: bridge mode's two sides. */
  readonly listener: "wasm" | "plain" | "bridge";
  readonly concurrency: number;
  readonly connections: number;
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Waits for `child` to listen on `port` (30 s: a cold tsx start under load is slow). */
function waitForChild(port: number, child: ChildProcess, output: () => string): Promise<void> {
  return waitForPort(port, () => child.exitCode !== null, () => `process exited (${child.exitCode}):\n${output()}`, 30_000);
}

function startProcess(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk) => (text = (text + chunk).slice(-4000)));
  child.stderr!.on("data", (chunk) => (text = (text + chunk).slice(-4000)));
  return { child, output: () => text };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export interface LoopbackSetup {
  readonly wasmPort: number;
  readonly plainPort: number;
  /** The host's log file (access log lines of the wasm listener). */
  readonly hostLog: string;
  stop(): Promise<void>;
}

/** The sample server, and the host with the two listeners. */
export async function startLoopback(protocol: LoopbackProtocol): Promise<LoopbackSetup> {
  const [serverPort, wasmPort, plainPort] = [await freePort(), await freePort(), await freePort()];
  const config = parse(readFileSync(`envoy/${protocol}.yaml`, "utf8"));
  config.admin.address.socket_address.port_value = 0;
  const listener = config.static_resources.listeners[0];
  listener.address.socket_address.port_value = wasmPort;
  const plain = structuredClone(listener);
  plain.name = "plain";
  plain.address.socket_address.port_value = plainPort;
  plain.filter_chains[0].filters = plain.filter_chains[0].filters.filter((f: { name: string }) => f.name !== "envoy.filters.network.wasm");
  config.static_resources.listeners.push(plain);
  for (const cluster of config.static_resources.clusters) {
    for (const group of cluster.load_assignment.endpoints) {
      for (const lb of group.lb_endpoints) lb.endpoint.address.socket_address.port_value = serverPort;
    }
  }
  const started = await startProcesses(protocol, serverPort, config, [wasmPort, plainPort]);
  return { wasmPort, plainPort, ...started };
}

/**
 * A bridge-mode Dubbo service as the generator takes it: no routes (every call to the one provider), the same
 * x-mesh request mutation as envoy/dubbo.yaml (the virtual host's request_headers_to_add).
 */
export function bridgeService(providerPort: number): string {
  return `
apiVersion: meta-protocol-wasm/v1alpha1
kind: MetaProtocolService
name: demo
protocol: dubbo
mode: bridge
host: 127.0.0.1
port: ${providerPort}
filter:
  statPrefix: demo
  requestMutation: [{ key: x-mesh, value: wasm }]
envoy:
  listener: { address: 127.0.0.1, port: 26200 }
`;
}

/** A Dubbo provider, and the host on the bootstrap generated for bridgeService; `port` is its client listener. */
export async function startBridgeLoopback(): Promise<{ port: number; hostLog: string; stop(): Promise<void> }> {
  const serverPort = await freePort();
  const config = await bridgeBootstrap("bench-bridge.yaml", bridgeService(serverPort));
  const ports: number[] = config.static_resources.listeners.map((l: any) => l.address.socket_address.port_value);
  const started = await startProcesses("dubbo", serverPort, config, ports);
  return { port: ports[0], ...started };
}

/** The sample server on `serverPort`, and the host on `config` once each of `listenerPorts` accepts connections. */
async function startProcesses(protocol: LoopbackProtocol, serverPort: number, config: object, listenerPorts: number[]): Promise<{ hostLog: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-loopback-"));
  const configPath = join(dir, "bootstrap.yaml");
  writeFileSync(configPath, stringify(config));
  const hostLog = join(dir, "host.log");

  const server = startProcess(["test/bench/peer_server.ts", protocol, String(serverPort)]);
  const host = startProcess(["test/host/main.ts", "-c", configPath, "-l", "info", "--concurrency", "1", "--log-path", hostLog]);
  try {
    await waitForChild(serverPort, server.child, server.output);
    for (const port of listenerPorts) await waitForChild(port, host.child, host.output);
  } catch (error) {
    await Promise.all([stopProcess(server.child), stopProcess(host.child)]);
    throw error;
  }
  return {
    hostLog,
    stop: async () => {
      await Promise.all([stopProcess(host.child), stopProcess(server.child)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface LoadClient {
  call(): Promise<void>;
  close(): Promise<void> | void;
}

async function connectClient(protocol: LoopbackProtocol, port: number): Promise<LoadClient> {
  if (protocol === "awesomerpc") {
    const client = await AwesomeRpcClient.connect(port);
    const body = "hello from the benchmark";
    return {
      call: async () => {
        const reply = await client.call(Command.Echo, body);
        if (reply.body !== body) throw new Error(`wrong echo: ${reply.body}`);
      },
      close: () => client.close(),
    };
  }
  if (protocol === "dubbo") {
    const consumer = await connectDubboConsumer(port, { timeoutMs: 30_000 });
    const user = javaUser("alice", 30);
    return {
      call: async () => {
        const reply = (await consumer.invoke("echoUser", [user], { "x-trace-id": "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7" })) as { name?: string };
        if (reply?.name !== "alice") throw new Error(`wrong echoUser reply: ${JSON.stringify(reply)}`);
      },
      close: () => consumer.close(),
    };
  }
  const client = await connectThriftClient({ port, transport: "framed", protocol: "binary" });
  const work = { id: 1, op: Operation.ADD, operands: [1, 2, 2 ** 40], labels: { client: "bench" }, blob: Buffer.from([1, 255]) };
  return {
    call: async () => {
      const result = await client.calculator.calculate(work);
      if (result.value !== 3 + 2 ** 40) throw new Error(`wrong calculate result: ${result.value}`);
    },
    close: () => client.close(),
  };
}

/** `concurrency` calls in flight for `warmupMs` + `seconds`; latencies of the calls that started in the window. */
export async function runLoad(
  protocol: LoopbackProtocol,
  port: number,
  listener: LoopbackResult["listener"],
  concurrency: number,
  seconds: number,
  warmupMs: number,
): Promise<LoopbackResult> {
  const connections = protocol === "awesomerpc" ? Math.min(concurrency, 8) : 1;
  const clients = await Promise.all(Array.from({ length: connections }, () => connectClient(protocol, port)));
  const latenciesNs: number[] = [];
  const start = process.hrtime.bigint();
  const windowStart = start + BigInt(warmupMs) * 1_000_000n;
  const end = windowStart + BigInt(Math.round(seconds * 1e9));
  const worker = async (i: number) => {
    const client = clients[i % connections];
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= end) return;
      await client.call();
      if (t0 >= windowStart) latenciesNs.push(Number(process.hrtime.bigint() - t0));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  latenciesNs.sort((a, b) => a - b);
  return {
    protocol,
    listener,
    concurrency,
    connections,
    calls: latenciesNs.length,
    seconds,
    callsPerSecond: latenciesNs.length / seconds,
    p50Us: percentile(latenciesNs, 50) / 1000,
    p99Us: percentile(latenciesNs, 99) / 1000,
  };
}

// Through the bundled host over loopback: the sample awesomerpc server and the host each in their own process (as
// `make run` starts them), the client in this one. One host process serves two listeners from the same bootstrap:
// envoy/awesomerpc.yaml as is (wasm filter, then tcp_proxy) and the same listener without the wasm filter (plain
// tcp_proxy). Closed loop: `concurrency` calls always in flight, spread over up to 8 connections; a fresh client
// per run, a warm-up, then a bounded measured window.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command } from "../peers/awesomerpc/server.ts";
import { percentile } from "./timing.ts";

export interface LoopbackResult {
  readonly listener: "wasm" | "plain";
  readonly concurrency: number;
  readonly connections: number;
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}):\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on ${port} after 30 s:\n${output()}`);
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
export async function startLoopback(): Promise<LoopbackSetup> {
  const [serverPort, wasmPort, plainPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "bench-loopback-"));
  const config = parse(readFileSync("envoy/awesomerpc.yaml", "utf8"));
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
  const configPath = join(dir, "bootstrap.yaml");
  writeFileSync(configPath, stringify(config));
  const hostLog = join(dir, "host.log");

  const server = startProcess(["test/peers/awesomerpc/server.ts", String(serverPort)]);
  const host = startProcess(["test/host/main.ts", "-c", configPath, "-l", "info", "--concurrency", "1", "--log-path", hostLog]);
  try {
    await waitForPort(serverPort, server.child, server.output);
    await waitForPort(wasmPort, host.child, host.output);
    await waitForPort(plainPort, host.child, host.output);
  } catch (error) {
    await Promise.all([stopProcess(server.child), stopProcess(host.child)]);
    throw error;
  }
  return {
    wasmPort,
    plainPort,
    hostLog,
    stop: async () => {
      await Promise.all([stopProcess(host.child), stopProcess(server.child)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `concurrency` calls in flight for `warmupMs` + `seconds`; latencies of the calls that started in the window. */
export async function runLoad(port: number, listener: "wasm" | "plain", concurrency: number, seconds: number, warmupMs: number): Promise<LoopbackResult> {
  const connections = Math.min(concurrency, 8);
  const clients = await Promise.all(Array.from({ length: connections }, () => AwesomeRpcClient.connect(port)));
  const body = "hello from the benchmark";
  const latenciesNs: number[] = [];
  const start = process.hrtime.bigint();
  const windowStart = start + BigInt(warmupMs) * 1_000_000n;
  const end = windowStart + BigInt(Math.round(seconds * 1e9));
  const worker = async (i: number) => {
    const client = clients[i % connections];
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= end) return;
      const reply = await client.call(Command.Echo, body);
      if (reply.body !== body) throw new Error(`wrong echo: ${reply.body}`);
      if (t0 >= windowStart) latenciesNs.push(Number(process.hrtime.bigint() - t0));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  for (const client of clients) client.close();
  latenciesNs.sort((a, b) => a - b);
  return {
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

// Two plugins of one module on one VM, as Envoy runs them: every wasm filter with the same vm_id, VM configuration
// and code shares one VM per worker (one set of module globals), whatever listener it is on. Each must behave as its
// own configuration says while the other's connections come and go in between: what one plugin reads, decodes or
// forces must not leak into the other.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { connectDubboConsumer, type DubboConsumer } from "../peers/dubbo/consumer.ts";
import { startDubboProvider, type DubboProvider } from "../peers/dubbo/provider.ts";
import golden from "../peers/dubbo/golden.json" with { type: "json" };
import { connectThriftClient, Operation } from "../peers/thrift/client.ts";
import { startThriftServer, type ThriftServer } from "../peers/thrift/server.ts";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "./host_fixture.ts";

/**
 * The protocol's bootstrap with its listener twice, `first` then `second`, each with its plugin configuration and its
 * own upstream cluster; both filters keep the bootstrap's vm_id, VM configuration and code, so they share the VM.
 */
function twoListeners(path: string, first: [string, string, number], second: [string, string, number]): any {
  const config = bootstrapFor(path, first[2]);
  const listener = config.static_resources.listeners[0];
  const cluster = config.static_resources.clusters[0];
  const copy = structuredClone(listener);
  const copyCluster = structuredClone(cluster);
  listener.name = first[0];
  copy.name = second[0];
  copyCluster.name = copyCluster.load_assignment.cluster_name = `${cluster.name}_${second[0]}`;
  copyCluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value = second[2];
  const [firstWasm, firstProxy] = listener.filter_chains[0].filters;
  const [secondWasm, secondProxy] = copy.filter_chains[0].filters;
  firstWasm.typed_config.config.configuration.value = first[1];
  secondWasm.typed_config.config.configuration.value = second[1];
  assert.deepEqual(secondWasm.typed_config.config.vm_config, firstWasm.typed_config.config.vm_config);
  firstProxy.typed_config.stat_prefix = first[0];
  secondProxy.typed_config.stat_prefix = second[0];
  secondProxy.typed_config.cluster = copyCluster.name;
  config.static_resources.listeners.push(copy);
  config.static_resources.clusters.push(copyCluster);
  return config;
}

/** A TCP server that keeps what it receives and answers nothing. */
async function startSink(): Promise<{ port: number; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => Buffer.concat(chunks),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends `bytes` on a new connection; resolves whether the proxy closed it within `waitMs`. */
function sendAndWatch(port: number, bytes: Buffer, waitMs = 500): Promise<{ closed: boolean; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    const timer = setTimeout(() => resolve({ closed: false, socket }), waitMs);
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ closed: true, socket });
    });
  });
}

/** sofa's sayHello("world") request with the argument's string tag (0x05) turned into 0x40, which no Hessian value starts with. */
function requestWithMalformedArgument(): Buffer {
  const frame = Buffer.from(golden.frames.sofa_request_sayHello.hex, "hex");
  const argument = frame.indexOf(Buffer.from("Ljava/lang/String;\x05world", "latin1"));
  assert.ok(argument > 0);
  frame[argument + "Ljava/lang/String;".length] = 0x40;
  return frame;
}

describe("two Dubbo plugins on one VM: one reads attachments, one only the method", { timeout: 60_000 }, () => {
  // "canary" routes on an attachment (its codec must read every attachment); "lean" reads nothing but the method
  // (its codec stops there, and forwards a request whose arguments it never read).
  const CANARY = JSON.stringify({
    stat_prefix: "canary",
    access_log: false,
    connection_routing: false,
    routes: [{ name: "canary", match: { metadata: [{ name: "x-canary", exact_match: "yes" }] }, route: { cluster: "any" } }],
  });
  const LEAN = JSON.stringify({ stat_prefix: "lean", access_log: false });
  let provider: DubboProvider;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let host: RunningHost;
  let canary: DubboConsumer;

  before(async () => {
    provider = await startDubboProvider();
    sink = await startSink();
    host = await startTestHost(twoListeners("envoy/dubbo.yaml", ["canary", CANARY, provider.port], ["lean", LEAN, sink.port]), "canary");
  });
  after(async () => {
    await canary?.close();
    await host?.stop();
    await sink?.close();
    await provider?.close();
  });

  it("routes on the attachment before, between and after the other plugin's connections", async () => {
    canary = await connectDubboConsumer(host.port);
    assert.equal(await canary.invoke("sayHello", ["one"], { "x-canary": "yes" }), "Hello one");

    // The lean plugin's connection: its request's malformed arguments are never read, so it goes on upstream.
    const malformed = requestWithMalformedArgument();
    const lean = await sendAndWatch(host.portOf("lean"), malformed);
    assert.equal(lean.closed, false);
    await eventually(() => sink.received().equals(malformed), "the lean listener to forward the request");
    lean.socket.destroy();

    // The canary plugin's connection, opened before, still reads attachments.
    assert.equal(await canary.invoke("sayHello", ["two"], { "x-canary": "yes" }), "Hello two");
    await assert.rejects(canary.invoke("sayHello", ["three"], { "x-canary": "no" }), /no route matches this request/);

    // The same malformed request on the canary listener is read whole, found malformed, and its connection closed.
    const strict = await sendAndWatch(host.port, malformed);
    assert.equal(strict.closed, true);
    const stats = await host.prometheus();
    assert.equal(total(stats, { protocol: "dubbo", statPrefix: "canary" }, "request_decoding_error"), 1);
    assert.equal(total(stats, { protocol: "dubbo", statPrefix: "lean" }, "request_decoding_error"), 0);
    assert.equal(total(stats, { protocol: "dubbo", statPrefix: "canary" }, "route_not_found"), 1);
    assert.equal(provider.calls.length, 2);
  });
});

describe("two Thrift plugins on one VM: one detects the protocol, one forces framed compact", { timeout: 60_000 }, () => {
  const AUTO = JSON.stringify({ stat_prefix: "auto" });
  const COMPACT = JSON.stringify({ stat_prefix: "compact", codec: { transport: "framed", protocol: "compact" } });
  let binaryServer: ThriftServer;
  let compactServer: ThriftServer;
  let host: RunningHost;

  before(async () => {
    binaryServer = await startThriftServer({ transport: "framed", protocol: "binary" });
    compactServer = await startThriftServer({ transport: "framed", protocol: "compact" });
    // The forcing plugin is configured last.
    const config = twoListeners("envoy/thrift.yaml", ["auto", AUTO, binaryServer.port], ["compact", COMPACT, compactServer.port]);
    host = await startTestHost(config, "auto");
  });
  after(async () => {
    await host?.stop();
    await binaryServer?.close();
    await compactServer?.close();
  });

  it("each listener's connections follow its own plugin's codec options, interleaved", async () => {
    const work = { id: 1, op: Operation.ADD, operands: [20, 22] };
    const compact = await connectThriftClient({ port: host.portOf("compact"), transport: "framed", protocol: "compact" });
    const binary = await connectThriftClient({ port: host.port, transport: "framed", protocol: "binary" });
    assert.equal((await compact.calculator.calculate(work)).value, 42);
    assert.equal((await binary.calculator.calculate(work)).value, 42);
    assert.equal((await compact.calculator.calculate(work)).value, 42);
    await binary.close();
    await compact.close();

    // Binary bytes on the listener that forces compact are not its protocol: the connection is closed and counted.
    const binaryAgain = await connectThriftClient({ port: host.portOf("compact"), transport: "framed", protocol: "binary" });
    await assert.rejects(binaryAgain.calculator.calculate(work));
    await binaryAgain.close();
    const stats = await host.prometheus();
    assert.equal(total(stats, { protocol: "thrift", statPrefix: "compact" }, "request_decoding_error"), 1);
    assert.equal(total(stats, { protocol: "thrift", statPrefix: "auto" }, "request_decoding_error"), 0);
    assert.equal(binaryServer.calls.length, 1);
    assert.equal(compactServer.calls.length, 2);
  });
});

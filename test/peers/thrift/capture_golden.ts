// Captures golden Thrift wire bytes from the real peers through a local TCP relay and writes them to golden.json next
// to this file: one call and its reply for each transport x protocol pair, a oneway call, a declared-exception reply,
// an application-exception reply, a multiplexed call, and THeader frames with info headers from both libraries.
// Each vector is captured on its own connection, so the bytes of each direction are exactly one message (the Python
// THeader capture, several calls on one connection, keeps the first frame of each direction).
//
// usage: node --import tsx test/peers/thrift/capture_golden.ts     (rewrites test/peers/thrift/golden.json)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { connectThriftClient, Operation, type ThriftClient } from "./client.ts";
import { thriftCompiler } from "./generate.ts";
import { PYTHON, runPythonClient } from "./python_client.ts";
import { startThriftServer, type ThriftProtocolName, type ThriftServer, type ThriftTransportName } from "./server.ts";

export const GOLDEN_PATH = fileURLToPath(new URL("./golden.json", import.meta.url));

export interface GoldenVector {
  /** What the bytes are. */
  note: string;
  client: "node" | "python";
  transport: ThriftTransportName;
  protocol: ThriftProtocolName;
  multiplexed: boolean;
  /** The message name on the wire (`Service:method` for multiplexed calls; replies carry the bare name). */
  name: string;
  seqid: number;
  /** THeader info headers of the request and of the reply. */
  requestHeaders?: Record<string, string>;
  replyHeaders?: Record<string, string>;
  /** Hex of the request as the client wrote it (frame header included). */
  request: string;
  /** Hex of the reply as the server wrote it; "" for a oneway call. */
  reply: string;
}

interface Relay {
  readonly port: number;
  /** Bytes seen so far on the single connection, per direction. */
  readonly toServer: Buffer[];
  readonly toClient: Buffer[];
  close(): Promise<void>;
}

/** A TCP relay to `targetPort` that records both directions of the connections it carries. */
async function startRelay(targetPort: number): Promise<Relay> {
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.on("data", (chunk: Buffer) => {
      toServer.push(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      toClient.push(chunk);
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    toServer,
    toClient,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The first length-prefixed frame of `bytes` (framed or THeader). */
function firstFrame(bytes: Buffer): Buffer {
  return bytes.subarray(0, 4 + bytes.readUInt32BE(0));
}

const WORK = { id: 1, op: Operation.ADD, operands: [1, 2, 2 ** 40], labels: { client: "node" }, blob: Buffer.from([0x01, 0xff]) };
const WORK_NOTE = "calculate(Work{id=1, op=ADD, operands=[1, 2, 2^40], labels={client: node}, blob=01ff}) -> Result{id, value, partials map<string,i64>, trace list<string>, ratio}";

interface Capture {
  transport: ThriftTransportName;
  protocol: ThriftProtocolName;
  multiplexed?: boolean;
  headers?: Record<string, string>;
  replyHeaders?: Record<string, string>;
  note: string;
  name: string;
  oneway?: boolean;
  call(client: ThriftClient): Promise<unknown>;
}

/** One Node call on a fresh connection through the relay: the connection carries exactly one request and its reply. */
async function captureNode(capture: Capture): Promise<GoldenVector> {
  const server: ThriftServer = await startThriftServer({ ...capture, ...(capture.replyHeaders && { replyHeaders: capture.replyHeaders }) });
  const relay = await startRelay(server.port);
  try {
    const client = await connectThriftClient({ ...capture, port: relay.port });
    await capture.call(client).catch(() => undefined);
    if (capture.oneway) await waitFor(() => server.calls.length === 1, "the oneway call");
    else await waitFor(() => relay.toClient.length > 0, "the reply");
    await client.close();
    return {
      note: capture.note,
      client: "node",
      transport: capture.transport,
      protocol: capture.protocol,
      multiplexed: capture.multiplexed ?? false,
      name: capture.name,
      seqid: 1,
      ...(capture.headers && { requestHeaders: capture.headers }),
      ...(capture.replyHeaders && { replyHeaders: capture.replyHeaders }),
      request: Buffer.concat(relay.toServer).toString("hex"),
      reply: Buffer.concat(relay.toClient).toString("hex"),
    };
  } finally {
    await relay.close();
    await server.close();
  }
}

/** The first call of the Python client's batch (calculate) over THeader, with an info header each way. */
async function capturePythonTHeader(protocol: ThriftProtocolName): Promise<GoldenVector> {
  const replyHeaders = { "x-served-by": "node" };
  const requestHeaders = { "x-trace-id": "abc123" };
  const server = await startThriftServer({ transport: "header", protocol, replyHeaders });
  const relay = await startRelay(server.port);
  try {
    await runPythonClient({ transport: "header", protocol, port: relay.port, tag: "golden", slow: 0, headers: requestHeaders });
    return {
      note: "python3-thrift THeader client: calculate(Work{id=7, op=MULTIPLY, operands=[2, 3, 2^40], labels={client: python, tag: golden}, blob=00ff}); Python always sends seqid 0",
      client: "python",
      transport: "header",
      protocol,
      multiplexed: false,
      name: "calculate",
      seqid: 0,
      requestHeaders,
      replyHeaders,
      request: firstFrame(Buffer.concat(relay.toServer)).toString("hex"),
      reply: firstFrame(Buffer.concat(relay.toClient)).toString("hex"),
    };
  } finally {
    await relay.close();
    await server.close();
  }
}

export async function captureGolden(): Promise<Record<string, GoldenVector>> {
  const vectors: Record<string, GoldenVector> = {};
  const pairs: [ThriftTransportName, ThriftProtocolName][] = [
    ["framed", "binary"],
    ["framed", "compact"],
    ["buffered", "binary"],
    ["buffered", "compact"],
    ["header", "binary"],
    ["header", "compact"],
  ];
  for (const [transport, protocol] of pairs) {
    const header = transport === "header";
    vectors[`call_${transport}_${protocol}`] = await captureNode({
      transport,
      protocol,
      note: WORK_NOTE + (header ? " (THeader info header each way)" : ""),
      name: "calculate",
      ...(header && { headers: { "x-trace": "node-1" }, replyHeaders: { "x-served-by": "node" } }),
      call: (client) => client.calculator.calculate(WORK),
    });
  }
  vectors.oneway_framed_binary = await captureNode({
    transport: "framed", protocol: "binary", oneway: true, name: "zip", note: "oneway zip(\"golden\"): message type ONEWAY, no reply",
    call: (client) => client.calculator.zip("golden"),
  });
  vectors.oneway_buffered_compact = await captureNode({
    transport: "buffered", protocol: "compact", oneway: true, name: "zip", note: "oneway zip(\"golden\"): message type ONEWAY, no reply",
    call: (client) => client.calculator.zip("golden"),
  });
  vectors.declared_exception_framed_binary = await captureNode({
    transport: "framed", protocol: "binary", name: "calculate",
    note: "calculate(DIVIDE [1, 0]) -> REPLY whose result struct holds field 1 (InvalidOperation{whatOp=4, why=\"division by zero\"}), not field 0",
    call: (client) => client.calculator.calculate({ id: 2, op: Operation.DIVIDE, operands: [1, 0] }),
  });
  vectors.declared_exception_buffered_compact = await captureNode({
    transport: "buffered", protocol: "compact", name: "calculate",
    note: "calculate(DIVIDE [1, 0]) -> REPLY whose result struct holds field 1 (InvalidOperation), not field 0",
    call: (client) => client.calculator.calculate({ id: 2, op: Operation.DIVIDE, operands: [1, 0] }),
  });
  vectors.application_exception_framed_binary = await captureNode({
    transport: "framed", protocol: "binary", name: "crash",
    note: "crash(\"golden\") -> message type EXCEPTION: TApplicationException{message=\"crash requested: golden\", type=0 UNKNOWN}",
    call: (client) => client.calculator.crash("golden"),
  });
  vectors.application_exception_header_compact = await captureNode({
    transport: "header", protocol: "compact", name: "crash", headers: { "x-trace": "node-1" },
    note: "crash(\"golden\") over THeader/compact -> EXCEPTION (TApplicationException UNKNOWN)",
    call: (client) => client.calculator.crash("golden"),
  });
  vectors.multiplexed_framed_binary = await captureNode({
    transport: "framed", protocol: "binary", multiplexed: true, name: "Calculator:calculate",
    note: "multiplexed " + WORK_NOTE + ": the request is named Calculator:calculate, the reply calculate",
    call: (client) => client.calculator.calculate(WORK),
  });
  vectors.multiplexed_echo_framed_binary = await captureNode({
    transport: "framed", protocol: "binary", multiplexed: true, name: "Echo:echo",
    note: "multiplexed Echo:echo(\"golden\") -> \"golden\" (reply named echo)",
    call: (client) => client.echo!.echo("golden"),
  });
  vectors.theader_info_headers_node = await captureNode({
    transport: "header", protocol: "binary", name: "slow",
    headers: { "x-trace": "node-1", "x-tenant": "blue" }, replyHeaders: { "x-served-by": "node" },
    note: "npm thrift THeader client (patched to write the header): slow(0, \"golden\") with two info headers; header seqid = message seqid",
    call: (client) => client.calculator.slow(0, "golden"),
  });
  vectors.theader_info_headers_python_binary = await capturePythonTHeader("binary");
  vectors.theader_info_headers_python_compact = await capturePythonTHeader("compact");
  return vectors;
}

async function main(): Promise<void> {
  const vectors = await captureGolden();
  const npmThrift = JSON.parse(readFileSync(new URL("../../../node_modules/thrift/package.json", import.meta.url), "utf8")).version;
  const golden = {
    generatedBy: "test/peers/thrift/capture_golden.ts",
    peers: {
      npmThrift,
      compiler: execFileSync(thriftCompiler(), ["--version"], { encoding: "utf8" }).trim(),
      pythonThrift: execFileSync(PYTHON, ["-c", "import importlib.metadata as m; print(m.version('thrift'))"], { encoding: "utf8" }).trim(),
    },
    vectors,
  };
  writeFileSync(GOLDEN_PATH, JSON.stringify(golden, null, 2) + "\n");
  console.log(`wrote ${Object.keys(vectors).length} vectors to ${GOLDEN_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

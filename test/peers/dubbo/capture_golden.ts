// Regenerates test/peers/dubbo/golden.json: the exact bytes of dubbo2 frames written by the real peers (the sofa
// provider and consumer, and dubbo2.js), captured by a local TCP relay between consumer and provider.
//   node --import tsx test/peers/dubbo/capture_golden.ts [output path]
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { connectDubboConsumer } from "./consumer.ts";
import { connectDubbo2js } from "./dubbo2js_consumer.ts";
import { startDubboProvider } from "./provider.ts";

const HEADER = 16;

export interface CapturedFrame {
  readonly connection: number;
  /** "request" frames went consumer → provider, "response" frames provider → consumer. */
  readonly direction: "request" | "response";
  readonly bytes: Buffer;
}

export interface Relay {
  readonly port: number;
  readonly frames: CapturedFrame[];
  close(): Promise<void>;
}

/** A TCP relay to `upstreamPort` that forwards bytes unchanged and splits each direction into dubbo2 frames. */
export async function startRelay(upstreamPort: number): Promise<Relay> {
  const frames: CapturedFrame[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const splitter = (connection: number, direction: CapturedFrame["direction"]) => {
    let pending = Buffer.alloc(0);
    return (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER) {
        if (pending[0] !== 0xda || pending[1] !== 0xbb) throw new Error(`relay: no dubbo magic in ${direction}`);
        const size = HEADER + pending.readUInt32BE(12);
        if (pending.length < size) break;
        frames.push({ connection, direction, bytes: Buffer.from(pending.subarray(0, size)) });
        pending = pending.subarray(size);
      }
    };
  };
  const server = net.createServer((downstream) => {
    const connection = ++connections;
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    const requests = splitter(connection, "request");
    const responses = splitter(connection, "response");
    downstream.on("data", (chunk) => {
      requests(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      responses(chunk);
      downstream.write(chunk);
    });
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface GoldenFrame {
  description: string;
  hex: string;
}

const isEvent = (f: CapturedFrame) => (f.bytes[2] & 0x20) !== 0;
const requestId = (f: CapturedFrame) => f.bytes.readBigUInt64BE(4);

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Run it in a fresh process: request ids in the file assume the libraries' request counters start at 1. */
export async function captureGolden(): Promise<Record<string, unknown>> {
  const provider = await startDubboProvider();
  const relay = await startRelay(provider.port);
  // Heartbeats: checked every 200 ms, sent after 400 ms idle (after the calls below, which follow each other).
  const sofa = await connectDubboConsumer(relay.port, { heartbeat: { tickMs: 200, idleMs: 400 } });
  const d2js = connectDubbo2js(relay.port, { heartbeatMs: 300 });
  try {
    await sofa.invoke("sayHello", ["world"]);
    await sofa.invoke("fail", ["boom: x"]).catch(() => {});
    await sofa.invoke("exception", ["bad state"]).catch(() => {});
    await sofa.invoke("nothing", []);
    await sofa.invoke("echoMap", [{ a: 1, b: "x" }]);
    await d2js.echoUser({ name: "alice", age: 30 });
    await waitFor(() => relay.frames.filter((f) => isEvent(f) && f.direction === "response").length >= 2, "heartbeats");
  } finally {
    d2js.close();
    await sofa.close();
    await relay.close();
    await provider.close();
  }

  // The sofa consumer's connection is the first one the relay saw, dubbo2.js's the second.
  const sofaConnection = relay.frames[0].connection;
  const on = (connection: "sofa" | "dubbo2.js", direction: CapturedFrame["direction"]) =>
    relay.frames.filter((f) => (f.connection === sofaConnection) === (connection === "sofa") && f.direction === direction);
  const calls = (connection: "sofa" | "dubbo2.js") => {
    const requests = on(connection, "request").filter((f) => !isEvent(f));
    const responses = on(connection, "response").filter((f) => !isEvent(f));
    return requests.map((request) => ({ request, response: responses.find((r) => requestId(r) === requestId(request))! }));
  };
  const [sayHello, fail, exception, nothing, echoMap] = calls("sofa");
  const [echoUser] = calls("dubbo2.js");
  const heartbeat = (connection: "sofa" | "dubbo2.js") => {
    const request = on(connection, "request").find(isEvent)!;
    const response = on(connection, "response").find((f) => isEvent(f) && requestId(f) === requestId(request))!;
    return { request, response };
  };
  const sofaHeartbeat = heartbeat("sofa");
  const d2jsHeartbeat = heartbeat("dubbo2.js");

  const frame = (f: CapturedFrame | undefined, description: string): GoldenFrame => {
    if (f === undefined) throw new Error(`not captured: ${description}`);
    return { description, hex: f.bytes.toString("hex") };
  };
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return {
    description:
      "dubbo2 frames (16-byte header + hessian2 body) captured from real peers by test/peers/dubbo/capture_golden.ts; " +
      "hex of whole frames. Regenerate with: node --import tsx test/peers/dubbo/capture_golden.ts",
    peers: {
      "sofa-rpc-node": version("sofa-rpc-node"),
      "dubbo-remoting": version("dubbo-remoting"),
      "dubbo2.js": version("dubbo2.js"),
    },
    frames: {
      sofa_request_sayHello: frame(
        sayHello.request,
        "sofa consumer request, two-way, id 1: com.example.DemoService:1.0.0 sayHello(\"world\"), dubbo 2.0.2, attachments dubbo/group/interface/path/timeout(string)/version",
      ),
      sofa_response_sayHello: frame(
        sayHello.response,
        "sofa provider response, status 20, id 1: result flag 1 (RESPONSE_VALUE) then \"Hello world\"",
      ),
      sofa_request_fail: frame(fail.request, "sofa consumer request, id 2: fail(\"boom: x\")"),
      sofa_response_status80: frame(
        fail.response,
        "sofa provider error response to a thrown error, id 2: status 80 (SERVER_ERROR), body the hessian string \"boom: x\"",
      ),
      sofa_response_exception_value: frame(
        exception.response,
        "sofa provider response, status 20, id 3: result flag 0 (RESPONSE_WITH_EXCEPTION) then a java.lang.IllegalStateException object {detailMessage: \"bad state\"}",
      ),
      sofa_response_null_value: frame(
        nothing.response,
        "sofa provider response, status 20, id 4: null returned as result flag 1 then hessian null (the provider's typed-null workaround, NOTES 1a)",
      ),
      sofa_request_echoMap: frame(
        echoMap.request,
        "sofa consumer request, id 5: echoMap({a: 1, b: \"x\"}), argument type Ljava/util/HashMap; written as an untyped map (H)",
      ),
      dubbo2js_request_echoUser: frame(
        echoUser.request,
        "dubbo2.js request, two-way, id 1: echoUser(com.example.User{name: \"alice\", age: int 30}) as a class definition + object, attachments application/interface/path/timeout(int 3000)/version",
      ),
      dubbo2js_response_echoUser: frame(
        echoUser.response,
        "sofa provider response to dubbo2.js, status 20, id 1: result flag 1 then com.example.User{name: \"alice\", age: 30}",
      ),
      sofa_heartbeat_request: frame(
        sofaHeartbeat.request,
        "sofa consumer heartbeat: request, two-way, event (flag e2), id 6 (the next value of the consumer's request counter), body hessian null (4e)",
      ),
      sofa_heartbeat_response: frame(
        sofaHeartbeat.response,
        "sofa provider heartbeat answer: response, event (flag 22), status 20, same id, body hessian null",
      ),
      dubbo2js_heartbeat_request: frame(
        d2jsHeartbeat.request,
        "dubbo2.js heartbeat: request, two-way, event, always id 0, body hessian null",
      ),
      dubbo2js_heartbeat_response: frame(
        d2jsHeartbeat.response,
        "sofa provider answer to the dubbo2.js heartbeat: event response, status 20, id 0, body hessian null",
      ),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const output = process.argv[2] ?? fileURLToPath(new URL("./golden.json", import.meta.url));
  const golden = await captureGolden();
  writeFileSync(output, JSON.stringify(golden, null, 2) + "\n");
  console.log(`wrote ${output}`);
}

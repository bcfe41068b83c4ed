// proxy_grpc_call against a real HTTP/2 gRPC server: the request Envoy would send, the callbacks on the root
// context, the effective-context rule for resuming a held connection, and Envoy's failure codes.
import assert from "node:assert/strict";
import { createServer, type Http2Server, type IncomingHttpHeaders } from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster } from "../api.ts";
import { FilterStatus } from "../api.ts";
import { WasmResult } from "./abi_codes.ts";
import { type ProbeConnection, ProbePlugin } from "./testing/probe_host.ts";

let server: Http2Server;
let probe: ProbePlugin;
const requests: { headers: IncomingHttpHeaders; message: string }[] = [];

/** /probe.Echo/Echo answers the request message; Fail answers status 7 "denied"; Slow never answers. */
function startServer(): Promise<number> {
  server = createServer();
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const message = Buffer.concat(chunks).subarray(5);
      requests.push({ headers, message: message.toString() });
      if (headers[":path"] === "/probe.Echo/Echo") {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        const frame = Buffer.alloc(5);
        frame.writeUInt32BE(message.length, 1);
        stream.end(Buffer.concat([frame, message]));
      } else if (headers[":path"] === "/probe.Echo/Fail") {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "7", "grpc-message": "denied" }, { endStream: true });
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

const cluster = (name: string, port: number): Cluster => ({
  name,
  endpoints: [{ address: "127.0.0.1", port }],
  connectTimeoutMs: 1000,
  http2: true,
});

before(async () => {
  const port = await startServer();
  probe = await ProbePlugin.load({ clusters: [cluster("rls", port), cluster("dead", 1)] });
});
after(async () => {
  await probe.close();
  server.close();
});

function connected(): ProbeConnection {
  const connection = probe.connect();
  connection.start();
  return connection;
}

/** The first callback starting with `prefix` logged after the first `since` ones. */
async function callback(prefix: string, since = 0): Promise<string> {
  for (let waited = 0; waited < 3000; waited += 10) {
    const found = probe.callbacks().slice(since).find((c) => c.startsWith(prefix));
    if (found) return found;
    await sleep(10);
  }
  throw new Error(`no callback ${prefix}`);
}

/** A new connection that starts a call and holds its data, as a filter waiting for an answer would. */
function grpc(args: string): { connection: ProbeConnection; token: string } {
  const connection = connected();
  const command = `grpc ${args}`;
  assert.equal(connection.send(`${command};stop`), FilterStatus.StopIteration);
  const [result, token] = probe.result(command)!.split(" ");
  assert.equal(result, String(WasmResult.Ok));
  return { connection, token };
}

test("the request: POST /service/method, gRPC headers, the module's metadata, grpc-timeout, the cluster as authority", async () => {
  const { token } = grpc("rls probe.Echo Echo 1500 ctx");
  await callback(`on_grpc_receive 1 ${token} `);
  const { headers, message } = requests.at(-1)!;
  assert.equal(message, "ctx");
  assert.equal(headers[":method"], "POST");
  assert.equal(headers[":path"], "/probe.Echo/Echo");
  assert.equal(headers[":authority"], "rls");
  assert.equal(headers["content-type"], "application/grpc");
  assert.equal(headers.te, "trailers");
  assert.equal(headers["grpc-timeout"], "1500m");
  assert.equal(headers["x-probe"], "yes");
});

test("the response comes to the ROOT context; with the effective context set, continue_stream resumes the connection", async () => {
  const { connection: c, token } = grpc("rls probe.Echo Echo 1000 ctx,effective $conn,ctx,continue 2");
  assert.equal(await callback(`on_grpc_receive 1 ${token}`), `on_grpc_receive 1 ${token} ctx,effective $conn,ctx,continue 2`);
  assert.equal(probe.result("continue 2"), String(WasmResult.Ok));
  assert.equal(c.continueReadingCalls, 1);
  const contexts = probe.logs.filter((l) => l.includes(": r ctx => ")).slice(-2).map((l) => l.split("=> ")[1]);
  assert.deepEqual(contexts, ["1", "1"], "commands run in the root context, effective or not");
});

test("without the effective context continue_stream answers Ok and does nothing", async () => {
  const { connection: c, token } = grpc("rls probe.Echo Echo 1000 close 2,continue 2");
  await callback(`on_grpc_receive 1 ${token}`);
  assert.equal(probe.result("continue 2"), String(WasmResult.Ok));
  assert.equal(c.continueReadingCalls, 0);
  assert.deepEqual(c.closes, []);
});

test("the root context has no connection: properties, set_property and set_envoy_filter_state are NotFound", async () => {
  // set_envoy_filter_state(path "envoy.tcp_proxy.cluster", value "x", span ...)
  const setCluster = "ff set_envoy_filter_state 0a17656e766f792e7463705f70726f78792e636c757374657212017818";
  const first = grpc(`rls probe.Echo Echo 1000 prop source/address,setprop k v,${setCluster}02`);
  await callback(`on_grpc_receive 1 ${first.token}`);
  assert.equal(probe.result("prop source/address"), `${WasmResult.NotFound} `);
  assert.equal(probe.result("setprop k v"), String(WasmResult.NotFound));
  assert.equal(probe.result(`${setCluster}02`), `${WasmResult.NotFound} `);
  const second = grpc(`rls probe.Echo Echo 1000 effective $conn,${setCluster}01`);
  await callback(`on_grpc_receive 1 ${second.token}`);
  assert.equal(probe.result(`${setCluster}01`), `${WasmResult.Ok} `, "foreign functions use the effective context");
  assert.equal(second.connection.filterState.get("envoy.tcp_proxy.cluster"), "x");
});

test("a gRPC error status comes to on_grpc_close with its message (proxy_get_status)", async () => {
  const { token } = grpc("rls probe.Echo Fail 1000 x");
  assert.equal(await callback(`on_grpc_close 1 ${token}`), `on_grpc_close 1 ${token} 7 denied`);
});

test("a timeout is UNAVAILABLE 'upstream request timeout' (Envoy's router local reply), not DEADLINE_EXCEEDED", async () => {
  const { token } = grpc("rls probe.Echo Slow 50 x");
  assert.equal(await callback(`on_grpc_close 1 ${token}`), `on_grpc_close 1 ${token} 14 upstream request timeout`);
});

test("an unreachable endpoint is UNAVAILABLE", async () => {
  const { token } = grpc("dead probe.Echo Echo 1000 x");
  assert.match(await callback(`on_grpc_close 1 ${token}`), new RegExp(`^on_grpc_close 1 ${token} 14 upstream connect error`));
});

test("service: a plain name of no cluster is ParseFailure; a GrpcService for an unknown cluster fails inline", async () => {
  connected().send("grpc nope probe.Echo Echo 100 x");
  assert.equal(probe.result("grpc nope probe.Echo Echo 100 x"), `${WasmResult.ParseFailure} 0`);
  const service = `hex:0a060a046e6f7065`; // GrpcService { envoy_grpc { cluster_name: "nope" } }
  const since = probe.callbacks().length;
  connected().send(`grpc ${service} probe.Echo Echo 100 x`);
  assert.equal(probe.result(`grpc ${service} probe.Echo Echo 100 x`), `${WasmResult.InternalFailure} 0`);
  assert.match(await callback("on_grpc_close 1 ", since), / 14 Cluster not available$/);
});

test("a GrpcService with envoy_grpc naming a known cluster works like its plain name", async () => {
  const service = `hex:0a050a03726c73`; // GrpcService { envoy_grpc { cluster_name: "rls" } }
  const { token } = grpc(`${service} probe.Echo Echo 1000 ctx`);
  await callback(`on_grpc_receive 1 ${token} ctx`);
});

test("a cancelled call never calls back; cancelling twice is NotFound", async () => {
  const { token } = grpc("rls probe.Echo Slow 0 x");
  connected().send(`grpccancel ${token}`);
  assert.equal(probe.result(`grpccancel ${token}`), String(WasmResult.Ok));
  connected().send(`grpccancel ${token}`);
  assert.equal(probe.result(`grpccancel ${token}`), String(WasmResult.NotFound));
  await sleep(50);
  assert.ok(!probe.callbacks().some((cb) => cb.startsWith(`on_grpc_close 1 ${token} `)));
});

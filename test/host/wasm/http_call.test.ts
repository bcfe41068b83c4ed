// proxy_http_call to an HTTP/1.1 cluster: the response on the root context, and Envoy's local replies.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WasmResult } from "./abi_codes.ts";
import { ProbePlugin } from "./testing/probe_host.ts";

let server: Server;
let probe: ProbePlugin;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === "/slow") return;
    res.setHeader("x-answer", "42");
    res.end(`you asked ${req.url} of ${req.headers.host}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoints = [{ address: "127.0.0.1", port }];
  probe = await ProbePlugin.load({ clusters: [{ name: "web", endpoints, connectTimeoutMs: 1000, http2: false }] });
});
after(async () => {
  await probe.close();
  server.closeAllConnections();
  server.close();
});

async function response(token: string): Promise<string> {
  for (let waited = 0; waited < 3000; waited += 10) {
    const found = probe.callbacks().find((c) => c.startsWith(`on_http_call_response ${token} `));
    if (found) return found.slice(`on_http_call_response ${token} `.length);
    await sleep(10);
  }
  throw new Error("no response");
}

function call(args: string): string {
  const connection = probe.connect();
  connection.start();
  connection.send(`http ${args}`);
  const [result, token] = probe.result(`http ${args}`)!.split(" ");
  assert.equal(result, String(WasmResult.Ok));
  return token;
}

test("the response headers (with :status) and body are readable in on_http_call_response", async () => {
  const token = call("web /hello 1000");
  const [headerCount, status, ...body] = (await response(token)).split(" ");
  assert.equal(status, "200");
  assert.ok(Number(headerCount) >= 4, "':status' and the server's headers");
  assert.equal(body.join(" "), "you asked /hello of web");
});

test("a timeout is answered by a 504 local reply", async () => {
  assert.equal(await response(call("web /slow 50")), "3 504 upstream request timeout");
});

test("an unknown cluster is BadArgument", () => {
  const connection = probe.connect();
  connection.start();
  connection.send("http nowhere / 100");
  assert.equal(probe.result("http nowhere / 100"), `${WasmResult.BadArgument} 0`);
});

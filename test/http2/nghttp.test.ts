// The library's HTTP/2 server (test/http2/wasm_echo_server.ts) against nghttp2's own command-line clients, from
// Debian's nghttp2-client: nghttp (downloads and uploads larger than its windows, small windows, many streams with
// headers its encoder indexes, trailers) and h2load (thousands of requests over several connections). nghttp2 is
// the C library Envoy's HTTP/2 codec is built on.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { pattern, sha256, WasmEchoServer } from "./wasm_echo_server.ts";
import { header, Http2Harness } from "./wasm_http2.ts";
import { headerBlocks, representations, splitFrames } from "./wire.ts";

const run = promisify(execFile);

async function tool(command: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(command, args, { encoding: "buffer", maxBuffer: 64 << 20, timeout: 60_000 });
  return stdout;
}

describe("the library's HTTP/2 server against nghttp and h2load (nghttp2-client)", { timeout: 180_000 }, () => {
  let harness: Http2Harness;
  let server: WasmEchoServer;
  let dir: string;
  let url: string;

  before(async () => {
    harness = await Http2Harness.load();
    server = await WasmEchoServer.start(harness);
    url = `http://127.0.0.1:${server.port}`;
    dir = mkdtempSync(join(tmpdir(), "nghttp-"));
  });

  after(async () => {
    const errors = server.endpoints.map((e) => e.connection.errorCode);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.ok(errors.every((code) => code === 0), `no connection error on our side: ${errors}`);
  });

  it("nghttp downloads 3 MB, with its default and with small windows", async () => {
    assert.equal(sha256(await tool("nghttp", [`${url}/bytes/3000000`])), sha256(pattern(3_000_000)));
    // -w 12 / -W 14: windows of 4,095 and 16,383 bytes, so the server waits for WINDOW_UPDATEs all along.
    assert.equal(sha256(await tool("nghttp", ["-w", "12", "-W", "14", `${url}/bytes/1000000`])), sha256(pattern(1_000_000)));
  });

  it("nghttp uploads 2 MB with trailers, and gets them back", async () => {
    const file = join(dir, "upload");
    const body = pattern(2_000_000);
    writeFileSync(file, body);
    const before = server.endpoints.length;
    const echoed = await tool("nghttp", ["-d", file, "--trailer", `x-checksum: ${sha256(body)}`, `${url}/echo`]);
    assert.equal(sha256(echoed), sha256(body));
    const events = server.endpoints[before].events;
    assert.ok(events.some((e) => e.kind === "trailers" && header(e.headers, "x-checksum") === sha256(body)), "the server read nghttp's trailers");
  });

  it("nghttp: 100 concurrent streams whose headers nghttp2 indexes and Huffman-codes", async () => {
    const before = server.endpoints.length;
    const out = await tool("nghttp", ["-m", "100", "-H", "x-echo-tenant: acme-corporation-production", "-H", "x-trace: 4bf92f3577b34da6a3ce929d0e0e4736", `${url}/bytes/1000`]);
    assert.equal(out.length, 100 * 1000);
    const endpoint = server.endpoints[before];
    const requests = endpoint.events.filter((e) => e.kind === "headers");
    assert.equal(requests.length, 100);
    for (const r of requests) assert.ok(r.kind === "headers" && header(r.headers, "x-echo-tenant") === "acme-corporation-production");
    const sent = representations(headerBlocks(splitFrames(endpoint.receivedBytes())));
    assert.ok(sent.dynamicIndexed >= 99 * 2, `nghttp2 referenced its dynamic table ${sent.dynamicIndexed} times`);
    assert.ok(sent.huffmanStrings >= 2, `nghttp2 sent ${sent.huffmanStrings} Huffman strings`);
  });

  it("h2load: 4,000 requests over 4 connections, 100 streams at a time, all succeed", async () => {
    const out = (await tool("h2load", ["-n", "4000", "-c", "4", "-m", "100", "-H", "x-echo-a: 0123456789abcdef", `${url}/bytes/200`])).toString();
    assert.match(out, /requests: 4000 total, 4000 started, 4000 done, 4000 succeeded, 0 failed, 0 errored, 0 timeout/, out);
    assert.match(out, /status codes: 4000 2xx/);
  });

  it("h2load: 400 uploads of 100 KB, 20 streams at a time", async () => {
    const file = join(dir, "post");
    writeFileSync(file, pattern(100_000));
    const out = (await tool("h2load", ["-n", "400", "-c", "2", "-m", "20", "-d", file, `${url}/echo`])).toString();
    assert.match(out, /requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored, 0 timeout/, out);
  });
});

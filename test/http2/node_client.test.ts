// The library as an HTTP/2 server (build/test/http2_harness.wasm behind test/http2/wasm_echo_server.ts) on a real
// socket, against Node's http2 client (nghttp2): many concurrent streams, headers that nghttp2's encoder puts in its
// dynamic table and Huffman-codes, bodies larger than every window both ways, trailers, RST_STREAM, GOAWAY and PING
// both ways. Node must report no error, and every byte must arrive (hashes compared).
import assert from "node:assert/strict";
import http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { pattern, sha256, WasmEchoServer } from "./wasm_echo_server.ts";
import { ErrorCodes, Http2Harness } from "./wasm_http2.ts";
import { headerBlocks, representations, splitFrames } from "./wire.ts";

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
  rstCode: number;
}

/**
 * A session whose errors fail the test that looks at `errors`. Node's own limit on what a session buffers (10 MB by
 * default) would reset streams (ENHANCE_YOUR_CALM) when the tests send 200 bodies at once: raised.
 */
function connect(port: number): { session: http2.ClientHttp2Session; errors: string[] } {
  const errors: string[] = [];
  const session = http2.connect(`http://127.0.0.1:${port}`, { maxSessionMemory: 256 });
  session.on("error", (e) => errors.push(`session error: ${e.message}`));
  session.on("frameError", (type, code, id) => errors.push(`frame error: type ${type} code ${code} stream ${id}`));
  return { session, errors };
}

function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer, trailers?: http2.OutgoingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined && trailers === undefined, waitForTrailers: trailers !== undefined });
    const answer: Answer = { status: 0, headers: {}, body: Buffer.alloc(0), trailers: {}, rstCode: 0 };
    const chunks: Buffer[] = [];
    if (trailers) stream.on("wantTrailers", () => stream.sendTrailers(trailers));
    stream.on("response", (h) => {
      answer.headers = h;
      answer.status = Number(h[":status"]);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("trailers", (t) => (answer.trailers = t));
    stream.on("error", () => {}); // a reset stream errors; rstCode says how it ended
    stream.on("close", () => {
      answer.body = Buffer.concat(chunks);
      answer.rstCode = stream.rstCode ?? 0;
      resolve(answer);
    });
    stream.on("aborted", () => {});
    if (body !== undefined || trailers !== undefined) stream.end(body ?? Buffer.alloc(0));
    setTimeout(() => reject(new Error(`no answer to ${headers[":path"]}`)), 20_000).unref();
  });
}

async function closeSession(session: http2.ClientHttp2Session): Promise<void> {
  await new Promise<void>((resolve) => session.close(() => resolve()));
}

describe("the library's HTTP/2 server against Node's http2 client (nghttp2)", { timeout: 120_000 }, () => {
  let harness: Http2Harness;
  let server: WasmEchoServer;

  before(async () => {
    harness = await Http2Harness.load();
    server = await WasmEchoServer.start(harness);
  });

  after(async () => {
    await server.close();
  });

  it("200 concurrent streams with bodies of up to 200 KB each, every byte back", async () => {
    const { session, errors } = connect(server.port);
    const bodies = Array.from({ length: 200 }, (_, i) => pattern((i * 9973) % 200_000));
    const answers = await Promise.all(bodies.map((body) => request(session, { ":method": "POST", ":path": "/echo" }, body)));
    await closeSession(session);
    assert.deepEqual(errors, []);
    answers.forEach((a, i) => {
      assert.equal(a.status, 200);
      assert.equal(a.rstCode, 0);
      assert.equal(a.headers["x-request-sha256"], sha256(bodies[i]));
      assert.equal(sha256(a.body), sha256(bodies[i]), `stream ${i}`);
    });
  });

  it("reads headers nghttp2 sends from its dynamic table and Huffman-coded, and Node reads ours", async () => {
    const { session, errors } = connect(server.port);
    const before = server.endpoints.length;
    const headers = {
      ":method": "GET",
      ":path": "/bytes/10",
      "x-echo-tenant": "acme-corporation-production-eu-west-1",
      "x-echo-trace": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "user-agent": "interop-test/1.0 (node http2; nghttp2)",
    };
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await request(session, { ...headers, "x-echo-round": `round ${i}` }));
    await closeSession(session);
    assert.deepEqual(errors, []);
    answers.forEach((a, i) => {
      assert.equal(a.headers["x-echoed-tenant"], headers["x-echo-tenant"]);
      assert.equal(a.headers["x-echoed-trace"], headers["x-echo-trace"]);
      assert.equal(a.headers["x-echoed-round"], `round ${i}`);
      assert.equal(a.headers["x-powered-by"], "AssemblyScript HTTP/2 and HPACK, Huffman-coded where shorter");
      assert.equal(sha256(a.body), sha256(pattern(10)));
    });
    const sent = representations(headerBlocks(splitFrames(server.endpoints[before].receivedBytes())));
    assert.ok(sent.dynamicIndexed >= 8, `nghttp2 referenced its dynamic table ${sent.dynamicIndexed} times`);
    assert.ok(sent.incremental >= 4, `nghttp2 added ${sent.incremental} fields to its table`);
    assert.ok(sent.huffmanStrings >= 4, `nghttp2 sent ${sent.huffmanStrings} Huffman strings`);
    const ours = representations(headerBlocks(splitFrames(server.endpoints[before].sentBytes())));
    assert.ok(ours.huffmanStrings >= 5 * 6 && ours.withoutIndexing >= 5 * 6, `ours: ${JSON.stringify(ours)}`);
    assert.equal(ours.incremental + ours.dynamicIndexed, 0, "our encoder keeps no table by default");
  });

  it("table sizes both ways: we advertise 0, nghttp2 signals it and stops indexing; our encoder indexes, Node decodes", async () => {
    const small = await WasmEchoServer.start(harness, { headerTableSize: 0, encoderTableSize: 4096 });
    const { session, errors } = connect(small.port);
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await request(session, { ":method": "GET", ":path": "/bytes/3", "x-echo-tenant": "acme-corporation-production", "x-echo-i": String(i) }));
    await closeSession(session);
    const endpoint = small.endpoints[0];
    await small.close();
    assert.deepEqual(errors, []);
    answers.forEach((a, i) => {
      assert.equal(a.headers["x-echoed-tenant"], "acme-corporation-production");
      assert.equal(a.headers["x-echoed-i"], String(i));
      assert.equal(a.headers["x-powered-by"], "AssemblyScript HTTP/2 and HPACK, Huffman-coded where shorter");
    });
    const blocks = headerBlocks(splitFrames(endpoint.receivedBytes()));
    const later = representations(blocks.slice(1));
    assert.ok(representations(blocks).sizeUpdates >= 1, "nghttp2 sent a table size update");
    assert.equal(later.incremental + later.dynamicIndexed, 0, `nghttp2 stopped indexing: ${JSON.stringify(later)}`);
    const ours = representations(headerBlocks(splitFrames(endpoint.sentBytes())));
    assert.ok(ours.incremental >= 4 && ours.dynamicIndexed >= 3 * 4, `our encoder indexed: ${JSON.stringify(ours)}`);
  });

  it("bodies larger than every window, both ways (3 MB up, 3 MB down)", async () => {
    const { session, errors } = connect(server.port);
    const up = pattern(3_000_000);
    const [echo, download] = await Promise.all([
      request(session, { ":method": "POST", ":path": "/echo" }, up),
      request(session, { ":method": "GET", ":path": "/bytes/3000000" }),
    ]);
    await closeSession(session);
    assert.deepEqual(errors, []);
    assert.equal(echo.headers["x-request-bytes"], "3000000");
    assert.equal(sha256(echo.body), sha256(up));
    assert.equal(sha256(download.body), sha256(pattern(3_000_000)));
  });

  it("trailers both ways", async () => {
    const { session, errors } = connect(server.port);
    const body = pattern(100_000);
    const a = await request(session, { ":method": "POST", ":path": "/echo", "x-want-trailers": "1" }, body, { "x-checksum": sha256(body) });
    await closeSession(session);
    assert.deepEqual(errors, []);
    assert.deepEqual(JSON.parse(String(a.headers["x-request-trailers"])), [["x-checksum", sha256(body)]]);
    assert.equal(a.trailers["x-body-sha256"], sha256(body));
    assert.equal(sha256(a.body), sha256(body));
  });

  it("RST_STREAM both ways, the connection going on", async () => {
    const { session, errors } = connect(server.port);
    const reset = await request(session, { ":method": "GET", ":path": "/reset" });
    assert.equal(reset.rstCode, http2.constants.NGHTTP2_CANCEL);
    // A download cancelled while the server still has most of it queued behind the windows.
    const endpoint = server.endpoints[server.endpoints.length - 1];
    const cancelled = session.request({ ":method": "GET", ":path": "/bytes/5000000" });
    cancelled.on("error", () => {});
    await new Promise((resolve) => cancelled.once("data", resolve));
    cancelled.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => cancelled.on("close", resolve));
    const after = await request(session, { ":method": "GET", ":path": "/bytes/5" });
    await closeSession(session);
    assert.deepEqual(errors, []);
    assert.equal(after.status, 200);
    assert.ok(
      endpoint.events.some((e) => e.kind === "reset" && e.stream === cancelled.id && e.code === ErrorCodes.CANCEL && e.byPeer),
      "the server heard Node's RST_STREAM",
    );
    assert.equal(endpoint.connection.queuedBytes, 0, "the cancelled stream's queued data was dropped");
  });

  it("GOAWAY both ways", async () => {
    const first = connect(server.port);
    const goaway = new Promise<number>((resolve) => first.session.on("goaway", (code) => resolve(code)));
    const a = await request(first.session, { ":method": "GET", ":path": "/goaway" });
    assert.equal(a.status, 200);
    assert.equal(await goaway, ErrorCodes.NO_ERROR);
    first.session.destroy();
    assert.deepEqual(first.errors, []);

    const second = connect(server.port);
    await request(second.session, { ":method": "GET", ":path": "/bytes/1" });
    const endpoint = server.endpoints[server.endpoints.length - 1];
    second.session.goaway(ErrorCodes.NO_ERROR);
    await new Promise((resolve) => setTimeout(resolve, 100));
    second.session.destroy();
    assert.deepEqual(second.errors, []);
    assert.ok(endpoint.events.some((e) => e.kind === "goaway" && e.code === 0 && e.lastStreamId === 0), "the server heard Node's GOAWAY");
  });

  it("PING and its acknowledgement, both ways", async () => {
    const { session, errors } = connect(server.port);
    await new Promise((resolve) => session.once("connect", resolve)); // Node cancels a PING sent before
    const nodeHeard = new Promise<Buffer>((resolve) => session.on("ping", (payload: Buffer) => resolve(payload)));
    const payload = Buffer.from("abcdefgh");
    const acked = await new Promise<Buffer>((resolve, reject) => {
      session.ping(payload, (error, _duration, answer) => (error ? reject(error) : resolve(answer)));
    });
    assert.deepEqual(acked, payload);
    await request(session, { ":method": "GET", ":path": "/ping" });
    assert.equal((await nodeHeard).readBigUInt64BE(), 0x1122334455667788n);
    const endpoint = server.endpoints[server.endpoints.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closeSession(session);
    assert.deepEqual(errors, []);
    assert.ok(endpoint.events.some((e) => e.kind === "ping" && !e.ack && e.opaque === payload.readBigUInt64BE()));
    assert.ok(endpoint.events.some((e) => e.kind === "ping" && e.ack && e.opaque === 0x1122334455667788n));
  });
});

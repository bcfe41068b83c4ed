// The library as an HTTP/2 client (build/test/http2_harness.wasm behind test/http2/wasm_client.ts) on a real
// socket, against Node's http2 server (nghttp2): many concurrent streams, response headers nghttp2 puts in its
// dynamic table and Huffman-codes, bodies larger than every window both ways, trailers, RST_STREAM, GOAWAY and PING
// both ways. Node must report no error, and every byte must arrive (hashes compared).
import assert from "node:assert/strict";
import http2 from "node:http2";
import { after, before, describe, it } from "node:test";
import { WasmClient } from "./wasm_client.ts";
import { pattern, sha256 } from "./wasm_echo_server.ts";
import { ErrorCodes, header, Http2Harness, type Header } from "./wasm_http2.ts";
import { headerBlocks, representations, splitFrames } from "./wire.ts";

/** Response headers Node sends on every answer: nghttp2 indexes them once, then refers to its dynamic table. */
const REPEATED: http2.OutgoingHttpHeaders = {
  "content-type": "application/octet-stream",
  "x-service-version": "payments-service/2024.11.3 (build 7f3a9c1)",
  "x-cluster": "production-eu-west-1b",
  "cache-control": "private, max-age=0, no-store",
};

/** What Node's server saw of a stream. */
interface Seen {
  headers: http2.IncomingHttpHeaders;
  rstCode?: number;
}

/**
 * Node's http2 server: /echo answers the body, /bytes/N sends N bytes of pattern(N), /reset refuses the stream,
 * /goaway answers then sends GOAWAY, /ping answers then pings. Answers carry REPEATED, x-request-bytes,
 * x-request-sha256 and x-request-trailers; x-want-trailers: 1 adds trailers.
 */
class NodeServer {
  readonly errors: string[] = [];
  readonly seen: Seen[] = [];
  readonly goaways: number[] = [];
  readonly pings: Buffer[] = [];
  readonly pingAcks: Promise<Buffer>[] = [];
  private readonly server = http2.createServer({ maxSessionMemory: 256 });
  private readonly sessions: http2.ServerHttp2Session[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server.on("sessionError", (e) => this.errors.push(`session error: ${e.message}`));
    this.server.on("session", (session) => {
      this.sessions.push(session);
      session.on("error", (e) => this.errors.push(`session error: ${e.message}`));
      session.on("frameError", (type, code, id) => this.errors.push(`frame error: type ${type} code ${code} stream ${id}`));
      session.on("goaway", (code) => this.goaways.push(code));
      session.on("ping", (payload: Buffer) => this.pings.push(payload));
    });
    this.server.on("stream", (stream, headers) => this.serve(stream, headers));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const seen: Seen = { headers };
    this.seen.push(seen);
    stream.on("close", () => (seen.rstCode = stream.rstCode));
    stream.on("error", () => {});
    const path = String(headers[":path"]);
    if (path === "/reset") {
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      if (stream.destroyed) return;
      const received = Buffer.concat(chunks);
      const body = path === "/echo" ? received : path.startsWith("/bytes/") ? pattern(Number(path.slice(7))) : Buffer.alloc(0);
      const wantsTrailers = headers["x-want-trailers"] === "1";
      const receivedTrailers = Object.entries(trailers).filter(([name]) => !name.startsWith(":"));
      stream.respond(
        { ":status": 200, ...REPEATED, "x-request-bytes": received.length, "x-request-sha256": sha256(received), "x-request-trailers": JSON.stringify(receivedTrailers) },
        { waitForTrailers: wantsTrailers },
      );
      if (wantsTrailers) stream.on("wantTrailers", () => stream.sendTrailers({ "x-body-sha256": sha256(body) }));
      stream.end(body);
      if (path === "/goaway") stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR);
      if (path === "/ping") {
        this.pingAcks.push(
          new Promise((resolve, reject) => stream.session?.ping(Buffer.from("nodeping"), (error, _d, payload) => (error ? reject(error) : resolve(payload)))),
        );
      }
    });
  }
}

const POST = (path: string, extra: Header[] = []): Header[] => [[":method", "POST"], [":scheme", "http"], [":path", path], [":authority", "node-server"], ...extra];
const GET = (path: string, extra: Header[] = []): Header[] => [[":method", "GET"], [":scheme", "http"], [":path", path], [":authority", "node-server"], ...extra];

describe("the library's HTTP/2 client against Node's http2 server (nghttp2)", { timeout: 120_000 }, () => {
  let harness: Http2Harness;
  let node: NodeServer;

  before(async () => {
    harness = await Http2Harness.load();
    node = new NodeServer();
    await node.start();
  });

  after(async () => {
    await node.close();
    assert.deepEqual(node.errors, [], "Node reported no error");
  });

  it("200 concurrent streams with bodies of up to 200 KB each, every byte back", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const bodies = Array.from({ length: 200 }, (_, i) => pattern((i * 7919) % 200_000));
    const answers = await Promise.all(bodies.map((body) => client.request(POST("/echo"), body).answer));
    client.close();
    answers.forEach((a, i) => {
      assert.equal(header(a.headers, ":status"), "200");
      assert.equal(a.resetCode, undefined);
      assert.equal(header(a.headers, "x-request-sha256"), sha256(bodies[i]));
      assert.equal(sha256(a.body), sha256(bodies[i]), `stream ${a.stream}`);
    });
    assert.equal(client.events.filter((e) => e.kind === "error").length, 0);
  });

  it("decodes Node's responses from nghttp2's dynamic table and Huffman strings", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await client.request(GET(`/bytes/${i}`, [["x-round", String(i)]])).answer);
    client.close();
    for (const a of answers) {
      for (const [name, value] of Object.entries(REPEATED)) assert.equal(header(a.headers, name), value);
    }
    const sent = representations(headerBlocks(splitFrames(client.endpoint.receivedBytes())));
    assert.ok(sent.dynamicIndexed >= 4 * 4, `nghttp2 referenced its dynamic table ${sent.dynamicIndexed} times`);
    assert.ok(sent.huffmanStrings >= 4, `nghttp2 sent ${sent.huffmanStrings} Huffman strings`);
    const seen = node.seen.slice(-5);
    seen.forEach((s, i) => assert.equal(s.headers["x-round"], String(i)));
  });

  it("table sizes both ways: we advertise 0, nghttp2 signals it and stops indexing; our encoder indexes, Node decodes", async () => {
    const client = await WasmClient.connect(harness, node.port, { headerTableSize: 0, encoderTableSize: 4096 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await client.request(GET(`/bytes/${i}`, [["x-tenant", "acme-corporation-production"], ["x-i", String(i)]])).answer);
    client.close();
    for (const a of answers) for (const [name, value] of Object.entries(REPEATED)) assert.equal(header(a.headers, name), value);
    node.seen.slice(-4).forEach((s, i) => {
      assert.equal(s.headers["x-tenant"], "acme-corporation-production");
      assert.equal(s.headers["x-i"], String(i));
    });
    const blocks = headerBlocks(splitFrames(client.endpoint.receivedBytes()));
    assert.ok(representations(blocks).sizeUpdates >= 1, "nghttp2 sent a table size update");
    const later = representations(blocks.slice(1));
    assert.equal(later.incremental + later.dynamicIndexed, 0, `nghttp2 stopped indexing: ${JSON.stringify(later)}`);
    const ours = representations(headerBlocks(splitFrames(client.endpoint.sentBytes())));
    assert.ok(ours.incremental >= 3 && ours.dynamicIndexed >= 2 * 3, `our encoder indexed: ${JSON.stringify(ours)}`);
  });

  it("bodies larger than every window, both ways (3 MB up, 3 MB down)", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const up = pattern(3_000_000);
    const [echo, download] = await Promise.all([client.request(POST("/echo"), up).answer, client.request(GET("/bytes/3000000")).answer]);
    client.close();
    assert.equal(header(echo.headers, "x-request-bytes"), "3000000");
    assert.equal(sha256(echo.body), sha256(up));
    assert.equal(sha256(download.body), sha256(pattern(3_000_000)));
  });

  it("trailers both ways", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const body = pattern(100_000);
    const a = await client.request(POST("/echo", [["x-want-trailers", "1"]]), body, [["x-checksum", sha256(body)]]).answer;
    client.close();
    assert.deepEqual(JSON.parse(header(a.headers, "x-request-trailers")!), [["x-checksum", sha256(body)]]);
    assert.deepEqual(a.trailers, [["x-body-sha256", sha256(body)]]);
    assert.equal(sha256(a.body), sha256(body));
  });

  it("RST_STREAM both ways, the connection going on", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const refused = await client.request(GET("/reset")).answer;
    assert.equal(refused.resetCode, ErrorCodes.REFUSED_STREAM);
    // An upload we cancel half-way.
    const stream = client.connection.submitRequest(POST("/echo"), false);
    client.connection.submitData(stream, pattern(1000), false);
    client.endpoint.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(client.connection.submitReset(stream, ErrorCodes.CANCEL));
    client.endpoint.flush();
    const after = await client.request(GET("/bytes/5")).answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.close();
    assert.equal(sha256(after.body), sha256(pattern(5)));
    assert.equal(node.seen.find((s) => s.headers[":path"] === "/echo" && s.rstCode === http2.constants.NGHTTP2_CANCEL) !== undefined, true, "Node saw our RST_STREAM");
  });

  it("GOAWAY both ways", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const goaway = client.next((e) => e.kind === "goaway");
    const a = await client.request(GET("/goaway")).answer;
    assert.equal(header(a.headers, ":status"), "200");
    const event = await goaway;
    assert.ok(event.kind === "goaway" && event.code === ErrorCodes.NO_ERROR && event.lastStreamId === a.stream);
    assert.equal(client.connection.submitRequest(GET("/"), true), 0, "no new stream after GOAWAY");
    client.close();

    const second = await WasmClient.connect(harness, node.port);
    await second.request(GET("/bytes/1")).answer;
    const before = node.goaways.length;
    second.connection.submitGoAway(ErrorCodes.NO_ERROR);
    second.endpoint.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    second.close();
    assert.deepEqual(node.goaways.slice(before), [ErrorCodes.NO_ERROR], "Node heard our GOAWAY");
  });

  it("PING and its acknowledgement, both ways", async () => {
    const client = await WasmClient.connect(harness, node.port);
    const ack = client.next((e) => e.kind === "ping" && e.ack);
    client.connection.submitPing(0x0102030405060708n);
    client.endpoint.flush();
    const acked = await ack;
    assert.ok(acked.kind === "ping" && acked.opaque === 0x0102030405060708n);
    const pinged = client.next((e) => e.kind === "ping" && !e.ack);
    await client.request(GET("/ping")).answer;
    const ping = await pinged;
    assert.ok(ping.kind === "ping" && ping.opaque === Buffer.from("nodeping").readBigUInt64BE());
    assert.deepEqual(await node.pingAcks[node.pingAcks.length - 1], Buffer.from("nodeping"), "Node got our acknowledgement");
    client.close();
    assert.ok(node.pings.some((p) => p.readBigUInt64BE() === 0x0102030405060708n), "Node heard our PING");
  });
});

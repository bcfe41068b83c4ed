// Slow and hostile peers, through build/awesomerpc.wasm on the bundled host (envoy/awesomerpc.yaml with
// max_frame_size 64 KiB; tcp_proxy idle_timeout 1 s for the frame never finished, so that it ends within the test):
// each case has a bounded outcome, asserted with the filter's counters.
//
//   one byte at a time            every request reassembled and answered; nothing counted as an error
//   header announcing the maximum the partial frame is held in the filter (the server sees nothing); a frame of
//   and never finishing           exactly max_frame_size completes when its last byte comes; one byte more is
//                                 refused at once (connection closed, request_decoding_error); a frame left
//                                 unfinished stays held until tcp_proxy's idle timeout closes the connection
//                                 (cx_incomplete_frame_at_close)
//   10,000 requests in flight     all tracked (request_active reaches 10,000), all answered and matched; the
//   on one connection             10,001st is forwarded untracked (request_untracked) and its answer counted as
//                                 response_unmatched
//   a server answering out of     every response matched to its request; an unsolicited response id is forwarded
//   order                         and counted as response_unmatched
//   a server closing mid-frame    the partial response is not delivered; the server's FIN reaches the client, whose
//                                 connection closes with its call in flight (cx_incomplete_frame_at_close,
//                                 cx_destroy_remote_with_active_rq)
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { bootstrapFor, eventually, startTestHost, type RunningHost, total } from "../e2e/host_fixture.ts";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { encodeFrame, FrameReader, HEADER_SIZE, type AwesomeRpcFrame } from "../peers/awesomerpc/protocol.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";

const PLUGIN = { protocol: "awesomerpc", statPrefix: "hostile" };
const MAX_FRAME_SIZE = 65536;
const PLUGIN_CONFIGURATION = JSON.stringify({ stat_prefix: "hostile", max_frame_size: MAX_FRAME_SIZE });

function hostConfig(upstreamPort: number, idleTimeout?: string): any {
  const config = bootstrapFor("envoy/awesomerpc.yaml", upstreamPort, PLUGIN_CONFIGURATION);
  for (const filter of config.static_resources.listeners[0].filter_chains[0].filters) {
    if (filter.name === "envoy.filters.network.tcp_proxy" && idleTimeout) filter.typed_config.idle_timeout = idleTimeout;
  }
  return config;
}

/** Counters and gauges of the filter, read from the admin's Prometheus page. */
async function counters(host: RunningHost): Promise<Record<string, number>> {
  const text = await host.prometheus();
  const names = [
    "request",
    "response",
    "response_success",
    "request_decoding_error",
    "response_decoding_error",
    "response_unmatched",
    "request_untracked",
    "request_active",
    "cx_incomplete_frame_at_close",
    "cx_destroy_local_with_active_rq",
    "cx_destroy_remote_with_active_rq",
  ];
  return Object.fromEntries(names.map((n) => [n, total(text, PLUGIN, n) ?? 0]));
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
}

/** A raw client socket, for writes the sample client does not make. */
async function rawClient(port: number): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
  const chunks: Buffer[] = [];
  socket.on("data", (c) => chunks.push(c));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received: () => Buffer.concat(chunks), closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(requestId: number, command: number, body: string | Buffer): Buffer {
  return encodeFrame({ requestId, command, responseCode: 0, body: typeof body === "string" ? Buffer.from(body) : body });
}

describe("hostile peers through the awesomerpc filter", { timeout: 60_000 }, () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    host = await startTestHost(hostConfig(server.port), "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("a client writing one byte at a time: requests reassembled, answered, no error", async () => {
    const before = await counters(host);
    const receivedBefore = server.received.length;
    const { socket, received } = await rawClient(host.port);
    const bytes = Buffer.concat([request(1, Command.Echo, "one byte at a time"), request(2, Command.Upper, "slow")]);
    for (const byte of bytes) {
      socket.write(Buffer.of(byte));
      await sleep(2);
    }
    await eventually(() => new FrameReader().push(received()).length === 2, "both answers", 5000);
    const answers = new FrameReader().push(received());
    assert.deepEqual(answers.map((f) => [f.requestId, f.body.toString()]), [[1, "one byte at a time"], [2, "SLOW"]]);
    assert.deepEqual(server.received.slice(receivedBefore).map((f) => f.body.toString()), ["one byte at a time", "slow"]);
    socket.destroy();
    await eventually(async () => (await counters(host)).request_active === 0, "request_active back to 0");
    const d = diff(await counters(host), before);
    assert.equal(d.request, 2);
    assert.equal(d.response_success, 2);
    assert.equal(d.request_decoding_error, 0);
    assert.equal(d.cx_incomplete_frame_at_close, 0);
  });

  it("a header announcing max_frame_size: held, not forwarded, completed by its last byte", async () => {
    const before = await counters(host);
    const receivedBefore = server.received.length;
    const body = Buffer.alloc(MAX_FRAME_SIZE - HEADER_SIZE, 0x61);
    const frame = request(10, Command.Echo, body);
    assert.equal(frame.length, MAX_FRAME_SIZE);
    const { socket, received, closed } = await rawClient(host.port);
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    socket.write(frame.subarray(0, frame.length - 1));
    await sleep(300);
    assert.equal(isClosed, false, "the connection stays open while the frame is within max_frame_size");
    assert.equal(server.received.length, receivedBefore, "nothing of the partial frame reached the server");
    socket.write(frame.subarray(frame.length - 1));
    await eventually(() => received().length >= MAX_FRAME_SIZE, "the echo of the whole frame", 5000);
    const [answer] = new FrameReader().push(received());
    assert.equal(answer.requestId, 10);
    assert.equal(answer.body.length, body.length);
    socket.destroy();
    const d = diff(await counters(host), before);
    assert.equal(d.request, 1);
    assert.equal(d.request_decoding_error, 0);
  });

  it("a header announcing one byte over max_frame_size: closed at once, counted, nothing forwarded", async () => {
    const before = await counters(host);
    const receivedBefore = server.received.length;
    const header = request(11, Command.Echo, "");
    header.writeUInt32BE(MAX_FRAME_SIZE + 1, 5);
    const { socket, closed } = await rawClient(host.port);
    socket.write(header);
    await closed;
    assert.equal(server.received.length, receivedBefore);
    const d = diff(await counters(host), before);
    assert.equal(d.request_decoding_error, 1);
    assert.equal(d.request, 0);
    assert.ok(host.logs.some((l) => l.includes("closed: frame larger than max_frame_size")));
  });

  it("a frame never finished: held until tcp_proxy's idle timeout closes the connection", async () => {
    const idleHost = await startTestHost(hostConfig(server.port, "1s"), "awesomerpc");
    try {
      const before = await counters(idleHost);
      const receivedBefore = server.received.length;
      const frame = request(12, Command.Echo, Buffer.alloc(MAX_FRAME_SIZE - HEADER_SIZE, 0x62));
      const { socket, closed } = await rawClient(idleHost.port);
      socket.write(frame.subarray(0, 1000)); // announces 64 KiB, sends 1000 bytes, then nothing
      const started = Date.now();
      await closed;
      const heldMs = Date.now() - started;
      assert.ok(heldMs >= 900 && heldMs < 5000, `closed after ${heldMs} ms (idle_timeout 1 s)`);
      assert.equal(server.received.length, receivedBefore, "the server never saw the partial frame");
      await eventually(async () => diff(await counters(idleHost), before).cx_incomplete_frame_at_close === 1, "cx_incomplete_frame_at_close");
      const d = diff(await counters(idleHost), before);
      assert.equal(d.request, 0);
      assert.equal(d.request_decoding_error, 0);
    } finally {
      await idleHost.stop();
    }
  });

  it("10,000 requests in flight on one connection: all tracked and matched; the 10,001st untracked", async () => {
    const before = await counters(host);
    const logBefore = host.accessLog().length;
    const client = await AwesomeRpcClient.connect(host.port);
    const total = 10_001;
    const calls = Array.from({ length: total }, () => client.call(Command.Delay, "3000"));
    await eventually(async () => diff(await counters(host), before).request === total, "every request through the filter", 10_000);
    const inFlight = await counters(host);
    assert.equal(inFlight.request_active - before.request_active, 10_000, "request_active with every request in flight");
    assert.equal(inFlight.request_untracked - before.request_untracked, 1);
    const replies = await Promise.all(calls);
    assert.ok(replies.every((r) => r.responseCode === 0 && r.body === "3000"));
    client.close();
    await eventually(async () => (await counters(host)).request_active === before.request_active, "request_active back", 5000);
    const d = diff(await counters(host), before);
    assert.equal(d.response_success, total - 1, "every tracked request's response");
    assert.equal(d.response_unmatched, 1, "the answer to the untracked request, counted as unmatched only");
    assert.equal(host.accessLog().length - logBefore, 10_000);
  });

  it("a server answering out of order: every response matched to its request", async () => {
    const before = await counters(host);
    const logBefore = host.accessLog().length;
    const client = await AwesomeRpcClient.connect(host.port);
    const delays = Array.from({ length: 50 }, (_, i) => 250 - 5 * i); // later requests answered first
    const replies = await Promise.all(delays.map((ms) => client.call(Command.Delay, String(ms))));
    replies.forEach((r, i) => assert.equal(r.body, String(delays[i])));
    client.close();
    const d = diff(await counters(host), before);
    assert.equal(d.response_success, 50);
    assert.equal(d.response_unmatched, 0);
    const lines = host.accessLog().slice(logBefore);
    assert.equal(lines.length, 50);
    // The access log is written as responses arrive: the last request first.
    assert.match(lines[0], /request_id=50 cmd=3 .* response=ok /);
  });
});

describe("hostile servers behind the awesomerpc filter", { timeout: 30_000 }, () => {
  /** A server that answers each request with `answer(request, socket)`. */
  async function hostileServer(answer: (request: AwesomeRpcFrame, socket: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      const reader = new FrameReader();
      socket.on("data", (chunk) => {
        for (const frame of reader.push(chunk)) answer(frame, socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it("an unsolicited response: forwarded, counted as response_unmatched", async () => {
    const upstream = await hostileServer((req, socket) => {
      socket.write(encodeFrame({ requestId: 999_999, command: req.command, responseCode: 0, body: Buffer.from("nobody asked") }));
      socket.write(encodeFrame({ requestId: req.requestId, command: req.command, responseCode: 0, body: req.body }));
    });
    const host = await startTestHost(hostConfig(upstream.port), "awesomerpc");
    try {
      const before = await counters(host);
      const { socket, received } = await rawClient(host.port);
      socket.write(request(5, Command.Echo, "hi"));
      await eventually(() => new FrameReader().push(received()).length === 2, "both frames");
      assert.deepEqual(new FrameReader().push(received()).map((f) => f.requestId), [999_999, 5]);
      socket.destroy();
      const d = diff(await counters(host), before);
      assert.equal(d.response_unmatched, 1);
      assert.equal(d.response_success, 1, "only the response to a request in flight counts as a response");
      assert.equal(d.response, 1);
      assert.equal(host.accessLog().length, 1);
    } finally {
      await host.stop();
      await upstream.close();
    }
  });

  it("a server closing mid-frame: the partial response is not delivered, the client's connection closes", async () => {
    const upstream = await hostileServer((req, socket) => {
      const reply = encodeFrame({ requestId: req.requestId, command: req.command, responseCode: 0, body: Buffer.from("cut short") });
      socket.end(reply.subarray(0, 7)); // the header's first 7 bytes, then FIN
    });
    const host = await startTestHost(hostConfig(upstream.port), "awesomerpc");
    try {
      const before = await counters(host);
      const { socket, received, closed } = await rawClient(host.port);
      socket.write(request(6, Command.Echo, "please"));
      await closed;
      assert.equal(received().length, 0, "no byte of the partial response reached the client");
      await eventually(async () => (await counters(host)).request_active === before.request_active, "request_active back");
      const d = diff(await counters(host), before);
      assert.equal(d.request, 1);
      assert.equal(d.response, 0);
      assert.equal(d.response_decoding_error, 0);
      assert.equal(d.cx_incomplete_frame_at_close, 1);
      // tcp_proxy passes the server's FIN on to the client (a half-close); the client closes its side, so the
      // request dies with a remote close.
      assert.equal(d.cx_destroy_remote_with_active_rq, 1);
      assert.equal(d.cx_destroy_local_with_active_rq, 0);
    } finally {
      await host.stop();
      await upstream.close();
    }
  });
});

describe("frame_timeout: a partial frame that waits too long for its rest", { timeout: 30_000 }, () => {
  let server: AwesomeRpcServer;
  let host: RunningHost;

  before(async () => {
    server = await startAwesomeRpcServer();
    const config = bootstrapFor("envoy/awesomerpc.yaml", server.port, JSON.stringify({ stat_prefix: "hostile", frame_timeout: "0.4s" }));
    host = await startTestHost(config, "awesomerpc");
  });
  after(async () => {
    await host?.stop();
    await server?.close();
  });

  it("closes a connection whose frame never finishes, well before any idle timeout, and counts it", async () => {
    const frame = request(1, Command.Echo, Buffer.alloc(1000, 0x62));
    const { socket, closed } = await rawClient(host.port);
    const t0 = Date.now();
    socket.write(frame.subarray(0, 500));
    await closed;
    const waited = Date.now() - t0;
    assert.ok(waited >= 350 && waited < 3000, `closed after ${waited} ms`);
    assert.equal(server.received.length, 0);
    assert.equal(total(await host.prometheus(), PLUGIN, "cx_frame_timeout"), 1);
  });

  it("leaves a busy connection alone: frames split across reads keep completing, each partial one waits briefly", async () => {
    const before = total(await host.prometheus(), PLUGIN, "cx_frame_timeout") ?? 0;
    const { socket, received, closed } = await rawClient(host.port);
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    const frames = Buffer.concat(Array.from({ length: 20 }, (_, i) => request(i + 1, Command.Echo, `busy-${i}`)));
    // Every read ends inside a frame, for 1.2 s in all (three frame_timeouts).
    const step = Math.floor(frames.length / 20) + 3;
    for (let at = 0; at < frames.length; at += step) {
      socket.write(frames.subarray(at, Math.min(at + step, frames.length)));
      await sleep(60);
    }
    await eventually(() => new FrameReader().push(received()).length === 20, "all 20 answers", 5000);
    assert.equal(isClosed, false);
    socket.destroy();
    assert.equal(total(await host.prometheus(), PLUGIN, "cx_frame_timeout") ?? 0, before);
  });
});

// Bridge mode in process: the wasm cost of one Dubbo call through both sides of the bridge, request and response.
// Two plugins of build/dubbo.wasm, a client side and a server side, each driven through a DrivenConnection:
//   client side, read path:  Dubbo requests -> HTTP/2 requests
//   server side, read path:  those HTTP/2 bytes -> Dubbo requests with the stream ids as request ids
//   (a stand-in server answers each with the workload's response, carrying that id)
//   server side, write path: the Dubbo responses -> HTTP/2 responses
//   client side, write path: those HTTP/2 bytes -> Dubbo responses with the client's request ids
// In Envoy the HTTP connection manager and the router sit between the two sides (they decode and re-encode the
// headers, and add their own); here the client side's HTTP/2 goes straight into the server side, so what is timed is
// both sides' wasm (and the host's ABI calls), not Envoy's HTTP/2 work. The first exchange of a connection pair
// carries the HTTP/2 handshake (prefaces, SETTINGS, a heartbeat carrier for the server side's SETTINGS), so a pair
// is checked on two exchanges before it is timed, and on one more after.
import { DrivenConnection, type DrivenPlugin } from "./driver.ts";
import { plugin } from "./in_process.ts";
import { nsPerIteration, nsPerPhase, type TimingOptions } from "./timing.ts";
import { batch, type Workload } from "./workloads.ts";

export interface BridgeResult {
  readonly workload: string;
  readonly perEvent: number;
  /** Fastest sample, ns per call (its request and its response, both sides). */
  readonly nsPerRequest: number;
  readonly medianNsPerRequest: number;
  /** The split by side (64 per event only): the client side's two data events, the server side's two. */
  readonly clientNs?: number;
  readonly serverNs?: number;
  /** Carriers the server side sent (heartbeats to make the server answer while HTTP/2 frames waited). */
  readonly carriers: number;
}

const AUTHORITY = "provider.bench.local";
const CLIENT_SIDE = { stat_prefix: "bench_client", mode: "bridge", bridge: { side: "client", authority: AUTHORITY } };
const SERVER_SIDE = { stat_prefix: "bench_server", mode: "bridge", bridge: { side: "server" } };

const DUBBO_HEADER = 16;
const DUBBO_ID = 4;
const FLAG_EVENT = 0x20;

/** A Dubbo heartbeat answer (event flag, hessian2, status OK, a null body): what a provider sends back to a carrier. */
function heartbeatAnswer(id: bigint): Buffer {
  const frame = Buffer.from([0xda, 0xbb, FLAG_EVENT | 0x02, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x4e]);
  frame.writeBigUInt64BE(id, DUBBO_ID);
  return frame;
}

/** The Dubbo frames of `bytes`, whole. */
function dubboFrames(bytes: Uint8Array): Buffer[] {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const frames: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const size = DUBBO_HEADER + all.readUInt32BE(at + 12);
    if (at + size > all.length) throw new Error("the server side handed on a partial Dubbo frame");
    frames.push(all.subarray(at, at + size));
    at += size;
  }
  return frames;
}

/** A client-side connection and a server-side connection, and the next stream id the client side will open. */
class BridgePair {
  readonly client: DrivenConnection;
  readonly server: DrivenConnection;
  nextStreamId = 1;

  constructor(
    readonly clientPlugin: DrivenPlugin,
    readonly serverPlugin: DrivenPlugin,
    readonly w: Workload,
    readonly perEvent: number,
  ) {
    this.client = clientPlugin.connect();
    this.server = serverPlugin.connect();
    this.client.start();
    this.server.start();
  }

  /**
   * One exchange of `perEvent` calls answered by a stand-in server that reads what the server side sent; throws
   * unless the server got the requests with the stream ids as ids, and the client its responses with its own ids.
   */
  checkedExchange(): void {
    const w = this.w;
    const problems: string[] = [];
    const before = this.counters();
    const toServer = dubboFrames(this.server.readThrough(this.client.readThrough(batch(w, w.request, this.perEvent))));
    const answers: Buffer[] = [];
    let calls = 0;
    for (const frame of toServer) {
      const id = frame.readBigUInt64BE(DUBBO_ID);
      if (frame[2] & FLAG_EVENT) {
        answers.push(heartbeatAnswer(id));
        continue;
      }
      const streamId = this.nextStreamId + 2 * calls++;
      if (id !== BigInt(streamId)) problems.push(`call ${calls} reached the server with id ${id}, expected stream id ${streamId}`);
      else if (!frame.equals(w.withId(w.request, streamId))) problems.push(`call ${calls} reached the server changed beyond its id`);
      answers.push(w.withId(w.response, streamId));
    }
    if (calls !== this.perEvent) problems.push(`${calls} calls reached the server, expected ${this.perEvent}`);
    this.nextStreamId += 2 * calls;
    const toClient = this.client.writeThrough(this.server.writeThrough(Buffer.concat(answers)));
    if (!Buffer.from(toClient).equals(batch(w, w.response, this.perEvent))) problems.push("the client did not get the responses with its own ids, bodies intact");
    const after = this.counters();
    for (const [name, value] of Object.entries(after)) {
      if (value - before[name] !== this.perEvent) problems.push(`${name} +${value - before[name]}, expected +${this.perEvent}`);
    }
    this.checkAlive(problems);
  }

  /** Time per iteration of `perEvent` calls, the server's answers prepared once with their ids set per iteration. */
  time(timing: TimingOptions): { best: number; median: number; calls: number } {
    const { w, perEvent, client, server } = this;
    const requests = batch(w, w.request, perEvent);
    const answers = batch(w, w.response, perEvent);
    let calls = 0;
    const t = nsPerIteration((n) => {
      for (let i = 0; i < n; i++) {
        server.readThrough(client.readThrough(requests));
        this.setAnswerIds(answers);
        client.writeThrough(server.writeThrough(answers));
      }
      calls += n * perEvent;
    }, timing);
    return { ...t, calls };
  }

  /** The split by side: each side's two data events timed apart. */
  split(timing: TimingOptions): { clientNs: number; serverNs: number; calls: number } {
    const { w, perEvent, client, server } = this;
    const requests = batch(w, w.request, perEvent);
    const answers = batch(w, w.response, perEvent);
    let http2Requests: Uint8Array;
    let http2Responses: Uint8Array;
    const phases = nsPerPhase(
      [
        () => (http2Requests = client.readThrough(requests)),
        () => {
          server.readThrough(http2Requests);
          this.setAnswerIds(answers);
          http2Responses = server.writeThrough(answers);
        },
        () => client.writeThrough(http2Responses),
      ],
      timing,
    );
    const [clientRequests, serverSide, clientResponses] = phases.ns;
    return { clientNs: (clientRequests + clientResponses) / perEvent, serverNs: serverSide / perEvent, calls: phases.rounds * perEvent };
  }

  /** Gives the prepared answers the stream ids of this iteration's calls (all answers have the workload's length). */
  private setAnswerIds(answers: Buffer): void {
    const size = this.w.response.length;
    for (let at = 0; at < answers.length; at += size) {
      answers.writeUInt32BE(this.nextStreamId, at + DUBBO_ID + 4); // stream ids stay below 2^31: the high half is 0
      this.nextStreamId += 2;
    }
  }

  /** Throws when either connection closed, either VM trapped, or the timed calls did not all complete. */
  checkAfterTiming(calls: number, before: Record<string, number>): void {
    const problems: string[] = [];
    const after = this.counters();
    for (const [name, value] of Object.entries(after)) {
      if (value - before[name] !== calls) problems.push(`${name} +${value - before[name]} over the timed loop, expected +${calls}`);
    }
    this.checkAlive(problems);
  }

  /** The counters every call moves by one: requests and successful responses on each side. */
  counters(): Record<string, number> {
    return {
      "client request": this.clientPlugin.counter("request"),
      "client response_success": this.clientPlugin.counter("response_success"),
      "server request": this.serverPlugin.counter("request"),
      "server response_success": this.serverPlugin.counter("response_success"),
    };
  }

  close(): void {
    this.client.closeRemote();
    this.server.closeRemote();
  }

  private checkAlive(problems: string[]): void {
    if (this.client.closed || this.server.closed) problems.push("a side closed its connection");
    for (const p of [this.clientPlugin, this.serverPlugin]) {
      if (p.trapCount > 0) problems.push(`a VM trapped: ${p.errors.join(" | ")}`);
    }
    if (problems.length > 0) throw new Error(`bridge ${this.w.name}, ${this.perEvent}/event: ${problems.join("; ")}`);
  }
}

export async function measureBridge(w: Workload, perEvent: number, timing: TimingOptions): Promise<BridgeResult> {
  if (w.module !== "dubbo") throw new Error(`the bridge bench speaks Dubbo, not ${w.module}`);
  const clientPlugin = await plugin(`build/${w.module}.wasm`, w.module, CLIENT_SIDE);
  const serverPlugin = await plugin(`build/${w.module}.wasm`, w.module, SERVER_SIDE);
  const carriersBefore = serverPlugin.counter("bridge_carrier");
  const pair = new BridgePair(clientPlugin, serverPlugin, w, perEvent);
  pair.checkedExchange(); // the handshake rides on this one
  pair.checkedExchange(); // the steady state the timed loop repeats
  let before = pair.counters();
  const t = pair.time(timing);
  pair.checkAfterTiming(t.calls, before);
  let split: { clientNs: number; serverNs: number } | undefined;
  if (perEvent > 1) {
    // Timers cost ~150 ns each here: only worth it when one data event carries 64 calls.
    before = pair.counters();
    const s = pair.split(timing);
    pair.checkAfterTiming(s.calls, before);
    split = s;
  }
  pair.checkedExchange();
  pair.close();
  return {
    workload: w.name,
    perEvent,
    nsPerRequest: t.best / perEvent,
    medianNsPerRequest: t.median / perEvent,
    clientNs: split?.clientNs,
    serverNs: split?.serverNs,
    carriers: serverPlugin.counter("bridge_carrier") - carriersBefore,
  };
}

// make bench, section E: the HTTP/2 library (build/test/http2_harness.wasm) as the bridge will use it.
//   - decoding a typical Envoy response header block as nghttp2 encodes it (recorded from Node's http2, nghttp2 as
//     in Envoy): the first one on a connection (literals added to the table, Huffman) and a repeated one (indices);
//   - encoding a typical bridge request header block (no table, Huffman: the library's default);
//   - a whole exchange in wasm, library client to library server: request headers + body, response headers + body
//     (4 frames), at 1 and 64 requests per round, with the default encoder (no table) and with 4 KiB encoder
//     tables (repeated headers become indices); per frame is a quarter of it;
//   - memory of an idle client and an idle server connection after the SETTINGS exchange;
//   - module sizes with the library's client and server paths linked into each protocol module.
// Every scenario is checked before it is timed (no decode failure, every response arrived).
import { statSync } from "node:fs";
import type http2 from "node:http2";
import { call, recordConversation } from "../http2/record.ts";
import { encodeHeaders, Http2Harness, type Header } from "../http2/wasm_http2.ts";
import { headerBlocks, representations, splitFrames } from "../http2/wire.ts";
import { GrowthTracker } from "./memory.ts";
import { compileEntry } from "./passthrough/compile.ts";
import { nsPerIteration, type TimingOptions } from "./timing.ts";
import { typicalDubboRequest } from "./workloads.ts";

export interface Http2Row {
  readonly name: string;
  readonly nsPerOp: number;
  readonly medianNs: number;
  readonly note: string;
}

export interface Http2Memory {
  readonly role: "client" | "server";
  /** Bytes of linear memory per idle connection (see GrowthTracker), or undefined when memory grew too little. */
  readonly bytesPerConnection?: number;
  readonly connections: number;
}

export interface Http2Size {
  readonly module: string;
  readonly alone: number;
  readonly withLibrary: number;
}

/** The body of every bridged message here: a typical Dubbo request frame (~280 bytes). */
const BODY = typicalDubboRequest();

/** What HCM sends back for a bridged call: the upstream's status, content type and length, and what Envoy adds. */
const ENVOY_RESPONSE: http2.OutgoingHttpHeaders = {
  ":status": 200,
  "content-type": "application/x-dubbo",
  "content-length": String(BODY.length),
  date: "Tue, 02 Dec 2025 01:02:03 GMT",
  server: "envoy",
  "x-envoy-upstream-service-time": "3",
};

/** A bridged Dubbo call as the client side will send it to HCM. */
export const BRIDGE_REQUEST: Header[] = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/com.example.DemoService/sayHello"],
  [":authority", "dubbo.bridge"],
  ["content-type", "application/x-dubbo"],
  ["te", "trailers"],
  ["x-dubbo-version", "2.0.2"],
  ["x-dubbo-service-version", "1.0.0"],
  ["x-request-id", "9c7b8a1e-2f4d-4e3a-8b5c-6d7e8f9a0b1c"],
];

const IDLE_CONNECTIONS = 10_000;
const IDLE_STEP = 100;

/** nghttp2's blocks for ENVOY_RESPONSE: the first response on a connection, and the next one. */
async function envoyResponseBlocks(): Promise<[Buffer, Buffer]> {
  const { serverBytes } = await recordConversation(
    (stream) => stream.resume().on("end", () => (stream.respond(ENVOY_RESPONSE), stream.end(BODY))),
    async (session) => {
      await call(session, { ":method": "POST", ":path": "/a" }, Buffer.alloc(10));
      await call(session, { ":method": "POST", ":path": "/a" }, Buffer.alloc(10));
    },
  );
  const blocks = headerBlocks(splitFrames(serverBytes));
  if (blocks.length !== 2) throw new Error(`expected 2 response header blocks, saw ${blocks.length}`);
  return [blocks[0], blocks[1]];
}

function describeBlock(block: Buffer): string {
  const r = representations([block]);
  return `${block.length} B: ${r.staticIndexed + r.dynamicIndexed} indexed (${r.dynamicIndexed} dynamic), ${r.incremental + r.withoutIndexing} literals, ${r.huffmanStrings} Huffman strings`;
}

export async function measureHttp2Timing(timing: TimingOptions): Promise<Http2Row[]> {
  const h = await Http2Harness.load();
  const x = h.exports;
  const rows: Http2Row[] = [];
  const [first, repeated] = await envoyResponseBlocks();

  // Decoding: the first block on a fresh table each time is what a new connection's first response costs; timed
  // repeatedly on one table, it also evicts, as a busy connection's table does.
  const decodeRow = (name: string, block: Buffer, setup: Buffer[]) => {
    const decoder = x.hpackOpen(65536, 4096);
    for (const b of setup) {
      h.write(b);
      if ((x.hpackDecode(decoder, b.length) & 15) !== 0) throw new Error(`${name}: the setup block does not decode`);
    }
    h.write(block);
    if (x.benchDecode(decoder, block.length, 1) !== 0) throw new Error(`${name}: the block does not decode`);
    const t = nsPerIteration((n) => {
      if (x.benchDecode(decoder, block.length, n) !== 0) throw new Error(`${name}: a decode failed`);
    }, timing);
    rows.push({ name, nsPerOp: t.best, medianNs: t.median, note: describeBlock(block) });
  };
  decodeRow("decode Envoy's response headers, first on a connection", first, []);
  decodeRow("decode Envoy's response headers, repeated", repeated, [first]);
  x.hpackCloseAll();

  const list = encodeHeaders(BRIDGE_REQUEST);
  h.write(list);
  const encodedLength = x.benchEncode(list.length, 1);
  const encode = nsPerIteration((n) => x.benchEncode(list.length, n), timing);
  rows.push({ name: "encode a bridge request's headers (no table, Huffman)", nsPerOp: encode.best, medianNs: encode.median, note: `${BRIDGE_REQUEST.length} fields, ${list.length - 9 * BRIDGE_REQUEST.length} B of text -> ${encodedLength} B` });

  // The exchange: both bodies are BODY, the response headers Envoy's.
  const requestBody = BODY;
  const responseList = encodeHeaders(Object.entries(ENVOY_RESPONSE).map(([n, v]): Header => [n, String(v)]));
  for (const table of [0, 4096]) {
    h.write(Buffer.concat([list, responseList, requestBody]));
    x.exchangeSetup(list.length, responseList.length, requestBody.length, table);
    for (const perRound of [1, 64]) {
      if (x.benchExchange(1, perRound) !== perRound) throw new Error("the exchange lost responses");
      const t = nsPerIteration((n) => {
        if (x.benchExchange(n, perRound) !== n * perRound) throw new Error("the exchange lost responses");
      }, timing);
      rows.push({
        name: `request + response, both sides, ${table === 0 ? "no encoder table" : "4 KiB encoder tables"}, ${perRound} per round`,
        nsPerOp: t.best / perRound,
        medianNs: t.median / perRound,
        note: `4 frames, ${requestBody.length} B body each way: ~${(t.best / perRound / 4).toFixed(0)} ns per frame`,
      });
    }
  }
  return rows;
}

/** Linear memory per idle connection, client and server, after the SETTINGS exchange (default configuration). */
export async function measureHttp2Memory(): Promise<Http2Memory[]> {
  const result: Http2Memory[] = [];
  for (const role of ["client", "server"] as const) {
    const h = await Http2Harness.load();
    const growth = new GrowthTracker(() => h.memoryBytes);
    for (let n = IDLE_STEP; n <= IDLE_CONNECTIONS; n += IDLE_STEP) {
      h.exports.openIdle(role === "client" ? 0 : 1, IDLE_STEP);
      growth.observe(n);
    }
    result.push({ role, bytesPerConnection: growth.slope(), connections: IDLE_CONNECTIONS });
  }
  return result;
}

/** A scratch entry: protocol module `p` plus a function that reaches the library's client and server paths. */
function probeSource(p: string): string {
  return `export * from "../../filters/${p}/main";
import { Http2Connection, Role } from "../../assembly/lib/http2/connection";
import { Http2Handler } from "../../assembly/lib/http2/handler";
import { HeaderList } from "../../assembly/lib/hpack/header_list";
class Probe extends Http2Handler {
  onHeaders(streamId: u32, headers: HeaderList, endStream: bool): void { store<u32>(0, headers.count); }
  onData(streamId: u32, ptr: usize, length: i32, endStream: bool): void { store<u32>(0, length); }
  onTrailers(streamId: u32, trailers: HeaderList): void { store<u32>(0, trailers.count); }
  onReset(streamId: u32, errorCode: u32, byPeer: bool): void { store<u32>(0, errorCode); }
}
export function http2_probe(role: i32, ptr: usize, length: i32): i32 {
  const c = new Http2Connection(role == 0 ? Role.Client : Role.Server, new Probe());
  const headers = new HeaderList();
  headers.add(ptr, 4, ptr, 4);
  const id = c.submitRequest(headers, false);
  c.submitResponse(id, headers, false);
  c.submitData(id, ptr, length, false);
  c.submitTrailers(id, headers);
  c.submitPing(1);
  c.submitGoAway(0);
  c.submitReset(id, 0);
  c.receive(ptr, length);
  const n = c.pendingOutput().length;
  c.consumeOutput(n);
  return n;
}
`;
}

export async function measureHttp2Sizes(modules: readonly string[]): Promise<Http2Size[]> {
  const sizes: Http2Size[] = [];
  for (const p of modules) {
    const path = await compileEntry(`test/bench/http2_probe_${p}.ts`, probeSource(p), `http2-probe-${p}`, undefined, ["filters"]);
    sizes.push({ module: p, alone: statSync(`build/${p}.wasm`).size, withLibrary: statSync(path).size });
  }
  return sizes;
}

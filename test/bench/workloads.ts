// The traffic of the benchmarks: one realistic request and its response per protocol, taken from the real peers'
// captures (test/peers/*/golden.json) or built with the peers' own encoder (hessian.js), and a way to give each copy
// its own request id so that 64 pipelined requests are 64 different requests in flight.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { encodeFrame } from "../peers/awesomerpc/protocol.ts";

const require = createRequire(import.meta.url);

export type Framing = "awesomerpc" | "dubbo" | "length_prefixed";

export interface Workload {
  /** Row name in the tables. */
  readonly name: string;
  /** The module: build/<module>.wasm. */
  readonly module: "awesomerpc" | "dubbo" | "thrift";
  /** How the pass-through floor module frames these bytes. */
  readonly framing: Framing;
  readonly request: Buffer;
  readonly response: Buffer;
  /** A copy of `frame` carrying request id `id` (1..127). */
  withId(frame: Buffer, id: number): Buffer;
  /** What the frames are. */
  readonly note: string;
}

const DUBBO_GOLDEN = JSON.parse(readFileSync(new URL("../peers/dubbo/golden.json", import.meta.url), "utf8"));
const THRIFT_GOLDEN = JSON.parse(readFileSync(new URL("../peers/thrift/golden.json", import.meta.url), "utf8"));

export const DEMO_SERVICE = "com.example.DemoService";

/**
 * A typical Dubbo request of about 300 bytes: echoUser(com.example.User{name, age}) (a Hessian class definition and
 * object, as sofa-rpc-node and Java write it) with 6 string attachments, written by hessian.js as dubbo-remoting does.
 */
export function typicalDubboRequest(id = 1): Buffer {
  const hessian = require("hessian.js");
  const e = new hessian.EncoderV2();
  for (const s of ["2.0.2", DEMO_SERVICE, "1.0.0", "echoUser", "Lcom/example/User;"]) e.writeString(s);
  e.write({ $class: "com.example.User", $: { name: "alice", age: 30 } });
  e.write({
    dubbo: "2.0.2",
    path: DEMO_SERVICE,
    interface: DEMO_SERVICE,
    version: "1.0.0",
    timeout: "3000",
    "x-trace-id": "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
  });
  const body: Buffer = e.get();
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0xdabb, 0);
  header[2] = 0xc2; // request, two-way, serialization 2 (hessian2)
  header.writeBigUInt64BE(BigInt(id), 4);
  header.writeUInt32BE(body.length, 12);
  return Buffer.concat([header, body]);
}

function dubboWithId(frame: Buffer, id: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeBigUInt64BE(BigInt(id), 4);
  return copy;
}

function awesomeWithId(frame: Buffer, id: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(id, 1);
  return copy;
}

/** Framed binary: u32 length, 0x8001 0x00 type, u32 name length, name, u32 seqid. */
function framedBinaryWithId(frame: Buffer, id: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(id, 12 + copy.readUInt32BE(8));
  return copy;
}

/** Framed compact: u32 length, 0x82, type|version, varint seqid (one byte for ids below 128). */
function framedCompactWithId(frame: Buffer, id: number): Buffer {
  if (frame[6] >= 0x80 || id >= 0x80) throw new Error("compact seqid must be a one-byte varint here");
  const copy = Buffer.from(frame);
  copy[6] = id;
  return copy;
}

/**
 * THeader: u32 length, 0x0fff, u16 flags, u32 seqid, u16 header words, header, then the message, whose own seqid is
 * the one the filter reads: both are set.
 */
function headerWithId(frame: Buffer, id: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(id, 8);
  const payload = 14 + copy.readUInt16BE(12) * 4;
  if (copy[payload] === 0x82) {
    if (copy[payload + 2] >= 0x80 || id >= 0x80) throw new Error("compact seqid must be a one-byte varint here");
    copy[payload + 2] = id;
  } else {
    copy.writeUInt32BE(id, payload + 8 + copy.readUInt32BE(payload + 4));
  }
  return copy;
}

function thriftVector(name: string): { request: Buffer; response: Buffer } {
  const v = THRIFT_GOLDEN.vectors[name];
  return { request: Buffer.from(v.request, "hex"), response: Buffer.from(v.reply, "hex") };
}

export function workloads(): Workload[] {
  const echo = "hello from the benchmark";
  const awesomeRequest = encodeFrame({ requestId: 1, command: 1, responseCode: 0, body: Buffer.from(echo) });
  const awesomeResponse = encodeFrame({ requestId: 1, command: 1, responseCode: 0, body: Buffer.from(echo) });
  const dubboResponse = Buffer.from(DUBBO_GOLDEN.frames.dubbo2js_response_echoUser.hex, "hex");
  const calcNote = "npm thrift client calculate(Work{id, op, operands list<i64>[3], labels map[1], blob}) -> Result (golden.json)";
  return [
    {
      name: "awesomerpc",
      module: "awesomerpc",
      framing: "awesomerpc",
      request: awesomeRequest,
      response: awesomeResponse,
      withId: awesomeWithId,
      note: `echo, ${echo.length}-byte body`,
    },
    {
      name: "dubbo",
      module: "dubbo",
      framing: "dubbo",
      request: typicalDubboRequest(),
      response: dubboResponse,
      withId: dubboWithId,
      note: "echoUser(User{name, age}) + 6 attachments (hessian.js); response: sofa provider's echoUser reply (golden.json)",
    },
    {
      name: "dubbo sayHello (captured)",
      module: "dubbo",
      framing: "dubbo",
      request: Buffer.from(DUBBO_GOLDEN.frames.sofa_request_sayHello.hex, "hex"),
      response: Buffer.from(DUBBO_GOLDEN.frames.sofa_response_sayHello.hex, "hex"),
      withId: dubboWithId,
      note: "sofa-rpc-node sayHello(\"world\") with its 6 attachments, and the reply (golden.json)",
    },
    { name: "thrift framed binary", module: "thrift", framing: "length_prefixed", ...thriftVector("call_framed_binary"), withId: framedBinaryWithId, note: calcNote },
    { name: "thrift framed compact", module: "thrift", framing: "length_prefixed", ...thriftVector("call_framed_compact"), withId: framedCompactWithId, note: calcNote },
    { name: "thrift THeader binary", module: "thrift", framing: "length_prefixed", ...thriftVector("call_header_binary"), withId: headerWithId, note: calcNote + ", THeader with info headers" },
  ];
}

/** `count` copies of `frame` with ids first..first+count-1, back to back. */
export function batch(workload: Workload, frame: Buffer, count: number, first = 1): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, i) => workload.withId(frame, first + i)));
}

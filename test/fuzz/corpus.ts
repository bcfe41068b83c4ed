// What the fuzzer starts from, per module: well-formed request/response pairs from the real peers (golden captures,
// frames the peers' own encoders write), the plugin configurations to fuzz, a canary exchange per configuration (a
// well-formed call that must still decode after a malformed connection closed), and frame sequences for the split
// pass.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { encodeFrame } from "../peers/awesomerpc/protocol.ts";
import { typicalDubboRequest } from "../bench/workloads.ts";

const require = createRequire(import.meta.url);

export type ModuleName = "awesomerpc" | "dubbo" | "thrift";
export const MODULES: readonly ModuleName[] = ["awesomerpc", "dubbo", "thrift"];

export interface Pair {
  readonly name: string;
  readonly request: Buffer;
  /** Empty for one-way calls. */
  readonly response: Buffer;
}

export interface FuzzConfig {
  readonly name: string;
  readonly json: object;
  /** A well-formed exchange every connection of this configuration decodes. */
  readonly canary: Pair;
}

/** Frames sent back to back in one direction, answered by `responses` (for every-split checks). */
export interface Sequence {
  readonly name: string;
  readonly requests: Buffer;
  readonly responses: Buffer;
}

export interface ModuleCorpus {
  readonly module: ModuleName;
  readonly pairs: readonly Pair[];
  readonly configs: readonly FuzzConfig[];
  readonly sequences: readonly Sequence[];
  /** Starts of frames (magic, length words) that random bytes may follow, to get past the frame header. */
  readonly prefixes: readonly Buffer[];
  /**
   * Makes the frame's length field agree with its size again after a mutation, so that the mutated body reaches
   * the codec's decoder instead of failing at the frame header (`original`: the frame it was mutated from).
   */
  fixLength(mutated: Buffer, original: Buffer): Buffer;
  /**
   * Bridge mode: the pair's response as the server answers the call it got with request id `id` (the server side's
   * HTTP/2 stream id); undefined when the server does not answer it on a stream (one-way calls, heartbeats).
   */
  responseWithId(pair: Pair, id: number): Buffer | undefined;
  /** Bridge mode: pairs (by name) whose requests go back to back on one connection, calls answered on streams. */
  readonly bridgeSequence: readonly string[];
}

const MUTATION = [
  { key: "x-mesh", value: "wasm" },
  { key: "timeout", value: "1" },
];

// ------------------------------------------------------------------------------------------------------------------
// awesomerpc

function awesomerpc(): ModuleCorpus {
  const frame = (requestId: number, command: number, responseCode: number, body: string) =>
    encodeFrame({ requestId, command, responseCode, body: Buffer.from(body) });
  const pairs: Pair[] = [
    { name: "echo", request: frame(1, 1, 0, "hello"), response: frame(1, 1, 0, "hello") },
    { name: "upper", request: frame(2, 2, 0, "abc"), response: frame(2, 2, 0, "ABC") },
    { name: "empty", request: frame(3, 1, 0, ""), response: frame(3, 1, 0, "") },
    { name: "unknown", request: frame(4, 77, 0, "x"), response: frame(4, 77, 2, "unknown command") },
    { name: "large", request: frame(5, 1, 0, "y".repeat(300)), response: frame(5, 1, 0, "y".repeat(300)) },
  ];
  return {
    module: "awesomerpc",
    pairs,
    configs: [
      { name: "default", json: { stat_prefix: "fuzz" }, canary: pairs[0] },
      { name: "limits+mutation", json: { stat_prefix: "fuzz", max_frame_size: 256, max_pending_requests: 4, request_mutation: MUTATION }, canary: pairs[0] },
    ],
    sequences: [
      {
        name: "three calls answered in reverse",
        requests: Buffer.concat([pairs[0].request, pairs[1].request, pairs[3].request]),
        responses: Buffer.concat([pairs[3].response, pairs[1].response, pairs[0].response]),
      },
    ],
    prefixes: [Buffer.from([1, 0, 0, 0, 9])],
    responseWithId: (pair, id) => {
      if (pair.response.length === 0) return undefined;
      const copy = Buffer.from(pair.response);
      copy.writeUInt32BE(id, 1);
      return copy;
    },
    bridgeSequence: ["echo", "unknown", "large"],
    fixLength: (b) => {
      if (b.length < 9) return b;
      const copy = Buffer.from(b);
      copy.writeUInt32BE(copy.length, 5);
      return copy;
    },
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Dubbo

function dubboId(frame: Buffer, id: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeBigUInt64BE(BigInt(id), 4);
  return copy;
}

function dubboFrame(flag: number, status: number, id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0xdabb, 0);
  header[2] = flag;
  header[3] = status;
  header.writeBigUInt64BE(BigInt(id), 4);
  header.writeUInt32BE(body.length, 12);
  return Buffer.concat([header, body]);
}

/** Requests with arguments of every Hessian kind hessian.js writes, and a typed ('M') attachments map. */
function hessianRequests(): Buffer[] {
  const hessian = require("hessian.js");
  const SERVICE = "com.example.DemoService";
  const build = (method: string, descriptor: string, args: unknown[], attachments: (e: any) => void, flag = 0xc2) => {
    const e = new hessian.EncoderV2();
    for (const s of ["2.0.2", SERVICE, "1.0.0", method, descriptor]) e.writeString(s);
    for (const arg of args) e.write(arg);
    attachments(e);
    return dubboFrame(flag, 0, 1, Buffer.from(e.get()));
  };
  const plain = (e: any) => e.write({ path: SERVICE, interface: SERVICE, version: "1.0.0", "x-trace": "t-1" });
  const typed = (e: any) => {
    e.mapTypes["java.util.HashMap"] = true;
    e._writeHashMap(new Map([["path", SERVICE], ["interface", SERVICE], ["group", "g"]]), "java.util.HashMap");
  };
  return [
    build("mixed", "IJDZLjava/lang/String;", [1, { $class: "long", $: 2 ** 40 }, 3.25, true, "ü€😀"], plain),
    build("containers", "Ljava/util/List;Ljava/util/Map;[B", [[1, "a", null], { k: "v", n: 2 }, Buffer.from([1, 2, 3])], plain),
    build("objects", "Lcom/example/User;Lcom/example/User;Ljava/util/Date;", [
      { $class: "com.example.User", $: { name: "a", age: 1 } },
      { $class: "com.example.User", $: { name: "b", age: 2 } },
      new Date(0),
    ], typed),
    build("oneway", "Ljava/lang/String;", ["fire"], plain, 0x82),
    build("noargs", "", [], plain),
  ];
}

function dubbo(): ModuleCorpus {
  const g = JSON.parse(readFileSync(new URL("../peers/dubbo/golden.json", import.meta.url), "utf8")).frames;
  const hex = (name: string) => Buffer.from(g[name].hex, "hex");
  const typical = typicalDubboRequest(7);
  const pairs: Pair[] = [
    { name: "sayHello", request: hex("sofa_request_sayHello"), response: hex("sofa_response_sayHello") },
    { name: "fail/status80", request: hex("sofa_request_fail"), response: hex("sofa_response_status80") },
    { name: "exception", request: dubboId(hex("sofa_request_sayHello"), 3), response: hex("sofa_response_exception_value") },
    { name: "null value", request: dubboId(hex("sofa_request_sayHello"), 4), response: hex("sofa_response_null_value") },
    { name: "echoMap", request: hex("sofa_request_echoMap"), response: dubboId(hex("sofa_response_null_value"), 5) },
    { name: "dubbo2js echoUser", request: hex("dubbo2js_request_echoUser"), response: hex("dubbo2js_response_echoUser") },
    { name: "typical echoUser", request: typical, response: dubboId(hex("dubbo2js_response_echoUser"), 7) },
    { name: "sofa heartbeat", request: hex("sofa_heartbeat_request"), response: hex("sofa_heartbeat_response") },
    { name: "dubbo2js heartbeat", request: hex("dubbo2js_heartbeat_request"), response: hex("dubbo2js_heartbeat_response") },
    ...hessianRequests().map((request, i) => ({
      name: `hessian.js request ${i}`,
      request,
      response: request[2] === 0x82 ? Buffer.alloc(0) : dubboId(hex("sofa_response_sayHello"), 1),
    })),
  ];
  const canary = pairs[6];
  return {
    module: "dubbo",
    pairs,
    configs: [
      { name: "default", json: { stat_prefix: "fuzz" }, canary },
      {
        name: "limits+mutation",
        json: {
          stat_prefix: "fuzz",
          max_frame_size: 1024,
          max_pending_requests: 4,
          request_mutation: MUTATION,
          // Responses are mutated too (their attachments rewritten, or added); routes do not pick the cluster here.
          routes: [{ route: { cluster: "fuzz" }, response_mutation: MUTATION }],
          connection_routing: false,
        },
        canary,
      },
      // Nothing reads attachments: the codec stops after the method (Codec.decodesAllKeyValues).
      { name: "service and method only", json: { stat_prefix: "fuzz", access_log: { format: "access protocol=%PROTOCOL% %SERVICE%/%METHOD% %RESPONSE_CODE%" } }, canary },
    ],
    sequences: [
      {
        name: "sayHello, echoUser, heartbeat; answered in reverse",
        requests: Buffer.concat([pairs[0].request, typical, pairs[7].request]),
        responses: Buffer.concat([pairs[7].response, pairs[6].response, pairs[0].response]),
      },
    ],
    // A heartbeat (event flag) becomes an HTTP/2 PING, not a stream.
    responseWithId: (pair, id) => (pair.response.length === 0 || (pair.request[2] & 0x20) !== 0 ? undefined : dubboId(pair.response, id)),
    bridgeSequence: ["sayHello", "exception", "typical echoUser"],
    prefixes: [Buffer.from("dabbc2", "hex"), Buffer.from("dabb02", "hex"), Buffer.from("dabbc20000000000000000010000", "hex")],
    fixLength: (b) => {
      if (b.length < 16) return b;
      const copy = Buffer.from(b);
      copy.writeUInt32BE(copy.length - 16, 12);
      return copy;
    },
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Thrift

interface ThriftVector {
  transport: "framed" | "buffered" | "header";
  protocol: "binary" | "compact";
  request: string;
  reply: string;
}

/** A copy of a Thrift message whose seqid (one-byte varint for compact) is `id`; THeader's header seqid too. */
export function thriftWithSeqid(frame: Buffer, transport: ThriftVector["transport"], protocol: ThriftVector["protocol"], id: number): Buffer {
  const copy = Buffer.from(frame);
  let message = transport === "framed" ? 4 : 0;
  if (transport === "header") {
    copy.writeUInt32BE(id, 8);
    message = 14 + copy.readUInt16BE(12) * 4;
  }
  const compact = transport === "header" ? copy[message] === 0x82 : protocol === "compact";
  if (compact) {
    if (copy[message + 2] >= 0x80 || id >= 0x80) throw new Error("compact seqids here are one-byte varints");
    copy[message + 2] = id;
  } else {
    copy.writeUInt32BE(id, message + 8 + copy.readUInt32BE(message + 4));
  }
  return copy;
}

function thrift(): ModuleCorpus {
  const vectors: Record<string, ThriftVector> = JSON.parse(readFileSync(new URL("../peers/thrift/golden.json", import.meta.url), "utf8")).vectors;
  const pairs: Pair[] = Object.entries(vectors).map(([name, v]) => ({ name, request: Buffer.from(v.request, "hex"), response: Buffer.from(v.reply ?? "", "hex") }));
  const byName = (name: string) => pairs.find((p) => p.name === name)!;
  const sequences: Sequence[] = [];
  for (const name of ["call_framed_binary", "call_framed_compact", "call_buffered_binary", "call_buffered_compact", "call_header_binary", "call_header_compact", "multiplexed_framed_binary"]) {
    const v = vectors[name];
    const request = Buffer.from(v.request, "hex");
    const reply = Buffer.from(v.reply, "hex");
    sequences.push({
      name: `${name}: two calls answered in reverse`,
      requests: Buffer.concat([thriftWithSeqid(request, v.transport, v.protocol, 1), thriftWithSeqid(request, v.transport, v.protocol, 2)]),
      responses: Buffer.concat([thriftWithSeqid(reply, v.transport, v.protocol, 2), thriftWithSeqid(reply, v.transport, v.protocol, 1)]),
    });
  }
  return {
    module: "thrift",
    pairs,
    configs: [
      { name: "default", json: { stat_prefix: "fuzz" }, canary: byName("call_framed_binary") },
      { name: "limits+mutation", json: { stat_prefix: "fuzz", max_frame_size: 1024, max_pending_requests: 4, request_mutation: MUTATION }, canary: byName("call_header_compact") },
      { name: "unframed compact", json: { stat_prefix: "fuzz", codec: { transport: "unframed", protocol: "compact" } }, canary: byName("call_buffered_compact") },
    ],
    sequences,
    responseWithId: (pair, id) => {
      const v = vectors[pair.name];
      return pair.response.length === 0 ? undefined : thriftWithSeqid(pair.response, v.transport, v.protocol, id);
    },
    // One transport and protocol: the server side learns them from a connection's first call.
    bridgeSequence: ["call_framed_binary", "declared_exception_framed_binary", "multiplexed_framed_binary"],
    prefixes: [
      Buffer.from("0000006c80010001", "hex"),
      Buffer.from("0000003182", "hex"),
      Buffer.from("8001000100000009", "hex"),
      Buffer.from("8221", "hex"),
      Buffer.from("0000008a0fff0000", "hex"),
    ],
    // Framed and THeader frames start with the size of what follows; unframed messages carry no length.
    fixLength: (b, original) => {
      if (b.length < 4 || original.length < 4 || original.readUInt32BE(0) !== original.length - 4) return b;
      const copy = Buffer.from(b);
      copy.writeUInt32BE(copy.length - 4, 0);
      return copy;
    },
  };
}

export function corpus(module: ModuleName): ModuleCorpus {
  return module === "awesomerpc" ? awesomerpc() : module === "dubbo" ? dubbo() : thrift();
}

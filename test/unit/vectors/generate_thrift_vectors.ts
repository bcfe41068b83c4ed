// Writes test/unit/thrift_vectors.ts: Thrift messages for the Thrift codec's unit tests, written by a real Thrift
// implementation (npm thrift 0.24.0: TBinaryProtocol / TCompactProtocol over TFramedTransport / TBufferedTransport, and
// THeaderProtocol for THeader frames), plus wire captures of the real peers (test/peers/thrift/golden.json, when it
// exists).
//
//   node --import tsx test/unit/vectors/generate_thrift_vectors.ts
//
// Every message is read back here with npm thrift's own reader before it is written: readMessageBegin gives the name,
// type and sequence id the tests assert, skipping the argument struct ends exactly at the message's last byte, and
// THeader frames give back their info headers. The two byte strings npm thrift cannot produce (a THeader frame with a
// zlib transform, and one with a persistent info block) are built by hand from npm thrift frames and say so.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { VectorFile } from "./vector_file.ts";

const require = createRequire(import.meta.url);
const thrift = require("thrift");

const THRIFT_VERSION = "0.24.0";
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const outPath = join(here, "..", "thrift_vectors.ts");
const goldenPath = join(root, "test", "peers", "thrift", "golden.json");

{
  const version = JSON.parse(readFileSync(require.resolve("thrift/package.json"), "utf8")).version;
  if (version !== THRIFT_VERSION) throw new Error(`npm thrift ${version} installed, the vectors are made with ${THRIFT_VERSION}`);
}

const Type = thrift.Thrift.Type;
const MessageType = thrift.Thrift.MessageType;
const Int64 = thrift.Int64;
const HEADER_BINARY = 0;
const HEADER_COMPACT = 2;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

// --------------------------------------------------------------------------------------------------------------------
// Writing with npm thrift

type Proto = any;
type Writer = (p: Proto) => void;

type Transport = "framed" | "unframed" | "header";
type Protocol = "binary" | "compact";

const PROTOCOLS: Record<Protocol, any> = { binary: thrift.TBinaryProtocol, compact: thrift.TCompactProtocol };

/** One message (header, body, end) through a real transport and protocol, as the bytes it flushes. */
function message(
  transport: Transport,
  protocol: Protocol,
  name: string,
  type: number,
  seqid: number,
  body: Writer,
  headers: Record<string, string> = {},
  protocolClass?: any,
): Buffer {
  let flushed: Buffer | null = null;
  const onFlush = (buf: Buffer) => {
    assert(flushed === null, "flushed twice");
    flushed = Buffer.from(buf);
  };
  if (transport === "header") {
    const trans = new thrift.TBufferedTransport(undefined, onFlush);
    trans.setProtocolId(protocol === "compact" ? HEADER_COMPACT : HEADER_BINARY);
    trans.setSeqId(seqid);
    for (const [k, v] of Object.entries(headers)) trans.setWriteHeader(k, v);
    const p = new (protocolClass ?? thrift.THeaderProtocol)(trans);
    p.writeMessageBegin(name, type, seqid);
    body(p);
    p.writeMessageEnd();
    p.flush(); // THeaderProtocol.flush: writeHeaders, then the transport's flush
  } else {
    assert(Object.keys(headers).length === 0, "info headers need THeader");
    const trans =
      transport === "framed" ? new thrift.TFramedTransport(undefined, onFlush) : new thrift.TBufferedTransport(undefined, onFlush);
    const p = new (protocolClass ?? PROTOCOLS[protocol])(trans);
    p.writeMessageBegin(name, type, seqid);
    body(p);
    p.writeMessageEnd();
    trans.flush();
  }
  assert(flushed !== null, "nothing flushed");
  return flushed;
}

/** A struct of fields (id, type, value writer). */
function struct(fields: Array<[number, number, Writer]>): Writer {
  return (p) => {
    p.writeStructBegin("S");
    for (const [id, type, write] of fields) {
      p.writeFieldBegin("f" + id, type, id);
      write(p);
      p.writeFieldEnd();
    }
    p.writeFieldStop();
    p.writeStructEnd();
  };
}

const bool = (v: boolean): Writer => (p) => p.writeBool(v);
const byte = (v: number): Writer => (p) => p.writeByte(v);
const i16 = (v: number): Writer => (p) => p.writeI16(v);
const i32 = (v: number): Writer => (p) => p.writeI32(v);
const i64 = (v: number | string): Writer => (p) => p.writeI64(typeof v === "string" ? new Int64(v) : v);
const double = (v: number): Writer => (p) => p.writeDouble(v);
const string = (v: string): Writer => (p) => p.writeString(v);
const binary = (v: Buffer): Writer => (p) => p.writeBinary(v);
const uuid = (v: string): Writer => (p) => p.writeUuid(v);

function list(elementType: number, items: Writer[]): Writer {
  return (p) => {
    p.writeListBegin(elementType, items.length);
    for (const item of items) item(p);
    p.writeListEnd();
  };
}

function set(elementType: number, items: Writer[]): Writer {
  return (p) => {
    p.writeSetBegin(elementType, items.length);
    for (const item of items) item(p);
    p.writeSetEnd();
  };
}

function map(keyType: number, valueType: number, entries: Array<[Writer, Writer]>): Writer {
  return (p) => {
    p.writeMapBegin(keyType, valueType, entries.length);
    for (const [k, v] of entries) {
      k(p);
      v(p);
    }
    p.writeMapEnd();
  };
}

/**
 * TApplicationException, written by npm thrift's own writer. Its constructor keeps the type in `type`, but its `write`
 * writes field 2 only from `code` (npm thrift 0.24.0 quirk: its own servers' exceptions go out without a type), so the
 * type is put in `code` too.
 */
function applicationException(type: number, text: string): Writer {
  return (p) => {
    const x = new thrift.Thrift.TApplicationException(type, text);
    x.code = type;
    x.write(p);
  };
}

// --------------------------------------------------------------------------------------------------------------------
// Reading back with npm thrift

interface ReadBack {
  name: string;
  type: number;
  seqid: number;
  headers: Record<string, string>;
  headerSeqid: number | null;
  /** Offset of the message in the bytes (after the frame / THeader header). */
  payloadStart: number;
}

/** Reads `bytes` back with npm thrift: one message whose body (a struct) ends exactly at the last byte. */
function readBack(transport: Transport, protocol: Protocol, bytes: Buffer, body?: (p: Proto) => void): ReadBack {
  let headers: Record<string, string> = {};
  let headerSeqid: number | null = null;
  let p: Proto;
  let position: () => number;
  let payloadStart = 0;
  if (transport === "header") {
    const trans = new thrift.TBufferedTransport();
    trans.inBuf = bytes;
    trans.writeCursor = bytes.length;
    p = new thrift.THeaderProtocol(trans);
    const begin = p.readMessageBegin(); // reads the THeader header first
    headers = { ...trans.getReadHeaders() };
    headerSeqid = trans.getSeqId();
    assert(trans.getProtocolId() === (protocol === "compact" ? HEADER_COMPACT : HEADER_BINARY), "THeader protocol id");
    assert(bytes.readUInt32BE(0) === bytes.length - 4, "THeader length field");
    payloadStart = 14 + bytes.readUInt16BE(12) * 4;
    position = () => trans.readCursor;
    return finish(begin);
  }
  let start = 0;
  if (transport === "framed") {
    assert(bytes.readUInt32BE(0) === bytes.length - 4, "frame length field");
    start = 4;
  }
  payloadStart = start;
  const trans = new thrift.TFramedTransport(bytes.subarray(start));
  p = new PROTOCOLS[protocol](trans);
  position = () => start + trans.readPos;
  return finish(p.readMessageBegin());

  function finish(begin: any): ReadBack {
    if (body) body(p);
    else p.skip(Type.STRUCT);
    p.readMessageEnd();
    assert(position() === bytes.length, `message ends at ${position()}, not at ${bytes.length}`);
    return { name: begin.fname, type: begin.mtype, seqid: begin.rseqid, headers, headerSeqid, payloadStart };
  }
}

function check(
  transport: Transport,
  protocol: Protocol,
  bytes: Buffer,
  name: string,
  type: number,
  seqid: number,
  headers: Record<string, string> = {},
): ReadBack {
  const r = readBack(transport, protocol, bytes);
  assert(r.name === name, `name ${r.name} != ${name}`);
  assert(r.type === type, `type ${r.type} != ${type}`);
  assert((r.seqid | 0) === (seqid | 0), `seqid ${r.seqid} != ${seqid}`);
  assert(JSON.stringify(r.headers) === JSON.stringify(headers), `headers ${JSON.stringify(r.headers)}`);
  if (transport === "header") assert(((r.headerSeqid ?? 0) | 0) === (seqid | 0), "THeader seqid");
  if (transport === "unframed") {
    // The first bytes are what detection keys on.
    if (protocol === "binary") assert(bytes[0] === 0x80 && bytes[1] === 0x01, "strict binary version");
    else assert(bytes[0] === 0x82, "compact protocol id");
  } else if (transport === "framed") {
    if (protocol === "binary") assert(bytes[4] === 0x80 && bytes[5] === 0x01, "strict binary version");
    else assert(bytes[4] === 0x82, "compact protocol id");
  } else {
    assert(bytes.readUInt16BE(4) === 0x0fff, "THeader magic");
  }
  return r;
}

// --------------------------------------------------------------------------------------------------------------------
// The vectors

const file = new VectorFile([
  `GENERATED by test/unit/vectors/generate_thrift_vectors.ts with npm thrift ${THRIFT_VERSION} — do not edit.`,
  "Regenerate: node --import tsx test/unit/vectors/generate_thrift_vectors.ts",
  "Thrift messages written by npm thrift (TBinaryProtocol / TCompactProtocol over TFramedTransport / TBufferedTransport,",
  "THeaderProtocol for THeader frames), each read back there with npm thrift's reader: name, type, seqid, info headers,",
  "and a body that ends exactly at the last byte. Hand-built frames say so.",
]);

// -- 1. One service call in every transport × protocol, with every message type --------------------------------------

file.section("1. Calculator.calculate in every transport and protocol, as every message type");

const COMBOS: Array<[Transport, Protocol, string, string]> = [
  ["framed", "binary", "FRAMED_BINARY", "framed binary"],
  ["framed", "compact", "FRAMED_COMPACT", "framed compact"],
  ["unframed", "binary", "UNFRAMED_BINARY", "unframed binary"],
  ["unframed", "compact", "UNFRAMED_COMPACT", "unframed compact"],
  ["header", "binary", "HEADER_BINARY", "THeader binary"],
  ["header", "compact", "HEADER_COMPACT", "THeader compact"],
];
const TRANSPORT_ID: Record<Transport, number> = { framed: 1, unframed: 2, header: 3 };

const SEQ = { call: 7, oneway: 8, ok: 7, void: 9, declared: 10, exception: 11, mux: -2, bad: 12 };
const CALL_HEADERS = { "x-trace-id": "abc123", tenant: "blue" };

// struct Work {1: i32 id, 2: Operation op, 3: list<i64> operands, 4: map<string,string> labels, 5: binary blob}
const work = struct([
  [1, Type.I32, i32(1)],
  [2, Type.I32, i32(4)],
  [3, Type.LIST, list(Type.I64, [i64(5), i64(-7)])],
  [4, Type.MAP, map(Type.STRING, Type.STRING, [[string("k"), string("v")]])],
  [5, Type.STRING, binary(Buffer.from([0, 1, 0xff]))],
]);
const calculateArgs = struct([[1, Type.STRUCT, work]]);
const zipArgs = struct([[1, Type.STRING, string("fire and forget")]]);
// Result calculate(...) throws (1: InvalidOperation ouch): success is field 0, the declared exception field 1.
const result = struct([
  [1, Type.I32, i32(1)],
  [2, Type.I64, i64("0000010000000000")],
  [3, Type.MAP, map(Type.STRING, Type.I64, [[string("a"), i64(2)]])],
  [4, Type.LIST, list(Type.STRING, [string("x"), string("")])],
  [5, Type.DOUBLE, double(0.25)],
]);
const okResult = struct([[0, Type.STRUCT, result]]);
const voidResult = struct([]);
const declaredResult = struct([[1, Type.STRUCT, struct([[1, Type.I32, i32(4)], [2, Type.STRING, string("divide by zero")]])]]);

interface Kind {
  key: string;
  label: string;
  name: string;
  type: number;
  seqid: number;
  body: Writer;
  mux?: boolean;
}

const KINDS: Kind[] = [
  { key: "CALL", label: "CALL calculate", name: "calculate", type: MessageType.CALL, seqid: SEQ.call, body: calculateArgs },
  { key: "ONEWAY", label: "ONEWAY zip", name: "zip", type: MessageType.ONEWAY, seqid: SEQ.oneway, body: zipArgs },
  { key: "REPLY_OK", label: "REPLY calculate, success (field 0)", name: "calculate", type: MessageType.REPLY, seqid: SEQ.ok, body: okResult },
  { key: "REPLY_VOID", label: "REPLY crash, void success (empty struct)", name: "crash", type: MessageType.REPLY, seqid: SEQ.void, body: voidResult },
  {
    key: "REPLY_DECLARED",
    label: "REPLY calculate, declared exception (field 1)",
    name: "calculate",
    type: MessageType.REPLY,
    seqid: SEQ.declared,
    body: declaredResult,
  },
  {
    key: "EXCEPTION",
    label: "EXCEPTION crash, TApplicationException",
    name: "crash",
    type: MessageType.EXCEPTION,
    seqid: SEQ.exception,
    body: applicationException(thrift.Thrift.TApplicationExceptionType.UNKNOWN, "boom"),
  },
  {
    key: "MUX_CALL",
    label: "CALL Calculator:calculate through npm thrift's multiplexer",
    name: "Calculator:calculate",
    type: MessageType.CALL,
    seqid: SEQ.mux,
    body: calculateArgs,
    mux: true,
  },
];

/** npm thrift's multiplexed protocol class for `protocol` (what Multiplexer.createClient hands a service client). */
function multiplexed(protocolClass: any): any {
  const connection = { transport: thrift.TBufferedTransport, protocol: protocolClass, seqId2Service: {} as Record<number, string> };
  function FakeClient(this: any, output: any, pClass: any) {
    this.output = output;
    this.pClass = pClass;
  }
  const client = new thrift.Multiplexer().createClient("Calculator", { Client: FakeClient }, connection);
  return client.pClass;
}

const vectorsByKind: Record<string, string[]> = {};
const bytesByName: Record<string, Buffer> = {};

for (const kind of KINDS) {
  vectorsByKind[kind.key] = [];
  for (const [transport, protocol, prefix, label] of COMBOS) {
    const headers = transport === "header" ? CALL_HEADERS : {};
    let bytes: Buffer;
    if (kind.mux) {
      // npm thrift's multiplexer wraps the protocol class (THeaderProtocol too) and writes "Calculator:calculate".
      const protocolClass = multiplexed(transport === "header" ? thrift.THeaderProtocol : PROTOCOLS[protocol]);
      bytes = message(transport, protocol, "calculate", kind.type, kind.seqid, kind.body, headers, protocolClass);
    } else {
      bytes = message(transport, protocol, kind.name, kind.type, kind.seqid, kind.body, headers);
    }
    check(transport, protocol, bytes, kind.name, kind.type, kind.seqid, headers);
    const name = `${prefix}_${kind.key}`;
    bytesByName[name] = bytes;
    file.bytes(name, bytes, `${label}: ${kind.label}, seqid ${kind.seqid}` + (transport === "header" ? ", info headers x-trace-id=abc123 tenant=blue" : ""));
    vectorsByKind[kind.key].push(name);
  }
}
for (const kind of KINDS) file.list(`${kind.key}S`, vectorsByKind[kind.key], `${kind.label}, in the order of COMBO_NAMES`);
file.strings("COMBO_NAMES", COMBOS.map((c) => c[3]), "The transport × protocol of each entry of the lists above");
file.array("COMBO_TRANSPORTS", "Array<i32>", COMBOS.map((c) => TRANSPORT_ID[c[0]]), "Their Transport (1 framed, 2 unframed, 3 header)");
file.array("COMBO_COMPACT", "Array<bool>", COMBOS.map((c) => c[1] === "compact"), "Whether their protocol is compact");
file.array("SEQIDS", "Array<u32>", [SEQ.call, SEQ.oneway, SEQ.ok, SEQ.void, SEQ.declared, SEQ.exception, SEQ.mux >>> 0], "Sequence ids: call, oneway, reply ok, reply void, reply declared, exception, multiplexed call");

// -- 2. Unframed messages with every field type ------------------------------------------------------------------------

file.section("2. Unframed CALLs whose argument struct holds each field type (frameSize walks them)");

const nested = (depth: number): Writer => (depth == 0 ? struct([[1, Type.I32, i32(depth)]]) : struct([[1, Type.STRUCT, nested(depth - 1)], [2, Type.BYTE, byte(depth)]]));
const longString = "x".repeat(300);
const FIELD_CASES: Array<[string, Array<[number, number, Writer]>]> = [
  ["BOOL_TRUE", [[1, Type.BOOL, bool(true)]]],
  ["BOOL_FALSE", [[1, Type.BOOL, bool(false)]]],
  ["BYTE", [[1, Type.BYTE, byte(-128)]]],
  ["I16", [[1, Type.I16, i16(-32768)]]],
  ["I32", [[1, Type.I32, i32(-2147483648)]]],
  ["I64", [[1, Type.I64, i64("8000000000000000")], [2, Type.I64, i64("7fffffffffffffff")]]],
  ["DOUBLE", [[1, Type.DOUBLE, double(-1.5e300)]]],
  ["STRING", [[1, Type.STRING, string("héllo, wörld")]]],
  ["STRING_EMPTY", [[1, Type.STRING, string("")]]],
  ["STRING_LONG", [[1, Type.STRING, string(longString)]]],
  ["BINARY", [[1, Type.STRING, binary(Buffer.from([0x00, 0x80, 0xff, 0x0b, 0x00]))]]],
  ["BINARY_EMPTY", [[1, Type.STRING, binary(Buffer.alloc(0))]]],
  ["UUID", [[1, Type.UUID, uuid("00112233-4455-6677-8899-aabbccddeeff")]]],
  ["STRUCT", [[1, Type.STRUCT, struct([[1, Type.STRING, string("n")], [2, Type.I32, i32(3)], [3, Type.BOOL, bool(true)]])]]],
  ["STRUCT_EMPTY", [[1, Type.STRUCT, struct([])]]],
  ["STRUCT_NESTED", [[1, Type.STRUCT, nested(10)]]],
  ["MAP", [[1, Type.MAP, map(Type.STRING, Type.I32, [[string("a"), i32(1)], [string("bb"), i32(-2)]])]]],
  ["MAP_EMPTY", [[1, Type.MAP, map(Type.STRING, Type.I32, [])]]],
  ["MAP_BOOL", [[1, Type.MAP, map(Type.BOOL, Type.BOOL, [[bool(true), bool(false)]])]]],
  ["SET", [[1, Type.SET, set(Type.I16, [i16(1), i16(300), i16(-5)])]]],
  ["SET_EMPTY", [[1, Type.SET, set(Type.STRING, [])]]],
  ["LIST", [[1, Type.LIST, list(Type.DOUBLE, [double(1), double(-0.5)])]]],
  ["LIST_EMPTY", [[1, Type.LIST, list(Type.I32, [])]]],
  ["LIST_BOOL", [[1, Type.LIST, list(Type.BOOL, [bool(true), bool(false), bool(true)])]]],
  ["LIST_LONG", [[1, Type.LIST, list(Type.I32, Array.from({ length: 40 }, (_, i) => i32(i * 1000)))]]],
  ["LIST_STRUCT", [[1, Type.LIST, list(Type.STRUCT, [struct([[1, Type.I32, i32(1)]]), struct([])])]]],
  [
    "NESTED_CONTAINERS",
    [
      [
        1,
        Type.LIST,
        list(Type.MAP, [
          map(Type.STRING, Type.LIST, [[string("k"), list(Type.SET, [set(Type.I64, [i64(1), i64(2)]), set(Type.I64, [])])]]),
          map(Type.STRING, Type.LIST, []),
        ]),
      ],
      [2, Type.MAP, map(Type.I32, Type.MAP, [[i32(1), map(Type.STRING, Type.STRUCT, [[string(""), struct([[7, Type.LIST, list(Type.STRING, [string("")])]])]])]])],
    ],
  ],
  // Field ids the compact protocol cannot delta-encode: 0, large, decreasing, negative.
  ["FIELD_IDS", [[300, Type.I32, i32(1)], [2, Type.BOOL, bool(true)], [-1, Type.STRING, string("neg")], [0, Type.BOOL, bool(false)], [32767, Type.BYTE, byte(1)]]],
];

const allFields: Array<[number, number, Writer]> = FIELD_CASES.flatMap(([, fields], i) => fields.map(([id, type, w]) => [i * 10 + (id & 7), type, w] as [number, number, Writer]));
FIELD_CASES.push(["ALL", allFields]);

for (const protocol of ["binary", "compact"] as Protocol[]) {
  const list: string[] = [];
  for (const [key, fields] of FIELD_CASES) {
    const name = `UNFRAMED_${protocol.toUpperCase()}_FIELD_${key}`;
    const method = "m_" + key.toLowerCase();
    const bytes = message("unframed", protocol, method, MessageType.CALL, 3, struct(fields));
    check("unframed", protocol, bytes, method, MessageType.CALL, 3);
    file.bytes(name, bytes, `unframed ${protocol} CALL ${method}, seqid 3`);
    list.push(name);
  }
  file.list(`UNFRAMED_${protocol.toUpperCase()}_FIELDS`, list, `The unframed ${protocol} messages above, in the order of FIELD_CASES`);
}
file.strings("FIELD_CASES", FIELD_CASES.map(([key]) => key.toLowerCase()), "What each message's argument struct holds");

// -- 3. THeader: info headers, mutation, transforms ------------------------------------------------------------------

file.section("3. THeader frames for mutation and transforms");

function headerCall(protocol: Protocol, headers: Record<string, string>): Buffer {
  const bytes = message("header", protocol, "calculate", MessageType.CALL, SEQ.call, calculateArgs, headers);
  check("header", protocol, bytes, "calculate", MessageType.CALL, SEQ.call, headers);
  return bytes;
}

for (const protocol of ["binary", "compact"] as Protocol[]) {
  const P = protocol.toUpperCase();
  const ab = headerCall(protocol, { a: "1", b: "2" });
  file.bytes(`HEADER_${P}_AB`, ab, `THeader ${protocol}: CALL calculate, seqid 7, info headers a=1 b=2`);
  const mutated = headerCall(protocol, { a: "1", b: "3", c: "4" });
  file.bytes(`HEADER_${P}_AB_MUTATED`, mutated, `The same CALL as npm thrift writes it with info headers a=1 b=3 c=4 (what mutating b=3 c=4 gives)`);
  const padded = headerCall(protocol, { a: "1", b: "33", c: "4" });
  assert((padded.readUInt16BE(12) * 4) % 4 === 0 && padded[14 + padded.readUInt16BE(12) * 4 - 1] === 0, "padded header ends in zeros");
  file.bytes(`HEADER_${P}_AB_MUTATED_PADDED`, padded, `The same CALL with info headers a=1 b=33 c=4 (17 header bytes: 3 bytes of padding)`);
  // The payload (the message) is the same bytes in all three.
  const payload = (b: Buffer) => b.subarray(14 + b.readUInt16BE(12) * 4);
  assert(payload(ab).equals(payload(mutated)) && payload(ab).equals(payload(padded)), "same payload");
  const none = headerCall(protocol, {});
  file.bytes(`HEADER_${P}_NO_HEADERS`, none, `THeader ${protocol}: CALL calculate, seqid 7, no info headers`);
}

// Hand-built from HEADER_BINARY_AB (npm thrift cannot write transforms): transform ZLIB (id 1), the payload deflated.
{
  const ab = bytesByName["HEADER_BINARY_CALL"];
  const payload = ab.subarray(14 + ab.readUInt16BE(12) * 4);
  const compressed = deflateSync(payload);
  const info = Buffer.from([0x01, 0x01, 0x05, ...Buffer.from("route"), 0x04, ...Buffer.from("blue")]);
  let header = Buffer.concat([Buffer.from([0x00, 0x01, 0x01]), info]); // binary, 1 transform: zlib
  header = Buffer.concat([header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
  const fixed = Buffer.alloc(14);
  fixed.writeUInt32BE(10 + header.length + compressed.length, 0);
  fixed.writeUInt16BE(0x0fff, 4);
  fixed.writeUInt16BE(0, 6);
  fixed.writeUInt32BE(SEQ.call, 8);
  fixed.writeUInt16BE(header.length / 4, 12);
  const frame = Buffer.concat([fixed, header, compressed]);
  // npm thrift refuses transforms; check the layout by hand instead.
  let failed = false;
  try {
    readBack("header", "binary", frame);
  } catch (e) {
    failed = /Transforms are not yet supported/.test(String(e));
  }
  assert(failed, "npm thrift should refuse the transform");
  file.bytes("HEADER_TRANSFORMED", frame, "HAND-BUILT: THeader binary, seqid 7, transform zlib (1), info header route=blue, payload = deflate(HEADER_BINARY_CALL's)");
}

// Hand-built from HEADER_BINARY_AB: a persistent info block (id 2, p=x) after the key/value block (npm thrift writes neither
// persistent headers nor reads them).
{
  const ab = bytesByName["HEADER_BINARY_CALL"];
  const payload = ab.subarray(14 + ab.readUInt16BE(12) * 4);
  let header = Buffer.from([0x00, 0x00, 0x01, 0x01, 0x01, 0x61, 0x01, 0x31, 0x02, 0x01, 0x01, 0x70, 0x01, 0x78]);
  header = Buffer.concat([header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
  const fixed = Buffer.alloc(14);
  fixed.writeUInt32BE(10 + header.length + payload.length, 0);
  fixed.writeUInt16BE(0x0fff, 4);
  fixed.writeUInt32BE(SEQ.call, 8);
  fixed.writeUInt16BE(header.length / 4, 12);
  const frame = Buffer.concat([fixed, header, payload]);
  const r = readBack("header", "binary", frame);
  assert(r.headers.a === "1" && r.name === "calculate", "npm thrift reads the key/value block");
  file.bytes("HEADER_PERSISTENT", frame, "HAND-BUILT: THeader binary CALL calculate, seqid 7, info a=1 then a persistent block (id 2) p=x");
}

// -- 4. Error replies ---------------------------------------------------------------------------------------------------

file.section("4. Error replies: EXCEPTION messages carrying TApplicationException {message, type 6 INTERNAL_ERROR}");

const ERROR_MESSAGE = "no route for Calculator: café";
file.constant("ERROR_MESSAGE", null, JSON.stringify(ERROR_MESSAGE), "The message the tests pass to encodeError");
{
  const list: string[] = [];
  for (const [transport, protocol, prefix, label] of COMBOS) {
    // The request each error answers is <prefix>_CALL, except unframed compact, which answers the multiplexed call.
    const seqid = prefix === "UNFRAMED_COMPACT" ? SEQ.mux : SEQ.call;
    const bytes = message(transport, protocol, "calculate", MessageType.EXCEPTION, seqid, applicationException(6, ERROR_MESSAGE));
    // Decoded with npm thrift's TApplicationException reader.
    const x = new thrift.Thrift.TApplicationException();
    const r = readBack(transport, protocol, bytes, (p) => x.read(p));
    assert(r.name === "calculate" && r.type === MessageType.EXCEPTION && (r.seqid | 0) === (seqid | 0), "error header");
    assert(x.type === 6 && x.message === ERROR_MESSAGE, "error body");
    if (transport === "header") assert(((r.headerSeqid ?? 0) | 0) === (seqid | 0) && Object.keys(r.headers).length === 0, "error THeader");
    const name = `${prefix}_ERROR`;
    file.bytes(name, bytes, `${label}: EXCEPTION calculate, seqid ${seqid}, TApplicationException(6, ERROR_MESSAGE), npm thrift's writer`);
    list.push(name);
  }
  file.list("ERRORS", list, "The error replies above, in the order of COMBO_NAMES (unframed compact answers UNFRAMED_COMPACT_MUX_CALL)");
}

// -- 5. Wire captures of the real peers ---------------------------------------------------------------------------------

file.section("5. Wire captures of the real peers (test/peers/thrift/golden.json, written by test/peers/thrift/capture_golden.ts)");
{
  const requests: string[] = [];
  const replies: string[] = [];
  const labels: string[] = [];
  const transports: number[] = [];
  const methods: string[] = [];
  const services: string[] = [];
  const seqids: number[] = [];
  const replyErrors: boolean[] = [];
  const oneways: boolean[] = [];
  const requestHeaders: string[] = [];
  const replyHeaders: string[] = [];
  const headerText = (h: Record<string, string> | undefined) =>
    Object.entries(h ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(";");
  if (existsSync(goldenPath)) {
    const data = JSON.parse(readFileSync(goldenPath, "utf8"));
    const entries = Object.entries(data.vectors as Record<string, any>);
    assert(entries.length > 0, "golden.json holds no vectors");
    for (const [key, v] of entries) {
      const transport: Transport = v.transport === "buffered" ? "unframed" : v.transport;
      const protocol: Protocol = v.protocol;
      assert(transport in TRANSPORT_ID && protocol in PROTOCOLS, `golden ${key}: ${v.transport} ${v.protocol}`);
      const name = "GOLDEN_" + key.toUpperCase();
      const request = Buffer.from(v.request, "hex");
      const oneway = v.reply === "";
      const kind = oneway ? MessageType.ONEWAY : MessageType.CALL;
      check(transport, protocol, request, v.name, kind, v.seqid, v.requestHeaders ?? {});
      file.bytes(`${name}_REQUEST`, request, `captured, ${v.client} client, ${v.transport} ${protocol}: ${v.note}`);
      requests.push(`${name}_REQUEST`);
      let error = false;
      if (oneway) {
        file.raw(`export const ${name}_REPLY: StaticArray<u8> = [];`, "");
      } else {
        const reply = Buffer.from(v.reply, "hex");
        // The reply's status as npm thrift reads it: EXCEPTION, or a REPLY whose result struct starts with a field other than 0.
        let type = 0;
        let firstField = -1;
        const r = readBack(transport, protocol, reply, (p) => {
          p.readStructBegin();
          const f = p.readFieldBegin();
          firstField = f.ftype === Type.STOP ? -1 : f.fid;
          if (f.ftype !== Type.STOP) {
            p.skip(f.ftype);
            p.readFieldEnd();
            for (let g = p.readFieldBegin(); g.ftype !== Type.STOP; g = p.readFieldBegin()) p.skip(g.ftype);
          }
          p.readStructEnd();
        });
        type = r.type;
        assert(type === MessageType.REPLY || type === MessageType.EXCEPTION, `golden ${key}: reply type ${type}`);
        assert((r.seqid | 0) === (v.seqid | 0), `golden ${key}: reply seqid`);
        assert(JSON.stringify(r.headers) === JSON.stringify(transport === "header" ? (v.replyHeaders ?? {}) : {}), `golden ${key}: reply headers`);
        error = type === MessageType.EXCEPTION || firstField > 0;
        file.bytes(`${name}_REPLY`, reply, `captured reply to ${name}_REQUEST: ` + (type === MessageType.EXCEPTION ? "EXCEPTION" : `REPLY, first result field ${firstField}`));
      }
      replies.push(`${name}_REPLY`);
      labels.push(key);
      transports.push(TRANSPORT_ID[transport]);
      const colon = v.name.indexOf(":");
      methods.push(colon < 0 ? v.name : v.name.slice(colon + 1));
      services.push(colon < 0 ? "" : v.name.slice(0, colon));
      seqids.push(v.seqid >>> 0);
      replyErrors.push(error);
      oneways.push(oneway);
      requestHeaders.push(headerText(v.requestHeaders));
      replyHeaders.push(headerText(transport === "header" ? v.replyHeaders : undefined));
    }
  } else {
    file.raw("// test/peers/thrift/golden.json did not exist when these vectors were generated.", "");
  }
  file.list("GOLDEN_REQUESTS", requests, "Captured requests");
  file.list("GOLDEN_REPLIES", replies, "Their captured replies (empty for oneway calls)");
  file.strings("GOLDEN_LABELS", labels, "The golden.json key of each capture");
  file.array("GOLDEN_TRANSPORTS", "Array<i32>", transports, "Their Transport (1 framed, 2 unframed, 3 header)");
  file.strings("GOLDEN_METHODS", methods, "The method of each request (and of its reply)");
  file.strings("GOLDEN_SERVICES", services, "The service of each multiplexed request, else \"\"");
  file.array("GOLDEN_SEQIDS", "Array<u32>", seqids, "Their sequence ids");
  file.array("GOLDEN_REPLY_ERRORS", "Array<bool>", replyErrors, "Whether each reply is an error (EXCEPTION, or a declared exception) as npm thrift reads it");
  file.array("GOLDEN_ONEWAY", "Array<bool>", oneways, "Whether each request is a oneway call");
  file.strings("GOLDEN_REQUEST_HEADERS", requestHeaders, "THeader info headers of each request, k=v;k=v");
  file.strings("GOLDEN_REPLY_HEADERS", replyHeaders, "THeader info headers of each reply, k=v;k=v");
}

const count = file.write(outPath);
console.log(`wrote ${outPath}: ${count} constants`);

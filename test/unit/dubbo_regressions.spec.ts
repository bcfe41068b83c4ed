// Regression tests of the Dubbo codec bugs found by the unit tests of dubbo_codec.spec.ts / hessian2_reader.spec.ts
// (values from test/unit/dubbo_vectors.ts, written by hessian.js 2.11.0).
import { ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { StreamResult } from "../../assembly/core/frame_stream";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { countArguments, DubboCodec, DubboProtocol } from "../../filters/dubbo/codec";
import { TestPlugin } from "./support";
import { HEADER_SIZE, bufferBytes, bytesOf, firstDifference, hasKey, hexBytes, readerOver, view } from "./dubbo_support";
import {
  ERROR_REPLY_EMOJI,
  GOLDEN_SOFA_HEARTBEAT_REQUEST,
  JAVA_HASHMAP_MUTATED,
  JAVA_HASHMAP_REQUEST,
  JAVA_HASHMAP_REQUEST_ARGS_END,
  TYPE_REF_ATTACHMENTS_REQUEST,
  TYPED_INNER_REF_MUTATED,
  TYPED_INNER_REF_REQUEST,
} from "./dubbo_vectors";

const codec = new DubboCodec();

function expectSameBytes(actual: Uint8Array, expected: StaticArray<u8>): void {
  expect(actual.length).toBe(expected.length, "length");
  expect(firstDifference(actual, expected)).toBe(-1, "first differing byte");
}

/** Decodes `frame` as a request and applies x-request-id=req-42 (new) and timeout=5000 (replacing) to it. */
function mutated(frame: StaticArray<u8>): Uint8Array {
  const md = new Metadata();
  expect(codec.decode(bytesOf(frame), Direction.Request, md)).toBeNull();
  const mutation = new Mutation();
  mutation.set("x-request-id", "req-42");
  mutation.set("timeout", "5000");
  const out = new ByteBuffer();
  expect(codec.mutate(bytesOf(frame), md, mutation, out)).toBe(true);
  return bufferBytes(out);
}

describe("dubbo codec regressions", () => {
  it("writes a supplementary char (emoji) as Java and hessian.js do: each surrogate as a 3-byte sequence", () => {
    const request = new Metadata();
    request.requestId = 0x0102030405060708;
    const out = new ByteBuffer();
    codec.encodeError(request, ErrorType.Unspecified, "boom 😀", out);
    expectSameBytes(bufferBytes(out), ERROR_REPLY_EMOJI);
  });

  it("reads attachments whose map type is an int type reference (M 90 ...)", () => {
    const md = new Metadata();
    expect(codec.decode(bytesOf(TYPE_REF_ATTACHMENTS_REQUEST), Direction.Request, md)).toBeNull();
    expect(md.get("trace-id")).toBe("t-9");
    expect(md.get("method")).toBe("put");
    expect(hasKey(md, "interface")).toBe(true);
  });

  it("keeps typed 'M' attachments typed when mutating, exactly as hessian.js encodes the result", () => {
    const bytes = mutated(JAVA_HASHMAP_REQUEST);
    expectSameBytes(bytes, JAVA_HASHMAP_MUTATED);
    expect(bytes[HEADER_SIZE + JAVA_HASHMAP_REQUEST_ARGS_END]).toBe(0x4d);
  });

  it("keeps typed attachments typed, so that a type ref inside them still resolves", () => {
    expectSameBytes(mutated(TYPED_INNER_REF_REQUEST), TYPED_INNER_REF_MUTATED);
  });

  it("refuses UTF-8 lead bytes 0xf8-0xff", () => {
    const r = readerOver(hexBytes("02 ff 80 80 80"));
    expect(r.skipValue()).toBe(false);
    expect(r.error).toBe("invalid UTF-8 in string");
    const r2 = readerOver(hexBytes("02 f8 88 80 80"));
    expect(r2.skipValue()).toBe(false);
    expect(r2.error).toBe("invalid UTF-8 in string");
  });

  it("skipValue returns false when a fixed list's length is cut", () => {
    const r = readerOver(hexBytes("58 49 00"));
    expect(r.skipValue()).toBe(false);
    expect(r.error).toBe("message ended inside a value");
    const r2 = readerOver(hexBytes("56 04 5b 69 6e 74 49 00"));
    expect(r2.skipValue()).toBe(false);
    expect(r2.error).toBe("message ended inside a value");
  });

  it("a descriptor ending in '[' is malformed", () => {
    const bytes = String.UTF8.encode("I[");
    expect(countArguments(changetype<usize>(bytes), bytes.byteLength)).toBe(-1);
    const bare = String.UTF8.encode("[");
    expect(countArguments(changetype<usize>(bare), bare.byteLength)).toBe(-1);
  });

  it("a map key without its value is refused", () => {
    const r = readerOver(hexBytes("48 01 61 5a"));
    expect(r.skipValue()).toBe(false);
    expect(r.error).toBe("map key without a value");
  });
});

describe("hessian2 reader: UTF-8 bounds", () => {
  it("refuses lead bytes 0xf5-0xf7, which no UTF-8 sequence starts with", () => {
    const lead: StaticArray<string> = ["f5", "f6", "f7"];
    for (let i = 0; i < lead.length; i++) {
      const r = readerOver(hexBytes("02 " + lead[i] + " 80 80 80"));
      expect(r.skipValue()).toBe(false, "lead byte 0x" + lead[i]);
      expect(r.error).toBe("invalid UTF-8 in string");
    }
  });

  it("refuses a 4-byte sequence (two UTF-16 units) where the length leaves only one unit", () => {
    const r = readerOver(hexBytes("01 f0 9f 98 80"));
    expect(r.skipValue()).toBe(false);
  });
});

describe("dubbo mutation of an attachment whose value is not a string", () => {
  it("keeps the old entry (it may define a class or type later entries use) and appends the new one after it", () => {
    // version "2.0.2", path "S", version "", method "m", no arguments, attachments {k: {a: "b"}, z: "1"}
    const frame = hexBytes("da bb c2 00 00 00 00 00 00 00 00 01 00 00 00 1a" +
      "05 32 2e 30 2e 32 01 53 00 01 6d 00" + "48 01 6b 48 01 61 01 62 5a 01 7a 01 31 5a");
    const codec = new DubboCodec();
    const md = new Metadata();
    expect(codec.decode(view(frame), Direction.Request, md)).toBeNull();
    const mutation = new Mutation();
    mutation.set("k", "new");
    const out = new ByteBuffer();
    expect(codec.mutate(view(frame), md, mutation, out)).toBe(true);
    const mutated = bufferBytes(out);
    const expected = hexBytes("da bb c2 00 00 00 00 00 00 00 00 01 00 00 00 20" +
      "05 32 2e 30 2e 32 01 53 00 01 6d 00" + "48 01 6b 48 01 61 01 62 5a 01 7a 01 31 01 6b 03 6e 65 77 5a");
    expect(mutated.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(mutated[i]).toBe(expected[i], "byte " + i.toString());
    const again = new Metadata();
    expect(codec.decode(view(mutated), Direction.Request, again)).toBeNull();
    expect(again.get("k")).toBe("new");
    expect(again.get("z")).toBe("1");
  });
});

describe("heartbeats through a plugin that mutates every request", () => {
  it("go on untouched: no attachments to set, and not a mutation the protocol could not carry", () => {
    const t = new TestPlugin('{"stat_prefix": "test", "request_mutation": [{"key": "x-mesh", "value": "wasm"}]}', new DubboProtocol());
    const c = new TcpConnection(1, t.plugin);
    const heartbeat = GOLDEN_SOFA_HEARTBEAT_REQUEST;
    expect(c.onData(Direction.Request, changetype<usize>(heartbeat), heartbeat.length, false, 0)).toBe(StreamResult.PassThrough);
    t.plugin.stats.flush();
    expect(t.sink.value("request_event")).toBe(1);
    expect(t.sink.value("mutation_unsupported")).toBe(0);
  });
});

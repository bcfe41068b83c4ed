// The Thrift codec (filters/thrift/codec.ts) on input that is not valid Thrift: every case must end in a clean answer
// (frameSize MALFORMED, or a decode error string), never a trap. Hand-built bytes are written out in hex next to what
// they are; the valid messages they are cut from are npm thrift's (test/unit/thrift_vectors.ts).
import { Bytes } from "../../assembly/lib/bytes";
import { Direction, MALFORMED, NEED_MORE_DATA } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { ThriftCodec, Transport } from "../../filters/thrift/codec";
import { MAX_DEPTH } from "../../filters/thrift/protocol";
import { hexOf, hexVector, joinVectors, vectorBytes, vectorCopy } from "./support";
import { BINARY_CALL, COMPACT_CALL, expectMalformed, MESSAGE_KINDS, sizeOf } from "./thrift_support";
import {
  CALLS,
  COMBO_NAMES,
  COMBO_TRANSPORTS,
  ERRORS,
  GOLDEN_REPLIES,
  GOLDEN_REQUESTS,
  HEADER_BINARY_AB,
  HEADER_PERSISTENT,
  HEADER_TRANSFORMED,
  UNFRAMED_BINARY_FIELDS,
  UNFRAMED_COMPACT_FIELDS,
} from "./thrift_vectors";

/** A frame that sizes to its own length and must fail to decode in `direction`. */
function expectDecodeError(text: string, direction: Direction, label: string): void {
  const frame = hexVector(text);
  const codec = new ThriftCodec();
  if (frame.length < 8) {
    // Too short to be a connection's first frame (detection needs 8 bytes): a good frame of its kind comes first.
    const first = frame.length > 4 && frame[4] == 0x82 ? CALLS[1] : frame.length > 5 && frame[4] == 0x0f ? CALLS[4] : CALLS[0];
    expect(codec.frameSize(vectorBytes(first))).toBe(first.length, label + ": first frame");
  }
  expect(codec.frameSize(vectorBytes(frame))).toBe(frame.length, label + ": frame size of " + text);
  const error = codec.decode(vectorBytes(frame), direction, new Metadata());
  expect(error).not.toBeNull(label + ": " + text);
}

/** The 4-byte big-endian length of `body` (hex), then `body`: a framed or THeader frame. */
function framed(body: string): string {
  const n = <u32>hexVector(body).length;
  let text = "";
  for (let i = 0; i < 4; i++) {
    const b = (n >> (<u32>(24 - 8 * i))) & 0xff;
    text += (b < 16 ? "0" : "") + b.toString(16) + " ";
  }
  return text + "| " + body;
}

/** The bytes of the hex `text`, `count` times. */
function repeat(text: string, count: i32): StaticArray<u8> {
  const unit = hexVector(text);
  const out = new StaticArray<u8>(unit.length * count);
  for (let i = 0; i < count; i++) memory.copy(changetype<usize>(out) + <usize>(i * unit.length), changetype<usize>(unit), <usize>unit.length);
  return out;
}

/** The parts, one after the other. */
function cat(parts: Array<StaticArray<u8>>): StaticArray<u8> {
  let out = new StaticArray<u8>(0);
  for (let i = 0; i < parts.length; i++) out = joinVectors(out, parts[i]);
  return out;
}

describe("thrift codec: malformed frame sizes", () => {
  it("refuses a framed or THeader length of zero", () => {
    expectMalformed("00 00 00 00 | 80 01 00 01", "framed binary, length 0");
    expectMalformed("00 00 00 00 | 82 21 01 01", "framed compact, length 0");
    expectMalformed("00 00 00 00 | 0f ff 00 00", "THeader, length 0");
  });

  it("refuses a negative framed or THeader length", () => {
    expectMalformed("ff ff ff ff | 80 01 00 01", "framed binary, length -1");
    expectMalformed("80 00 00 10 | 80 01 00 01", "framed binary, length -2^31+16");
    expectMalformed("ff ff ff f0 | 82 21 01 01", "framed compact, length -16");
    expectMalformed("80 00 00 00 | 0f ff 00 00", "THeader, length -2^31");
  });

  it("refuses a length whose frame size would not fit a signed 32-bit size", () => {
    expectMalformed("7f ff ff ff | 80 01 00 01", "framed binary, length 2^31-1");
    expectMalformed("7f ff ff fc | 82 21 01 01", "framed compact, length 2^31-4");
    const size = sizeOf(hexVector("7f ff ff fb | 80 01 00 01"));
    expect(size).toBe(i32.MAX_VALUE, "length 2^31-5: the largest frame that can be told");
  });

  it("refuses a bad length in a later frame of a connection", () => {
    for (let i = 0; i < CALLS.length; i++) {
      if (COMBO_TRANSPORTS[i] == Transport.Unframed) continue;
      const codec = new ThriftCodec();
      expect(codec.frameSize(vectorBytes(CALLS[i]))).toBe(CALLS[i].length);
      const zero = hexVector("00 00 00 00 00 00 00 00");
      expect(codec.frameSize(vectorBytes(zero))).toBe(MALFORMED, COMBO_NAMES[i] + ": length 0");
      const negative = hexVector("ff ff ff fe 00 00 00 00");
      expect(codec.frameSize(vectorBytes(negative))).toBe(MALFORMED, COMBO_NAMES[i] + ": length -2");
    }
  });
});

describe("thrift codec: lengths past the frame", () => {
  it("fails to decode a framed message whose method name runs past the frame", () => {
    expectDecodeError(framed("80 01 00 01 | 00 00 01 00 6d 00 00 00 01 00"), Direction.Request, "binary name length 256");
    expectDecodeError(framed("80 01 00 01 | 7f ff ff ff 6d 00 00 00 01 00"), Direction.Request, "binary name length 2^31-1");
    expectDecodeError(framed("80 01 00 01 | ff ff ff f0 6d 00 00 00 01 00"), Direction.Request, "binary name length -16");
    expectDecodeError(framed("82 21 01 | 40 6d 00"), Direction.Request, "compact name length 64");
    expectDecodeError(framed("82 21 01 | ff ff ff ff 07 6d 00"), Direction.Request, "compact name length 2^31-1");
  });

  it("fails to decode a framed message that ends inside its header", () => {
    expectDecodeError("00 00 00 02 | 80 01", Direction.Request, "binary, 2 bytes");
    expectDecodeError(framed("80 01 00 01 | 00 00 00 01 6d 00 00"), Direction.Request, "binary, inside the seqid");
    expectDecodeError(framed("82 21"), Direction.Request, "compact, 2 bytes");
    expectDecodeError(framed("82 21 81"), Direction.Request, "compact, inside the seqid varint");
  });

  it("fails to decode a framed REPLY that ends before its result struct", () => {
    expectDecodeError(framed("80 01 00 02 | 00 00 00 01 6d | 00 00 00 01"), Direction.Response, "binary");
    expectDecodeError(framed("82 41 01 01 6d"), Direction.Response, "compact");
    expectDecodeError(framed("80 01 00 02 | 00 00 00 01 6d | 00 00 00 01 | 0c 00"), Direction.Response, "binary, inside the field id");
    expectDecodeError(framed("82 41 01 01 6d | 0c"), Direction.Response, "compact, inside the long field id");
  });

  it("fails to decode a THeader frame shorter than its fixed header", () => {
    expectDecodeError("00 00 00 04 | 0f ff 00 00", Direction.Request, "length 4");
    expectDecodeError("00 00 00 09 | 0f ff 00 00 | 00 00 00 01 | 00", Direction.Request, "length 9");
  });

  it("fails to decode a THeader frame whose header size points past the frame", () => {
    // header size 0x100 words = 1024 bytes, in a frame of 24 bytes.
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 01 00 | 00 00 00 00 | 80 01 00 01 00 00 00 00"), Direction.Request, "1024 bytes");
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 02 | 00 00 00 00"), Direction.Request, "8 bytes, 4 there");
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | ff ff | 00 00 00 00"), Direction.Request, "0xffff words");
  });

  it("fails to decode THeader info headers whose lengths run past the header", () => {
    const payload = " | 80 01 00 01 00 00 00 01 6d 00 00 00 01 00";
    // header: protocol 0, no transforms, key/value block of 1 entry: key length 32 "a".
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 02 | 00 00 01 01 20 61 00 00" + payload), Direction.Request, "key length 32");
    // key "a", value length 100 "b".
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 02 | 00 00 01 01 01 61 64 62" + payload), Direction.Request, "value length 100");
    // key "a", value "b", but the block says 100 entries.
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 02 | 00 00 01 64 01 61 01 62" + payload), Direction.Request, "100 entries, 1 there");
    // key length as a 5-byte varint of 2^32-1.
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 03 | 00 00 01 01 ff ff ff ff 0f 61 00 00" + payload), Direction.Request, "key length 2^32-1");
  });

  it("fails to decode THeader varints that run past the frame or are too long", () => {
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 01 | ff ff ff ff"), Direction.Request, "protocol id varint past the frame");
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 02 | ff ff ff ff ff ff 00 00"), Direction.Request, "protocol id varint of 6 bytes");
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 01 | 00 7f 01 01"), Direction.Request, "127 transforms, 2 there");
  });

  it("never sizes an unframed message announcing a string longer than any frame", () => {
    // A string of 2^31-1 bytes cannot be in a frame this codec can size: whatever it answers, it must not be a size.
    let size = sizeOf(hexVector(BINARY_CALL + "0b 00 01 7f ff ff ff 61 62 63"));
    expect(size == MALFORMED || size == NEED_MORE_DATA).toBe(true, "binary string length 2^31-1");
    size = sizeOf(hexVector(COMPACT_CALL + "18 ff ff ff ff 07 61 62 63"));
    expect(size == MALFORMED || size == NEED_MORE_DATA).toBe(true, "compact binary length 2^31-1");
  });
});

describe("thrift codec: malformed containers", () => {
  it("refuses negative binary container sizes", () => {
    expectMalformed(BINARY_CALL + "0f 00 01 | 08 ff ff ff ff | 00", "list<i32> size -1");
    expectMalformed(BINARY_CALL + "0e 00 01 | 08 80 00 00 00 | 00", "set<i32> size -2^31");
    expectMalformed(BINARY_CALL + "0d 00 01 | 08 08 ff ff ff fe | 00", "map<i32,i32> size -2");
  });

  it("never sizes a message announcing a container of 2^31-1 elements with a few bytes behind it", () => {
    // No frame this codec can size holds 2^31-1 elements: whatever it answers, it must not be a size.
    const inputs: Array<string> = [
      BINARY_CALL + "0f 00 01 | 08 7f ff ff ff | 00 00 00 01 00", // list<i32>
      BINARY_CALL + "0e 00 01 | 03 7f ff ff ff | 01 02 03 00", // set<byte>
      BINARY_CALL + "0d 00 01 | 03 03 7f ff ff ff | 01 02 00", // map<byte,byte>
      COMPACT_CALL + "19 | f5 ff ff ff ff 07 | 02 04 00", // list<i32>
      COMPACT_CALL + "1a | f3 ff ff ff ff 07 | 01 02 00", // set<byte>
      COMPACT_CALL + "1b | ff ff ff ff 07 33 | 01 02 00", // map<byte,byte>
      COMPACT_CALL + "19 | f5 ff ff ff ff 0f | 02 04 00", // list<i32> of 2^32-1 (-1 as an i32)
    ];
    for (let i = 0; i < inputs.length; i++) {
      const size = sizeOf(hexVector(inputs[i]));
      expect(size == MALFORMED || size == NEED_MORE_DATA).toBe(true, inputs[i]);
    }
  });

  it("refuses unknown binary type ids, as fields and as elements", () => {
    const ids: Array<i32> = [1, 5, 7, 9, 17, 18, 20, 100, 127, 128, 255];
    for (let i = 0; i < ids.length; i++) {
      const id = (ids[i] < 16 ? "0" : "") + ids[i].toString(16);
      expectMalformed(BINARY_CALL + id + " 00 01 | 00 00 00 00 00 00 00 00 00", "field type " + ids[i].toString());
      expectMalformed(BINARY_CALL + "0f 00 01 | " + id + " 00 00 00 01 | 00 00 00 00 00 00 00 00 00", "list element type " + ids[i].toString());
      expectMalformed(BINARY_CALL + "0d 00 01 | " + id + " 08 00 00 00 01 | 00 00 00 00 00 00 00 00 00", "map key type " + ids[i].toString());
      expectMalformed(BINARY_CALL + "0d 00 01 | 08 " + id + " 00 00 00 01 | 00 00 00 00 00 00 00 00 00", "map value type " + ids[i].toString());
    }
  });

  it("refuses unknown compact type ids, as fields and as elements", () => {
    expectMalformed(COMPACT_CALL + "1e 00 00 00", "field type 14");
    expectMalformed(COMPACT_CALL + "1f 00 00 00", "field type 15");
    expectMalformed(COMPACT_CALL + "0e 02 00 00 00", "field type 14, long form");
    expectMalformed(COMPACT_CALL + "10 00 00 00", "field type 0 with a field id delta");
    expectMalformed(COMPACT_CALL + "19 | 1e 00 00 00", "list element type 14");
    expectMalformed(COMPACT_CALL + "1a | 1f 00 00 00", "set element type 15");
    expectMalformed(COMPACT_CALL + "1b | 01 e5 00 00 00", "map key type 14");
    expectMalformed(COMPACT_CALL + "1b | 01 5f 00 00 00", "map value type 15");
    expectMalformed(COMPACT_CALL + "19 | 10 00 00 00", "list element type 0");
  });
});

describe("thrift codec: depth bombs", () => {
  it("accepts nesting well within MAX_DEPTH", () => {
    const depth = MAX_DEPTH / 2;
    // binary: struct field 1 nested `depth` times, then an i32 and the STOPs.
    let bytes = cat([hexVector(BINARY_CALL), repeat("0c 00 01", depth), hexVector("08 00 01 00 00 00 07"), repeat("00", depth + 1)]);
    expect(sizeOf(bytes)).toBe(bytes.length, "binary structs");
    bytes = cat([hexVector(BINARY_CALL + "0f 00 01"), repeat("0f 00 00 00 01", depth), hexVector("08 00 00 00 00 00")]);
    expect(sizeOf(bytes)).toBe(bytes.length, "binary lists");
    bytes = cat([hexVector(COMPACT_CALL), repeat("1c", depth), hexVector("15 0e"), repeat("00", depth + 1)]);
    expect(sizeOf(bytes)).toBe(bytes.length, "compact structs");
    bytes = cat([hexVector(COMPACT_CALL + "19"), repeat("19", depth), hexVector("05 00")]);
    expect(sizeOf(bytes)).toBe(bytes.length, "compact lists");
  });

  it("refuses structs nested deeper than MAX_DEPTH", () => {
    const depths: Array<i32> = [MAX_DEPTH + 8, 1000, 100000];
    for (let i = 0; i < depths.length; i++) {
      const depth = depths[i];
      const d = depth.toString();
      expect(sizeOf(cat([hexVector(BINARY_CALL), repeat("0c 00 01", depth), repeat("00", depth + 1)]))).toBe(MALFORMED, "binary structs, depth " + d);
      expect(sizeOf(cat([hexVector(COMPACT_CALL), repeat("1c", depth), repeat("00", depth + 1)]))).toBe(MALFORMED, "compact structs, depth " + d);
    }
  });

  it("refuses lists, sets and maps nested deeper than MAX_DEPTH", () => {
    const depths: Array<i32> = [MAX_DEPTH + 8, 1000, 100000];
    for (let i = 0; i < depths.length; i++) {
      const depth = depths[i];
      const d = depth.toString();
      let bytes = cat([hexVector(BINARY_CALL + "0f 00 01"), repeat("0f 00 00 00 01", depth), hexVector("08 00 00 00 00 00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "binary lists, depth " + d);
      bytes = cat([hexVector(BINARY_CALL + "0e 00 01"), repeat("0e 00 00 00 01", depth), hexVector("08 00 00 00 00 00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "binary sets, depth " + d);
      // map<i32, map<i32, ...>>: key type, value type, count 1, key 0, then the value.
      bytes = cat([hexVector(BINARY_CALL + "0d 00 01"), repeat("08 0d 00 00 00 01 00 00 00 00", depth), hexVector("08 08 00 00 00 00 00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "binary maps, depth " + d);
      bytes = cat([hexVector(COMPACT_CALL + "19"), repeat("19", depth), hexVector("05 00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "compact lists, depth " + d);
      // map<i32, map<i32, ...>>: count 1, types (5 << 4 | 11), key 0, then the value; the innermost map is empty.
      bytes = cat([hexVector(COMPACT_CALL + "1b"), repeat("01 5b 00", depth), hexVector("00 00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "compact maps, depth " + d);
      // list<struct{1: list<struct{...}>}>
      bytes = cat([hexVector(COMPACT_CALL + "19"), repeat("1c 19", depth), hexVector("00"), repeat("00", depth), hexVector("00")]);
      expect(sizeOf(bytes)).toBe(MALFORMED, "compact list<struct<list>>, depth " + d);
    }
  });
});

describe("thrift codec: malformed compact varints and versions", () => {
  it("refuses varints longer than their type allows", () => {
    expectMalformed("82 21 | ff ff ff ff ff 01 | 01 6d 00", "seqid of 6 bytes");
    expectMalformed("82 21 01 | ff ff ff ff ff 01 | 6d 00", "name length of 6 bytes");
    expectMalformed(COMPACT_CALL + "15 ff ff ff ff ff 01 00", "i32 of 6 bytes");
    expectMalformed(COMPACT_CALL + "14 ff ff ff 01 00", "i16 of 4 bytes");
    expectMalformed(COMPACT_CALL + "16 ff ff ff ff ff ff ff ff ff ff 01 00", "i64 of 11 bytes");
    expectMalformed(COMPACT_CALL + "05 ff ff ff 01 02 00", "long-form field id of 4 bytes");
    expectMalformed(COMPACT_CALL + "18 ff ff ff ff ff 01 61 00", "binary length of 6 bytes");
    expectMalformed(COMPACT_CALL + "19 f5 ff ff ff ff ff 01 02 00", "list size of 6 bytes");
    expectMalformed(COMPACT_CALL + "1b ff ff ff ff ff 01 55 02 02 00", "map size of 6 bytes");
    expectDecodeError(framed("82 21 | ff ff ff ff ff 01 | 01 6d 00"), Direction.Request, "framed: seqid of 6 bytes");
  });

  it("refuses a compact version other than 1", () => {
    expectMalformed("82 22 01 01 6d 00", "version 2");
    expectMalformed("82 20 01 01 6d 00", "version 0");
    expectMalformed("82 3f 01 01 6d 00", "version 31");
    expectDecodeError(framed("82 22 01 01 6d 00"), Direction.Request, "framed: version 2");
    expectDecodeError(framed("0f ff 00 00 | 00 00 00 01 | 00 01 | 02 00 00 00 | 82 22 01 01 6d 00"), Direction.Request, "THeader: version 2");
  });

  it("refuses a binary version other than 1 once the transport is known", () => {
    const codec = new ThriftCodec();
    expect(codec.frameSize(vectorBytes(CALLS[0]))).toBe(CALLS[0].length);
    const frame = hexVector(framed("80 02 00 01 | 00 00 00 01 6d | 00 00 00 01 | 00"));
    expect(codec.frameSize(vectorBytes(frame))).toBe(frame.length);
    expect(codec.decode(vectorBytes(frame), Direction.Request, new Metadata())).not.toBeNull("version 2");
  });

  it("refuses unknown message types", () => {
    expectDecodeError(framed("80 01 00 05 | 00 00 00 01 6d | 00 00 00 01 | 00"), Direction.Request, "binary type 5");
    expectDecodeError(framed("80 01 00 00 | 00 00 00 01 6d | 00 00 00 01 | 00"), Direction.Request, "binary type 0");
    expectDecodeError(framed("82 a1 01 01 6d 00"), Direction.Request, "compact type 5");
    expectDecodeError(framed("82 e1 01 01 6d 00"), Direction.Response, "compact type 7");
    expectDecodeError(framed("82 01 01 01 6d 00"), Direction.Response, "compact type 0");
  });
});

describe("thrift codec: bytes that are no Thrift at all", () => {
  it("waits for 8 bytes, then refuses them", () => {
    const inputs: Array<string> = [
      "47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a 0d 0a", // GET / HTTP/1.1
      "50 52 49 20 2a 20 48 54 54 50 2f 32 2e 30 0d 0a", // PRI * HTTP/2.0
      "16 03 01 02 00 01 00 01 fc 03 03", // TLS ClientHello
      "00 00 00 00 00 00 00 00 00 00", // zeros
      "ff ff ff ff ff ff ff ff ff", // ones
      "80 02 00 01 00 00 00 01 6d", // binary version 2
    ];
    for (let i = 0; i < inputs.length; i++) {
      const bytes = hexVector(inputs[i]);
      for (let n = 0; n < 8; n++) {
        const size = new ThriftCodec().frameSize(vectorBytes(bytes, n));
        expect(size).toBe(NEED_MORE_DATA, inputs[i] + " prefix " + n.toString());
      }
      for (let n = 8; n <= bytes.length; n++) {
        expect(new ThriftCodec().frameSize(vectorBytes(bytes, n))).toBe(MALFORMED, inputs[i] + " prefix " + n.toString());
      }
    }
  });
});

describe("thrift codec: no input traps", () => {
  it("answers every truncation and single-byte corruption of every vector cleanly", () => {
    const vectors = new Array<StaticArray<u8>>();
    const lists = MESSAGE_KINDS.concat([ERRORS, UNFRAMED_BINARY_FIELDS, UNFRAMED_COMPACT_FIELDS, GOLDEN_REQUESTS, GOLDEN_REPLIES]);
    for (let l = 0; l < lists.length; l++) for (let i = 0; i < lists[l].length; i++) vectors.push(lists[l][i]);
    vectors.push(HEADER_BINARY_AB);
    vectors.push(HEADER_TRANSFORMED);
    vectors.push(HEADER_PERSISTENT);
    const values: Array<u8> = [0x00, 0x01, 0x7f, 0x80, 0xff];
    let runs = 0;
    for (let v = 0; v < vectors.length; v++) {
      const original = vectors[v];
      for (let at = 0; at < original.length; at++) {
        for (let k = 0; k < values.length; k++) {
          const bytes = vectorCopy(original);
          bytes[at] = values[k];
          runs += exercise(bytes, bytes.length);
        }
        runs += exercise(original, at); // a truncation
      }
    }
    expect(runs).toBeGreaterThan(10000);
  });
});

/** frameSize, then decode in both directions when a whole frame is there; checks the answers are in range. */
function exercise(bytes: StaticArray<u8>, length: i32): i32 {
  const codec = new ThriftCodec();
  const view = new Bytes().set(changetype<usize>(bytes), length);
  const size = codec.frameSize(view);
  if (size < MALFORMED) expect(size).toBeGreaterThanOrEqual(MALFORMED, "frameSize answer for " + hexOf(view.ptr, length));
  if (size > 0 && size <= length) {
    const frame = new Bytes().set(view.ptr, size);
    const md = new Metadata();
    codec.decode(frame, Direction.Request, md);
    md.reset();
    codec.decode(frame, Direction.Response, md);
  }
  return 1;
}

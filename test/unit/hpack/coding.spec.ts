// HPACK's primitives: integers (RFC 7541 Section 5.1 and its C.1 examples, limits), Huffman strings (every symbol,
// the code's lengths, and the strings Section 5.2 requires a decoder to reject).
import { ByteBuffer } from "../../../assembly/lib/bytes";
import { ByteReader } from "../../../assembly/lib/byte_reader";
import { codeLength, EOS, LONGEST_CODE } from "../../../assembly/lib/hpack/huffman_code";
import { huffmanDecode } from "../../../assembly/lib/hpack/huffman_decoder";
import { huffmanEncode, huffmanEncodedLength } from "../../../assembly/lib/hpack/huffman_encoder";
import { MAX_INTEGER, readInteger, writeInteger } from "../../../assembly/lib/hpack/integer";
import { bufferHex, fromHex } from "./hex";

function written(flags: u32, prefixBits: i32, value: u32): string {
  const out = new ByteBuffer();
  writeInteger(out, flags, prefixBits, value);
  return bufferHex(out);
}

function read(hex: string, prefixBits: i32): i64 {
  const bytes = fromHex(hex);
  return readInteger(new ByteReader().reset(bytes.ptr, bytes.length), prefixBits);
}

function huffmanRoundTrip(input: ByteBuffer): bool {
  const encoded = new ByteBuffer();
  huffmanEncode(input.ptr, input.length, huffmanEncodedLength(input.ptr, input.length), encoded);
  if (encoded.length != huffmanEncodedLength(input.ptr, input.length)) return false;
  const decoded = new ByteBuffer();
  if (!huffmanDecode(encoded.ptr, encoded.length, decoded)) return false;
  return decoded.length == input.length && memory.compare(decoded.ptr, input.ptr, <usize>input.length) == 0;
}

function huffmanDecodes(hex: string): bool {
  const bytes = fromHex(hex);
  return huffmanDecode(bytes.ptr, bytes.length, new ByteBuffer());
}

describe("HPACK integers", () => {
  it("C.1: 10 and 1337 with a 5-bit prefix, 42 at a byte boundary", () => {
    expect(written(0, 5, 10)).toBe("0a");
    expect(written(0, 5, 1337)).toBe("1f9a0a");
    expect(written(0, 8, 42)).toBe("2a");
    expect(read("0a", 5)).toBe(10);
    expect(read("1f9a0a", 5)).toBe(1337);
    expect(read("2a", 8)).toBe(42);
  });

  it("keeps the bits above the prefix and ignores them when reading", () => {
    expect(written(0xe0, 5, 3)).toBe("e3");
    expect(read("e3", 5)).toBe(3);
  });

  it("a value equal to the prefix's maximum takes a zero continuation byte", () => {
    expect(written(0, 5, 31)).toBe("1f00");
    expect(read("1f00", 5)).toBe(31);
    expect(written(0, 7, 127)).toBe("7f00");
  });

  it("round-trips the largest accepted value; one more is refused", () => {
    for (let prefix = 1; prefix <= 8; prefix++) {
      const out = new ByteBuffer();
      writeInteger(out, 0, prefix, <u32>MAX_INTEGER);
      expect(readInteger(new ByteReader().reset(out.ptr, out.length), prefix)).toBe(MAX_INTEGER);
      const over = new ByteBuffer();
      writeInteger(over, 0, prefix, <u32>MAX_INTEGER + 1);
      expect(readInteger(new ByteReader().reset(over.ptr, over.length), prefix)).toBe(-1);
    }
  });

  it("refuses truncated integers, overlong encodings and values over 2^31 - 1", () => {
    expect(read("", 5)).toBe(-1);
    expect(read("1f", 5)).toBe(-1);
    expect(read("1f80", 5)).toBe(-1);
    expect(read("1fffffffff07", 5)).toBe(-1); // 31 + 2^35 - 1 > 2^31 - 1
    expect(read("1f808080808000", 5)).toBe(-1); // six continuation bytes for a small value
    expect(read("1f8080808000", 5)).toBe(31); // five are fine
  });
});

describe("HPACK Huffman coding", () => {
  it("the RFC 7541 C.4 and C.6 strings", () => {
    const out = new ByteBuffer();
    const text = new ByteBuffer();
    text.appendUtf8("www.example.com");
    huffmanEncode(text.ptr, text.length, huffmanEncodedLength(text.ptr, text.length), out);
    expect(bufferHex(out)).toBe("f1e3c2e5f23a6ba0ab90f4ff");
    out.clear();
    text.clear();
    text.appendUtf8("Mon, 21 Oct 2013 20:13:21 GMT");
    huffmanEncode(text.ptr, text.length, huffmanEncodedLength(text.ptr, text.length), out);
    expect(bufferHex(out)).toBe("d07abe941054d444a8200595040b8166e082a62d1bff");
  });

  it("every byte value alone, and all of them in a row, round-trip", () => {
    const one = new ByteBuffer();
    for (let b: u32 = 0; b < 256; b++) {
      one.clear();
      one.appendU8(b);
      expect(huffmanRoundTrip(one)).toBe(true);
    }
    const all = new ByteBuffer();
    for (let round = 0; round < 3; round++) for (let b: u32 = 0; b < 256; b++) all.appendU8((b * 7 + <u32>round) & 0xff);
    expect(huffmanRoundTrip(all)).toBe(true);
  });

  it("the empty string is no bytes", () => {
    expect(huffmanEncodedLength(0, 0)).toBe(0);
    expect(huffmanDecodes("")).toBe(true);
  });

  it("the code lengths make a complete code (the 2^-length sum to 1), as a canonical code needs", () => {
    let sum: u64 = 0;
    for (let symbol = 0; symbol <= EOS; symbol++) sum += <u64>1 << <u64>(LONGEST_CODE - codeLength(symbol));
    expect(sum).toBe(<u64>1 << <u64>LONGEST_CODE);
  });

  it("refuses EOS inside a string", () => {
    expect(huffmanDecodes("fffffffc")).toBe(false); // EOS (30 ones) then 00 padding
    expect(huffmanDecodes("ffffffff")).toBe(false); // EOS then ones
  });

  it("refuses padding longer than 7 bits, padding not made of ones, and a string ending inside a code", () => {
    expect(huffmanDecodes("1f")).toBe(true); // 'a' (00011) + 111
    expect(huffmanDecodes("1fff")).toBe(false); // 'a' + 11 ones of padding
    expect(huffmanDecodes("18")).toBe(false); // 'a' + 000
    expect(huffmanDecodes("ff")).toBe(false); // 8 ones
    expect(huffmanDecodes("fe")).toBe(false); // a 10-bit code cut at 8
  });
});

// The HPACK encoder's choices beyond RFC 7541's examples: no table (the connection's default), size updates when
// the table's limit changes, blocks that must not touch the table, and its output read back by the decoder.
import { ByteBuffer } from "../../../assembly/lib/bytes";
import { DecodeResult, HpackDecoder } from "../../../assembly/lib/hpack/decoder";
import { HpackEncoder } from "../../../assembly/lib/hpack/encoder";
import { HeaderList } from "../../../assembly/lib/hpack/header_list";
import { bufferHex } from "./hex";

function request(): HeaderList {
  const list = new HeaderList();
  list.addString(":method", "POST");
  list.addString(":scheme", "http");
  list.addString(":path", "/com.example.Greeter/sayHello");
  list.addString(":authority", "greeter");
  list.addString("content-type", "application/x-dubbo");
  list.addString("x-custom", "value");
  return list;
}

function encoded(encoder: HpackEncoder, list: HeaderList, independent: bool = false): string {
  const out = new ByteBuffer();
  encoder.encode(list, out, independent);
  return bufferHex(out);
}

describe("HPACK encoder", () => {
  it("without a table: the same bytes every time, static names indexed, literals not indexed", () => {
    const encoder = new HpackEncoder(0);
    encoder.huffman = false;
    const first = encoded(encoder, request());
    expect(encoded(encoder, request())).toBe(first);
    expect(first.substr(0, 6)).toBe("838604"); // :method POST, :scheme http, then :path (index 4) without indexing
    expect(first.indexOf("0008782d637573746f6d")).toBeGreaterThan(0); // x-custom: a new name, without indexing
  });

  it("with a table: the second block is all indices", () => {
    const encoder = new HpackEncoder(4096);
    encoded(encoder, request());
    expect(encoded(encoder, request())).toBe("8386c1c0bfbe");
  });

  it("signals a table smaller than the peer's, once, before the first field", () => {
    const encoder = new HpackEncoder(1024);
    expect(encoded(encoder, request()).substr(0, 6)).toBe("3fe107"); // size update 1024
    expect(encoded(encoder, request()).substr(0, 2)).toBe("83");
  });

  it("signals the smallest size reached between blocks, then the final one", () => {
    const encoder = new HpackEncoder(4096);
    encoded(encoder, request());
    encoder.setPeerTableSize(0);
    encoder.setPeerTableSize(2048);
    const block = encoded(encoder, request());
    expect(block.substr(0, 8)).toBe("203fe10f"); // 0, then 2048
  });

  it("independent blocks neither use nor change the table", () => {
    const encoder = new HpackEncoder(4096);
    encoded(encoder, request());
    const alone = new HpackEncoder(0);
    expect(encoded(encoder, request(), true)).toBe(encoded(alone, request()));
    expect(encoded(encoder, request())).toBe("8386c1c0bfbe");
  });

  it("what it writes, with and without a table and Huffman, the decoder reads back", () => {
    for (let variant = 0; variant < 4; variant++) {
      const encoder = new HpackEncoder(variant < 2 ? 0 : 256);
      encoder.huffman = (variant & 1) == 1;
      const decoder = new HpackDecoder(65536);
      const out = new ByteBuffer();
      const decoded = new HeaderList();
      for (let round = 0; round < 5; round++) {
        const list = request();
        list.addString("x-round", "value " + round.toString());
        list.addString("authorization", "secret", true);
        out.clear();
        encoder.encode(list, out);
        expect(decoder.decode(out.ptr, out.length, decoded)).toBe(DecodeResult.Ok);
        expect(decoded.count).toBe(list.count);
        for (let i = 0; i < list.count; i++) {
          expect(decoded.nameString(i)).toBe(list.nameString(i));
          expect(decoded.valueString(i)).toBe(list.valueString(i));
          expect(decoded.sensitive(i)).toBe(list.sensitive(i));
        }
      }
    }
  });
});

// The HPACK decoder on malformed blocks: each is a compression error (RFC 9113 COMPRESSION_ERROR, a connection
// error), never a trap; and the limits it keeps (header list size, table size updates against our setting).
import { DecodeResult, HpackDecoder } from "../../../assembly/lib/hpack/decoder";
import { HeaderList } from "../../../assembly/lib/hpack/header_list";
import { fromHex } from "./hex";

const list = new HeaderList();

function decode(decoder: HpackDecoder, hex: string): DecodeResult {
  const block = fromHex(hex);
  return decoder.decode(block.ptr, block.length, list);
}

function malformed(hex: string): void {
  expect(decode(new HpackDecoder(65536), hex)).toBe(DecodeResult.CompressionError, hex);
}

describe("HPACK decoder: malformed blocks are compression errors", () => {
  it("index 0, an index past the tables, a name index past the tables", () => {
    malformed("80");
    malformed("be"); // 62 with an empty dynamic table
    malformed("7f00"); // literal with indexing, name index 63
    malformed("0f2f"); // literal without indexing, name index 62
    malformed("1f2f"); // never indexed, name index 62
  });

  it("truncated and oversized integers", () => {
    malformed("ff");
    malformed("ffffffffff0f"); // index over 2^31 - 1
    malformed("40ff"); // name length cut
    malformed("407f808080808001"); // name length over the limit
  });

  it("strings running past the block", () => {
    malformed("400561");
    malformed("4001610561");
    malformed("41"); // an indexed name, no value
    malformed("418f");
  });

  it("Huffman strings with EOS, long padding or zero padding", () => {
    malformed("4184fffffffc"); // :authority, EOS
    malformed("41821fff"); // padding of 11 bits
    malformed("418118"); // padding 000
  });

  it("table size updates after a field, above the allowed size, or missing when required", () => {
    malformed("8220");
    malformed("3fe21f"); // 4097 > 4096
    const decoder = new HpackDecoder(65536);
    decoder.setAllowedTableSize(100);
    expect(decoder.tableMaxSize).toBe(100); // shrunk at once
    expect(decode(decoder, "82")).toBe(DecodeResult.CompressionError);
    const again = new HpackDecoder(65536);
    again.setAllowedTableSize(100);
    expect(decode(again, "3f4582")).toBe(DecodeResult.Ok); // size update to 100, then :method GET
    expect(decode(again, "3f46")).toBe(DecodeResult.CompressionError); // 101 > 100
  });

  it("a block that is only a size update, and two updates at the start, are fine", () => {
    const decoder = new HpackDecoder(65536);
    expect(decode(decoder, "20")).toBe(DecodeResult.Ok);
    expect(list.count).toBe(0);
    expect(decode(decoder, "203fe11f82")).toBe(DecodeResult.Ok);
    expect(decoder.tableMaxSize).toBe(4096);
  });

  it("a smaller table evicts; a larger allowed size needs no update", () => {
    const decoder = new HpackDecoder(65536);
    expect(decode(decoder, "400161016240016201634001640165")).toBe(DecodeResult.Ok); // three entries
    expect(decoder.tableSize).toBe(3 * 34);
    expect(decode(decoder, "3f0fbe")).toBe(DecodeResult.Ok); // max 46: only the newest (d: e) is left
    expect(decoder.tableSize).toBe(34);
    expect(list.nameString(0)).toBe("d");
    expect(decode(decoder, "bf")).toBe(DecodeResult.CompressionError);
    decoder.setAllowedTableSize(8192);
    expect(decode(decoder, "be")).toBe(DecodeResult.Ok);
  });
});

describe("HPACK decoder: header list size limit", () => {
  it("keeps the table in step when the list is too large, and says so", () => {
    const decoder = new HpackDecoder(60); // one 34-byte field fits, two do not
    expect(decode(decoder, "40016101624001630164")).toBe(DecodeResult.ListTooLarge);
    expect(list.count).toBe(1);
    expect(list.nameString(0)).toBe("a");
    expect(decoder.tableSize).toBe(68); // both were inserted
    expect(decode(decoder, "be")).toBe(DecodeResult.Ok); // index 62 = c: d, the newest
    expect(list.nameString(0)).toBe("c");
    expect(list.valueString(0)).toBe("d");
  });

  it("counts 32 bytes per field as RFC 7541 does", () => {
    const decoder = new HpackDecoder(34);
    expect(decode(decoder, "0001610162")).toBe(DecodeResult.Ok);
    expect(list.size).toBe(34);
    expect(decode(decoder, "00016101620001610162")).toBe(DecodeResult.ListTooLarge);
  });
});

describe("HPACK decoder: fields", () => {
  it("marks never-indexed fields sensitive, and no others", () => {
    const decoder = new HpackDecoder(65536);
    expect(decode(decoder, "100161016200016301644001650166")).toBe(DecodeResult.Ok);
    expect(list.count).toBe(3);
    expect(list.sensitive(0)).toBe(true);
    expect(list.sensitive(1)).toBe(false);
    expect(list.sensitive(2)).toBe(false);
  });

  it("an entry larger than the table empties it, and is still delivered", () => {
    const decoder = new HpackDecoder(65536, 40);
    expect(decode(decoder, "4001610162")).toBe(DecodeResult.Ok);
    expect(decoder.tableSize).toBe(34);
    expect(decode(decoder, "40016109303132333435363738")).toBe(DecodeResult.Ok);
    expect(decoder.tableSize).toBe(0);
    expect(list.valueString(0)).toBe("012345678");
  });

  it("out-of-range list accessors give 0, not a trap", () => {
    const decoder = new HpackDecoder(65536);
    expect(decode(decoder, "82")).toBe(DecodeResult.Ok);
    expect(list.nameLength(1)).toBe(0);
    expect(list.valuePtr(-1)).toBe(0);
    expect(list.sensitive(5)).toBe(false);
  });
});

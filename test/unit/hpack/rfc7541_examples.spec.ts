// RFC 7541 Appendix C: every example block decoded and encoded byte for byte, with the dynamic table's state after
// each (C.2 single fields, C.3/C.4 requests without and with Huffman, C.5/C.6 responses with a 256-byte table, so
// with eviction).
import { ByteBuffer } from "../../../assembly/lib/bytes";
import { DecodeResult, HpackDecoder } from "../../../assembly/lib/hpack/decoder";
import { HpackEncoder } from "../../../assembly/lib/hpack/encoder";
import { HeaderList } from "../../../assembly/lib/hpack/header_list";
import { bufferHex, fromHex } from "./hex";

/** "name: value" lines; a line starting with "!" is a sensitive (never indexed) field. */
function fields(lines: string): HeaderList {
  const list = new HeaderList();
  const parts = lines.split("\n");
  for (let i = 0; i < parts.length; i++) {
    let line = parts[i];
    if (line.length == 0) continue;
    const sensitive = line.charAt(0) == "!";
    if (sensitive) line = line.substr(1);
    const colon = line.indexOf(": ", 1);
    list.addString(line.substr(0, colon), line.substr(colon + 2), sensitive);
  }
  return list;
}

function render(list: HeaderList): string {
  let text = "";
  for (let i = 0; i < list.count; i++) text += (list.sensitive(i) ? "!" : "") + list.nameString(i) + ": " + list.valueString(i) + "\n";
  return text;
}

function decodes(decoder: HpackDecoder, hex: string, expected: string): void {
  const block = fromHex(hex);
  const list = new HeaderList();
  expect(decoder.decode(block.ptr, block.length, list)).toBe(DecodeResult.Ok);
  expect(render(list)).toBe(expected);
}

function encodes(encoder: HpackEncoder, expected: string, hex: string): void {
  const out = new ByteBuffer();
  encoder.encode(fields(expected), out);
  expect(bufferHex(out)).toBe(hex);
}

const REQUEST_1 = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n";
const REQUEST_2 = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\ncache-control: no-cache\n";
const REQUEST_3 = ":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\ncustom-key: custom-value\n";
const RESPONSE_1 = ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com\n";
const RESPONSE_2 = ":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com\n";
const RESPONSE_3 =
  ":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\nlocation: https://www.example.com\n" +
  "content-encoding: gzip\nset-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n";

const C3 = [
  "828684410f7777772e6578616d706c652e636f6d",
  "828684be58086e6f2d6361636865",
  "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
];
const C4 = ["828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"];
const C5 = [
  "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
  "4803333037c1c0bf",
  "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
];
const C6 = [
  "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
  "4883640effc1c0bf",
  "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
];
const REQUESTS = [REQUEST_1, REQUEST_2, REQUEST_3];
const RESPONSES = [RESPONSE_1, RESPONSE_2, RESPONSE_3];
/** The dynamic table's size after each request (C.3/C.4) and response (C.5/C.6). */
const REQUEST_TABLE_SIZES = [57, 110, 164];
const RESPONSE_TABLE_SIZES = [222, 222, 215];

describe("RFC 7541 C.2: one field", () => {
  it("C.2.1 literal with indexing", () => {
    const decoder = new HpackDecoder(65536);
    decodes(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", "custom-key: custom-header\n");
    const encoder = new HpackEncoder(4096);
    encoder.huffman = false;
    encodes(encoder, "custom-key: custom-header\n", "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
  });

  it("C.2.2 literal without indexing", () => {
    const decoder = new HpackDecoder(65536);
    decodes(decoder, "040c2f73616d706c652f70617468", ":path: /sample/path\n");
    const encoder = new HpackEncoder(0);
    encoder.huffman = false;
    encodes(encoder, ":path: /sample/path\n", "040c2f73616d706c652f70617468");
  });

  it("C.2.3 literal never indexed", () => {
    const decoder = new HpackDecoder(65536);
    decodes(decoder, "100870617373776f726406736563726574", "!password: secret\n");
    const encoder = new HpackEncoder(4096);
    encoder.huffman = false;
    encodes(encoder, "!password: secret\n", "100870617373776f726406736563726574");
  });

  it("C.2.4 indexed", () => {
    decodes(new HpackDecoder(65536), "82", ":method: GET\n");
    encodes(new HpackEncoder(4096), ":method: GET\n", "82");
  });
});

/** Decodes the three blocks in order with one decoder, checking each list and the table's size after it. */
function decodesAll(decoder: HpackDecoder, blocks: Array<string>, lists: Array<string>, tableSizes: Array<i32>): void {
  for (let i = 0; i < 3; i++) {
    decodes(decoder, blocks[i], lists[i]);
    expect(decoder.tableSize).toBe(tableSizes[i]);
  }
}

/** Encodes the three lists in order with one encoder, checking each block. */
function encodesAll(encoder: HpackEncoder, huffman: bool, lists: Array<string>, blocks: Array<string>): void {
  encoder.huffman = huffman;
  for (let i = 0; i < 3; i++) encodes(encoder, lists[i], blocks[i]);
}

describe("RFC 7541 C.3: requests without Huffman coding", () => {
  it("decodes the three requests, the table growing", () => decodesAll(new HpackDecoder(65536), C3, REQUESTS, REQUEST_TABLE_SIZES));
  it("encodes them byte for byte", () => encodesAll(new HpackEncoder(4096), false, REQUESTS, C3));
});

describe("RFC 7541 C.4: requests with Huffman coding", () => {
  it("decodes the three requests, the table growing", () => decodesAll(new HpackDecoder(65536), C4, REQUESTS, REQUEST_TABLE_SIZES));
  it("encodes them byte for byte", () => encodesAll(new HpackEncoder(4096), true, REQUESTS, C4));
});

describe("RFC 7541 C.5: responses without Huffman coding, a 256-byte table", () => {
  it("decodes the three responses, evicting", () => decodesAll(new HpackDecoder(65536, 256), C5, RESPONSES, RESPONSE_TABLE_SIZES));
  it("encodes them byte for byte", () => encodesAll(new HpackEncoder(256, 256), false, RESPONSES, C5));
});

describe("RFC 7541 C.6: responses with Huffman coding, a 256-byte table", () => {
  it("decodes the three responses, evicting", () => decodesAll(new HpackDecoder(65536, 256), C6, RESPONSES, RESPONSE_TABLE_SIZES));
  it("encodes them byte for byte", () => encodesAll(new HpackEncoder(256, 256), true, RESPONSES, C6));
});

import { Direction } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { ThriftCodec } from "../../filters/thrift/codec";
import { hexVector, vectorBytes } from "./support";
import { BINARY_CALL, COMPACT_CALL, expectMalformed } from "./thrift_support";

describe("thrift codec: sizes that can never fit and header bounds", () => {
  it("refuses unframed containers announcing more elements than any frame can hold", () => {
    expectMalformed(BINARY_CALL + "0f 00 01 | 08 7f ff ff ff | 00 00 00 01 00", "binary list<i32>");
    expectMalformed(BINARY_CALL + "0e 00 01 | 03 7f ff ff ff | 01 02 03 00", "binary set<byte>");
    expectMalformed(BINARY_CALL + "0d 00 01 | 03 03 7f ff ff ff | 01 02 00", "binary map<byte,byte>");
    expectMalformed(COMPACT_CALL + "19 | f5 ff ff ff ff 07 | 02 04 00", "compact list<i32>");
    expectMalformed(COMPACT_CALL + "1a | f3 ff ff ff ff 07 | 01 02 00", "compact set<byte>");
    expectMalformed(COMPACT_CALL + "1b | ff ff ff ff 07 33 | 01 02 00", "compact map<byte,byte>");
    expectMalformed(COMPACT_CALL + "19 | f5 ff ff ff ff 0f | 02 04 00", "compact list<i32> of 2^32-1");
  });

  it("refuses a negative binary string length in an unframed message", () => {
    expectMalformed(BINARY_CALL + "0b 00 01 | ff ff ff fe | 00", "string field length -2");
    expectMalformed("80 01 00 01 | ff ff ff fe 6d | 00 00 00 01 | 00", "method name length -2");
  });

  it("fails to decode a THeader frame whose header fields run past its header size", () => {
    const payload = " | 80 01 00 01 00 00 00 01 6d 00 00 00 07 00";
    const cases: Array<string> = [
      "00 00 00 18 | 0f ff 00 00 | 00 00 00 07 | 00 00" + payload,
      "00 00 00 1c | 0f ff 00 00 | 00 00 00 07 | 00 01 | 00 05 01 01" + payload,
    ];
    for (let i = 0; i < cases.length; i++) {
      const frame = hexVector(cases[i]);
      const codec = new ThriftCodec();
      expect(codec.frameSize(vectorBytes(frame))).toBe(frame.length);
      expect(codec.decode(vectorBytes(frame), Direction.Request, new Metadata())).not.toBeNull(cases[i]);
    }
  });
});

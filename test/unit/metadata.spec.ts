import { ByteBuffer } from "../../assembly/lib/bytes";
import { Metadata } from "../../assembly/core/metadata";

describe("Metadata", () => {
  it("stores key/values and finds them by UTF-8 key", () => {
    const md = new Metadata();
    md.putString("interface", "org.apache.Demo");
    md.putDecimal(String.UTF8.encode("cmd"), -7);
    const key = String.UTF8.encode("cmd");
    const at = md.find(changetype<usize>(key), key.byteLength);
    expect(at).toBe(1);
    expect(md.valueString(at)).toBe("-7");
    expect(md.get("interface")).toBe("org.apache.Demo");
    expect(md.get("missing")).toBe("");
  });

  it("copies into another object reusing its memory", () => {
    const a = new Metadata();
    a.requestId = 5;
    a.putString("k", "v");
    const b = new Metadata();
    b.putString("old", "gone");
    b.copyFrom(a);
    expect(b.size).toBe(1);
    expect(b.requestId).toBe(5);
    expect(b.get("k")).toBe("v");
    a.reset();
    expect(a.size).toBe(0);
    expect(b.get("k")).toBe("v");
  });
});

describe("ByteBuffer", () => {
  it("encodes UTF-8 like String.UTF8 does, surrogate pairs included", () => {
    const text = "aé€😀";
    const b = new ByteBuffer();
    b.appendUtf8(text);
    const expected = String.UTF8.encode(text);
    expect(b.length).toBe(expected.byteLength);
    expect(String.UTF8.decodeUnsafe(b.ptr, b.length)).toBe(text);
  });

  it("writes decimals including the extremes", () => {
    const b = new ByteBuffer();
    b.appendDecimal(0);
    b.appendU8(0x20);
    b.appendDecimal(i64.MIN_VALUE);
    b.appendU8(0x20);
    b.appendDecimal(i64.MAX_VALUE);
    expect(String.UTF8.decodeUnsafe(b.ptr, b.length)).toBe("0 -9223372036854775808 9223372036854775807");
  });
});

import { ByteReader, PAST_THE_END } from "../../assembly/lib/byte_reader";

const BYTES: StaticArray<u8> = [1, 2, 3, 4, 5];

function readerOver(length: i32, endedInside: string = PAST_THE_END, lengthPastEnd: string = PAST_THE_END): ByteReader {
  return new ByteReader(endedInside, lengthPastEnd).reset(changetype<usize>(BYTES), length);
}

describe("ByteReader: running out of bytes", () => {
  it("says PAST_THE_END for a fixed-width read and for a skip, unless a codec words them", () => {
    const read = readerOver(1);
    read.u16be();
    expect(read.error).toBe(PAST_THE_END);
    const skipped = readerOver(1);
    skipped.skip(2);
    expect(skipped.error).toBe(PAST_THE_END);
    const worded = readerOver(1, "ended inside", "length past");
    worded.u32be();
    expect(worded.error).toBe("ended inside");
    const wordedSkip = readerOver(1, "ended inside", "length past");
    wordedSkip.skip(2);
    expect(wordedSkip.error).toBe("length past");
  });
});

describe("ByteReader: advanceTo", () => {
  it("moves the cursor forward within the bytes", () => {
    const r = readerOver(5);
    r.u8();
    expect(r.advanceTo(changetype<usize>(BYTES) + 4)).toBe(true);
    expect(r.offset).toBe(4);
    expect(r.u8()).toBe(5);
    expect(r.advanceTo(changetype<usize>(BYTES) + 5)).toBe(true);
    expect(r.failed).toBe(false);
  });

  it("fails past the end, or backwards, with the skip's wording", () => {
    const past = readerOver(3, "ended inside", "length past");
    expect(past.advanceTo(changetype<usize>(BYTES) + 4)).toBe(false);
    expect(past.error).toBe("length past");
    expect(past.remaining).toBe(0);
    const back = readerOver(3);
    back.u16be();
    expect(back.advanceTo(changetype<usize>(BYTES) + 1)).toBe(false);
    expect(back.error).toBe(PAST_THE_END);
  });
});

// The frame reader cut at every byte: the same frames, DATA payloads streamed (their pieces add up), the rest whole.
import { FrameType } from "../../../assembly/lib/http2/frame";
import { FrameReader } from "../../../assembly/lib/http2/frame_reader";
import { FrameLog, Frames, GET } from "./support";

function sequence(): Frames {
  return new Frames()
    .settings("000300000064")
    .headers(1, 4, GET)
    .data(1, 0, 40)
    .frame(0x42, 0, 0, "0102")
    .frame(FrameType.PING, 0, 0, "0102030405060708")
    .data(1, 1, 0)
    .frame(FrameType.GOAWAY, 0, 0, "000000010000000064656275");
}

describe("HTTP/2 frame reader", () => {
  it("reads the same frames however the bytes are cut in two, or one byte at a time", () => {
    const bytes = sequence().bytes;
    const whole = new FrameLog().read(bytes.ptr, bytes.length);
    expect(whole).toBe("SETTINGS 3=100|HEADERS 1|DATA 1 40|FRAME 66 2|PING 72623859790382856|DATA 1 0 END_STREAM|GOAWAY 1 0");
    for (let cut = 1; cut < bytes.length; cut++) {
      const log = new FrameLog();
      const reader = new FrameReader(false);
      reader.feed(log, bytes.ptr, cut);
      reader.feed(log, bytes.ptr + <usize>cut, bytes.length - cut);
      expect(log.lines.join("|")).toBe(whole, cut.toString());
    }
    const log = new FrameLog();
    const reader = new FrameReader(false);
    for (let i = 0; i < bytes.length; i++) reader.feed(log, bytes.ptr + <usize>i, 1);
    expect(log.lines.join("|")).toBe(whole);
  });
});

import { Bytes, ByteBuffer } from "../../assembly/lib/bytes";
import { Direction, ErrorType, MALFORMED, MessageType, NEED_MORE_DATA, ResponseStatus } from "../../assembly/core/codec";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { AwesomeRpcCodec } from "../../filters/awesomerpc/codec";
import { awesomeFrame, sameBytes, toArray } from "./support";

const codec = new AwesomeRpcCodec();

describe("awesomerpc codec", () => {
  it("needs the first 9 bytes to know a frame's size", () => {
    const frame = awesomeFrame(5, 1, 0, 10);
    const bytes = new Bytes();
    for (let n = 0; n < 9; n++) expect(codec.frameSize(bytes.set(frame.dataStart, n))).toBe(NEED_MORE_DATA);
    expect(codec.frameSize(bytes.set(frame.dataStart, 9))).toBe(23);
  });

  it("refuses a total length shorter than the header", () => {
    const frame = awesomeFrame(5, 1, 0, 0);
    frame[8] = 12;
    expect(codec.frameSize(new Bytes().set(frame.dataStart, frame.length))).toBe(MALFORMED);
  });

  it("refuses a total length that does not fit a signed 32-bit size", () => {
    const frame = awesomeFrame(5, 1, 0, 0);
    frame[5] = 0x80;
    expect(codec.frameSize(new Bytes().set(frame.dataStart, frame.length))).toBe(MALFORMED);
  });

  it("decodes a request: id, type and the command as routing key", () => {
    const frame = awesomeFrame(0xfffffffe, -2, 0, 4);
    const md = new Metadata();
    expect(codec.decode(new Bytes().set(frame.dataStart, frame.length), Direction.Request, md)).toBeNull();
    expect(md.requestId).toBe(0xfffffffe);
    expect(md.messageType).toBe(MessageType.Request);
    expect(md.get("cmd")).toBe("-2");
  });

  it("decodes a response status from the response code", () => {
    const md = new Metadata();
    const ok = awesomeFrame(9, 1, 0, 0);
    codec.decode(new Bytes().set(ok.dataStart, ok.length), Direction.Response, md);
    expect(md.messageType).toBe(MessageType.Response);
    expect(md.responseStatus).toBe(ResponseStatus.Ok);
    const failed = awesomeFrame(9, 1, 3, 0);
    md.reset();
    codec.decode(new Bytes().set(failed.dataStart, failed.length), Direction.Response, md);
    expect(md.responseStatus).toBe(ResponseStatus.Error);
  });

  it("encodes an error reply with the request id and response code 1", () => {
    const md = new Metadata();
    md.requestId = 77;
    const out = new ByteBuffer();
    codec.encodeError(md, ErrorType.RouteNotFound, "no route", out);
    const expected = awesomeFrame(77, 0, 1, 0);
    expect(sameBytes(toArray(out.ptr, out.length), expected)).toBe(true);
  });

  it("has nowhere to carry a mutation", () => {
    const frame = awesomeFrame(1, 1, 0, 0);
    const mutation = new Mutation();
    mutation.set("x-request-id", "abc");
    const out = new ByteBuffer();
    expect(codec.mutate(new Bytes().set(frame.dataStart, frame.length), new Metadata(), mutation, out)).toBe(false);
    expect(out.length).toBe(0);
  });
});

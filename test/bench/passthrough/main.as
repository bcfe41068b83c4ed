// The pass-through floor of the benchmarks (AssemblyScript; compiled by compile.ts with the modules' release
// options). It is a protocol module like filters/<protocol>/main.ts, the same framework and entry points, with a
// codec that only finds where frames end and decodes nothing: what is left is the cost of the ABI crossing, the
// buffer read, framing and the framework's per-frame bookkeeping. Its `codec` option picks the framing of the bytes
// it is given: {"framing": "awesomerpc" | "dubbo" | "length_prefixed"} (u32 length at offset 5; 16-byte header
// with the body length at 12; u32 length prefix, as Thrift framed and THeader). The fuzzer's self-test also sets
// "trap_on_byte": a frame whose byte 13 has that value traps the VM (`unreachable`), a planted bug to find.
// Named .as so that the TypeScript type-check of test/ leaves it alone.
import { registerProtocol } from "../../../assembly/abi/protocol";
import { Bytes, ByteBuffer } from "../../../assembly/lib/bytes";
import { JsonKind, JsonValue } from "../../../assembly/lib/json";
import { FieldErrors } from "../../../assembly/lib/json_fields";
import { Codec, Direction, ErrorType, MALFORMED, NEED_MORE_DATA } from "../../../assembly/core/codec";
import { CodecFactory, CodecSettings, Protocol, SharedCodecFactory } from "../../../assembly/core/protocol";
import { Metadata } from "../../../assembly/core/metadata";
import { Mutation } from "../../../assembly/core/mutation";

export * from "../../../assembly/abi/exports";

enum Framing {
  AwesomeRpc = 0,
  Dubbo = 1,
  LengthPrefixed = 2,
}

class PassThroughProtocol extends Protocol {
  name(): string {
    return "passthrough";
  }

  configure(options: JsonValue, settings: CodecSettings, errors: FieldErrors): CodecFactory | null {
    const codec = new PassThroughCodec();
    const problem = codec.configure(options);
    if (problem.length == 0) return new SharedCodecFactory(codec);
    errors.fail("field 'codec': " + problem);
    return null;
  }
}

class PassThroughCodec extends Codec {
  framing: Framing = Framing.AwesomeRpc;
  trapOnByte: i32 = -1;

  configure(options: JsonValue): string {
    if (options.keys.length == 0) return "";
    const framing = options.get("framing");
    const trap = options.get("trap_on_byte");
    if (options.keys.length != (trap === null ? 1 : 2) || framing === null || framing.kind != JsonKind.String) return "takes {\"framing\": ..., \"trap_on_byte\": n} only";
    if (trap !== null) {
      if (trap.kind != JsonKind.Number || trap.number < 0 || trap.number > 255) return "trap_on_byte must be a byte value";
      this.trapOnByte = <i32>trap.number;
    }
    if (framing.string == "awesomerpc") this.framing = Framing.AwesomeRpc;
    else if (framing.string == "dubbo") this.framing = Framing.Dubbo;
    else if (framing.string == "length_prefixed") this.framing = Framing.LengthPrefixed;
    else return "framing must be awesomerpc, dubbo or length_prefixed";
    return "";
  }

  frameSize(bytes: Bytes): i32 {
    let size: u64 = 0;
    if (this.framing == Framing.AwesomeRpc) {
      if (bytes.length < 9) return NEED_MORE_DATA;
      size = <u64>bytes.u32be(5);
      if (size < 13) return MALFORMED;
    } else if (this.framing == Framing.Dubbo) {
      if (bytes.length < 16) return NEED_MORE_DATA;
      size = 16 + <u64>bytes.u32be(12);
    } else {
      if (bytes.length < 4) return NEED_MORE_DATA;
      size = 4 + <u64>bytes.u32be(0);
    }
    return size > <u64>i32.MAX_VALUE ? MALFORMED : <i32>size;
  }

  decode(frame: Bytes, direction: Direction, metadata: Metadata): string | null {
    if (this.trapOnByte >= 0 && frame.length > 13 && <i32>frame.u8(13) == this.trapOnByte) unreachable();
    return null;
  }

  mutate(frame: Bytes, metadata: Metadata, mutation: Mutation, out: ByteBuffer): bool {
    return false;
  }

  encodeError(request: Metadata, error: ErrorType, message: string, out: ByteBuffer): void {}

  // It reads no request ids and no statuses: bridge mode is not what the floor measures.
  withRequestId(frame: Bytes, metadata: Metadata, id: u64, out: ByteBuffer): bool {
    return false;
  }

  httpStatus(frame: Bytes, metadata: Metadata): i32 {
    return 200;
  }
}

registerProtocol(new PassThroughProtocol());

// The Dubbo filter module: the meta-protocol framework with the Dubbo codec.
import { registerCodec } from "../../assembly/abi/protocol";
import { DubboCodec } from "./codec";

export * from "../../assembly/abi/exports";

// The codec keeps no per-connection state: every connection shares one.
const codec = new DubboCodec();
registerCodec((): DubboCodec => codec);

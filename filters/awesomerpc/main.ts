// The awesomerpc filter module: the meta-protocol framework with the awesomerpc codec.
import { registerCodec } from "../../assembly/abi/protocol";
import { AwesomeRpcCodec } from "./codec";

export * from "../../assembly/abi/exports";

// The codec keeps no per-connection state: every connection shares one.
const codec = new AwesomeRpcCodec();
registerCodec((): AwesomeRpcCodec => codec);

// The Thrift filter module: the meta-protocol framework with the Thrift protocol.
import { registerProtocol } from "../../assembly/abi/protocol";
import { ThriftProtocol } from "./codec";

export * from "../../assembly/abi/exports";

registerProtocol(new ThriftProtocol());

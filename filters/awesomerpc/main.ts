// The awesomerpc filter module: the meta-protocol framework with the awesomerpc protocol.
import { registerProtocol } from "../../assembly/abi/protocol";
import { AwesomeRpcProtocol } from "./codec";

export * from "../../assembly/abi/exports";

registerProtocol(new AwesomeRpcProtocol());

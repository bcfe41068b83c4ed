// The Dubbo filter module: the meta-protocol framework with the Dubbo protocol.
import { registerProtocol } from "../../assembly/abi/protocol";
import { DubboProtocol } from "./codec";

export * from "../../assembly/abi/exports";

registerProtocol(new DubboProtocol());

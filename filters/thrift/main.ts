// The Thrift filter module: the meta-protocol framework with the Thrift codec.
import { registerCodec } from "../../assembly/abi/protocol";
import { ThriftCodec } from "./codec";

export * from "../../assembly/abi/exports";

// Each connection holds the transport and protocol detected from its first bytes: one codec per connection.
registerCodec((): ThriftCodec => new ThriftCodec());

// Starts one sample server of a protocol in its own process, for the loopback benchmark:
//   node --import tsx test/bench/peer_server.ts <awesomerpc|dubbo|thrift> <port>
// (the Thrift server speaks framed binary). Prints "listening <port>" once it accepts connections.
import { startAwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { startDubboProvider } from "../peers/dubbo/provider.ts";
import { startThriftServer } from "../peers/thrift/server.ts";

const [protocol, portText] = process.argv.slice(2);
const port = Number(portText);
if (protocol === "awesomerpc") await startAwesomeRpcServer(port);
else if (protocol === "dubbo") await startDubboProvider({ port });
else if (protocol === "thrift") await startThriftServer({ port, transport: "framed", protocol: "binary" });
else throw new Error(`unknown protocol ${protocol}`);
console.log(`listening ${port}`);

// Command-line Thrift server for the docker-compose scenario (test/docker/thrift) and its run on the bundled host
// (test/docker/compose.test.ts): the npm thrift Calculator server of server.ts on --host/--port (0: a free port) with
// --transport (framed, buffered, header) and --protocol (binary, compact), until SIGTERM or SIGINT; then it prints how
// many calls it received.
//   node --import tsx test/peers/thrift/provider_main.ts --host 0.0.0.0 --port 9090
import { closeOnSignals, exitWithError, options } from "../main_support.ts";
import { startThriftServer, type ThriftProtocolName, type ThriftTransportName } from "./server.ts";

const opts = options({ host: "127.0.0.1", port: "9090", transport: "framed", protocol: "binary" });
try {
  const server = await startThriftServer({
    host: opts.host,
    port: Number(opts.port),
    transport: opts.transport as ThriftTransportName,
    protocol: opts.protocol as ThriftProtocolName,
  });
  console.log(`thrift server Calculator (${opts.transport}, ${opts.protocol}) listening on ${opts.host}:${server.port}`);
  closeOnSignals(async () => {
    console.log(`thrift server: ${server.calls.length} calls received, ${server.errors.length} errors`);
    await server.close();
  });
} catch (error) {
  exitWithError("thrift server", error);
}

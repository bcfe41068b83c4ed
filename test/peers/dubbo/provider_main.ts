// Command-line Dubbo provider for the docker-compose scenario (test/docker/dubbo) and its run on the bundled host
// (test/docker/compose.test.ts): the sofa-rpc-node provider of provider.ts on --host/--port (0: a free port), until
// SIGTERM or SIGINT; then it prints how many calls it received and how many carried the filter's attachment.
//   node --import tsx test/peers/dubbo/provider_main.ts --host 0.0.0.0 --port 20880
import { closeOnSignals, exitWithError, options } from "../main_support.ts";
import { DEMO_SERVICE, DEMO_VERSION, startDubboProvider } from "./provider.ts";

const opts = options({ host: "127.0.0.1", port: "20880" });
try {
  const provider = await startDubboProvider({ host: opts.host, port: Number(opts.port) });
  console.log(`dubbo provider ${DEMO_SERVICE}:${DEMO_VERSION} listening on ${opts.host}:${provider.port}`);
  closeOnSignals(async () => {
    const tagged = provider.calls.filter((call) => call.attachments["x-mesh"] === "wasm").length;
    console.log(`dubbo provider: ${provider.calls.length} calls received, ${tagged} with attachment x-mesh=wasm`);
    await provider.close();
  });
} catch (error) {
  exitWithError("dubbo provider", error);
}

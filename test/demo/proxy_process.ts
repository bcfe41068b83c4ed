// Starts the proxy for a demo: a real `envoy` when one is on PATH (or ENVOY_BIN is set), else the bundled host,
// both with the same bootstrap YAML and Envoy's own command-line flags.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";

export interface ProxyProcess {
  readonly name: string;
  /** Log lines the proxy printed so far. */
  readonly logLines: string[];
  stop(): Promise<void>;
}

function envoyBinary(): string | null {
  if (process.env.ENVOY_BIN) return process.env.ENVOY_BIN;
  const found = spawnSync("sh", ["-c", "command -v envoy"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

export async function startProxy(configPath: string, listenerPort: number): Promise<ProxyProcess> {
  // Else the demo would talk to whatever listens there and take it for the proxy.
  if (!(await isFree(listenerPort))) throw new Error(`cannot start the proxy: 127.0.0.1:${listenerPort} is busy (another process listens there)`);
  const envoy = envoyBinary();
  const args = ["-c", configPath, "-l", "info", "--concurrency", "1"];
  const child: ChildProcess = envoy
    ? spawn(envoy, [...args, "--disable-hot-restart"], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, ["--import", "tsx", "test/host/main.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const logLines: string[] = [];
  let exited = false;
  const collect = (chunk: Buffer) => logLines.push(...chunk.toString("utf8").split("\n").filter((l) => l.length > 0));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  child.on("exit", () => (exited = true));
  const name = envoy ? `envoy (${envoy})` : "bundled host (test/host)";
  await waitForPort(listenerPort, () => exited, () => `${name} exited: ${whyItExited(logLines)}`);
  return {
    name,
    logLines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The proxy's own last word: its critical or error line (a port it cannot bind, a refused configuration). */
function whyItExited(logLines: readonly string[]): string {
  const line = [...logLines].reverse().find((l) => /\[(critical|error)\]/.test(l)) ?? logLines.at(-1) ?? "no output";
  return line.replace(/^(\[[^\]]*\])+\s*/, "");
}

/** Waits until something accepts connections on 127.0.0.1:`port`; fails early with `why()` once `gaveUp()`. */
export async function waitForPort(port: number, gaveUp: () => boolean, why: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(why());
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
}

// The host's command line, run as run scripts run it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { Client, eventually, startUpstream, testBootstrap, type Upstream } from "./proxy/test_support.ts";

interface Run {
  stdout: string;
  stderr: string;
  exitCode?: number | null;
  signal(name: NodeJS.Signals): void;
  exited(): Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ["--import", "tsx", "test/host/main.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const result: Run = {
    stdout: "",
    stderr: "",
    signal: (name) => child.kill(name),
    exited: () => (result.exitCode !== undefined ? Promise.resolve(result.exitCode) : new Promise((resolve) => child.once("exit", resolve))),
  };
  child.stdout.on("data", (chunk) => (result.stdout += chunk));
  child.stderr.on("data", (chunk) => (result.stderr += chunk));
  child.once("exit", (code) => (result.exitCode = code));
  return result;
}

const LOG_LINE = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d+\]\[(trace|debug|info|warning|error|critical)\]\[\w+\] /;

describe("host command line", { timeout: 30_000, concurrency: true }, () => {
  let echo: Upstream;
  let directory: string;
  let configPath: string;
  before(async () => {
    echo = await startUpstream();
    directory = mkdtempSync(path.join(tmpdir(), "host-main-"));
    configPath = path.join(directory, "envoy.yaml");
    writeFileSync(configPath, stringify(testBootstrap({ clusters: { backend: echo.port } })));
  });
  after(async () => {
    await echo.close();
    rmSync(directory, { recursive: true });
  });

  it("serves a bootstrap, logs in Envoy's format on stderr only, and stops on SIGTERM", async () => {
    const host = run(["-c", configPath, "-l", "info", "--concurrency", "1", "--base-id", "1"]);
    try {
      await eventually(() => host.stderr.includes("starting workers"), "the host to start", 15_000);
      const port = Number(/listener 'main' listening on 127\.0\.0\.1:(\d+)/.exec(host.stderr)![1]);
      const client = await Client.connect(port);
      client.write("through the command line");
      await client.waitFor("through the command line");
      client.socket.destroy();

      host.signal("SIGTERM");
      assert.equal(await host.exited(), 0);
      assert.equal(host.stdout, "");
      const lines = host.stderr.trimEnd().split("\n");
      for (const line of lines) assert.match(line, LOG_LINE);
      assert.match(host.stderr, /\]\[info\]\[main\] --base-id 1 ignored: this host has no hot restart$/m);
      assert.match(host.stderr, /\]\[info\]\[main\] admin address: 127\.0\.0\.1:\d+$/m);
      assert.match(host.stderr, /\]\[warning\]\[main\] caught SIGTERM$/m);
    } finally {
      host.signal("SIGKILL");
    }
  });

  it("writes its log to --log-path", async () => {
    const logPath = path.join(directory, "host.log");
    const host = run(["-c", configPath, "--log-path", logPath, "--concurrency", "1"]);
    try {
      await eventually(() => readFileSync(logPath, { encoding: "utf8", flag: "a+" }).includes("starting workers"), "the log file", 15_000);
      host.signal("SIGINT");
      assert.equal(await host.exited(), 0);
      assert.equal(host.stderr, "");
      assert.match(readFileSync(logPath, "utf8"), /\]\[warning\]\[main\] caught SIGINT$/m);
    } finally {
      host.signal("SIGKILL");
    }
  });

  it("exits with status 1 and a critical line when the bootstrap is refused", async () => {
    const badPath = path.join(directory, "bad.yaml");
    writeFileSync(badPath, "admin: {}\n");
    const host = run(["-c", badPath]);
    assert.equal(await host.exited(), 1);
    assert.match(host.stderr, /\]\[critical\]\[main\] error initializing configuration '.*bad\.yaml': admin\.address: required$/m);
  });

  it("exits with status 1 and the usage on a flag it does not implement", async () => {
    const host = run(["-c", configPath, "--mode", "validate"]);
    assert.equal(await host.exited(), 1);
    assert.match(host.stderr, /^PARSE ERROR: Argument: --mode: not supported by this host\n\nUSAGE: /);
    assert.equal(host.stdout, "");
  });
});

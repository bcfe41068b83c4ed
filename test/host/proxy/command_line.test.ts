import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogLevel } from "../api.ts";
import { parseCommandLine, type CommandLine } from "./command_line.ts";

function parsed(args: string[]): CommandLine {
  const result = parseCommandLine(args);
  if (result === "help") assert.fail("help was not asked for");
  return result;
}

describe("command line", () => {
  it("takes Envoy's flags, in both --flag value and --flag=value forms", () => {
    assert.deepEqual(parsed(["-c", "envoy.yaml", "-l", "debug", "--concurrency", "2", "--log-path=/tmp/host.log"]), {
      configPath: "envoy.yaml",
      logLevel: LogLevel.Debug,
      concurrency: 2,
      logPath: "/tmp/host.log",
      notes: [],
    });
    assert.deepEqual(parsed(["--config-path=envoy.yaml", "--log-level", "warn"]), {
      configPath: "envoy.yaml",
      logLevel: LogLevel.Warn,
      concurrency: undefined,
      logPath: undefined,
      notes: [],
    });
    assert.equal(parsed(["-c", "x", "-l", "off"]).logLevel, "off");
    assert.equal(parseCommandLine(["--help"]), "help");
  });

  it("accepts the hot-restart flags with a note that they do nothing here", () => {
    assert.deepEqual(parsed(["-c", "x", "--base-id", "7", "--disable-hot-restart"]).notes, [
      "--base-id 7 ignored: this host has no hot restart",
      "--disable-hot-restart ignored: this host has no hot restart",
    ]);
  });

  it("refuses what it does not implement, and a missing config", () => {
    assert.throws(() => parseCommandLine(["-c", "x", "--config-yaml", "{}"]), /PARSE ERROR: Argument: --config-yaml: not supported by this host/);
    assert.throws(() => parseCommandLine(["-c", "x", "-l", "loud"]), /invalid log level 'loud'/);
    assert.throws(() => parseCommandLine(["-c", "x", "--concurrency", "0"]), /expected a positive integer, got '0'/);
    assert.throws(() => parseCommandLine(["-c"]), /-c: missing value/);
    assert.throws(() => parseCommandLine(["-l", "info"]), /-c\/--config-path is required/);
  });
});

// Envoy's command-line flags, the subset run scripts use, so that the same script can start a real envoy instead.
import { LogLevel } from "../api.ts";
import { parseLogLevel } from "./log.ts";

export interface CommandLine {
  readonly configPath: string;
  /** "off" silences every log line. */
  readonly logLevel: LogLevel | "off";
  readonly concurrency?: number;
  /** Log lines go to this file (appended to) instead of stderr. */
  readonly logPath?: string;
  /** Notes about the flags accepted for compatibility with envoy but without effect here. */
  readonly notes: readonly string[];
}

export class CommandLineError extends Error {}

export const USAGE = `USAGE: main.ts -c <path> [-l <level>] [--concurrency <n>] [--log-path <path>] [--base-id <n>] [--disable-hot-restart]

  -c, --config-path <path>   Envoy v3 bootstrap (YAML or JSON)
  -l, --log-level <level>    trace, debug, info, warning, error, critical or off (default: info)
  --concurrency <n>          worker threads a real envoy would run; one wasm VM each (default: hardware threads)
  --log-path <path>          append log lines to this file instead of stderr
  --base-id <n>              accepted and ignored: this host has no hot restart
  --disable-hot-restart      accepted and ignored: this host has no hot restart
  -h, --help                 print this text`;

/** Parses Envoy-style arguments (`--flag value` or `--flag=value`); "help" when help was asked for. */
export function parseCommandLine(args: readonly string[]): CommandLine | "help" {
  let configPath: string | undefined;
  let logLevel: LogLevel | "off" = LogLevel.Info;
  let concurrency: number | undefined;
  let logPath: string | undefined;
  const notes: string[] = [];

  for (let index = 0; index < args.length; index++) {
    const [flag, inlineValue] = splitFlag(args[index]);
    const value = (): string => {
      const next = inlineValue ?? args[++index];
      if (next === undefined) throw new CommandLineError(`PARSE ERROR: Argument: ${flag}: missing value`);
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "-c":
      case "--config-path":
        configPath = value();
        break;
      case "-l":
      case "--log-level": {
        const name = value();
        const level = parseLogLevel(name);
        if (level === undefined) throw new CommandLineError(`PARSE ERROR: Argument: ${flag}: invalid log level '${name}'`);
        logLevel = level;
        break;
      }
      case "--concurrency": {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) < 1) {
          throw new CommandLineError(`PARSE ERROR: Argument: ${flag}: expected a positive integer, got '${text}'`);
        }
        concurrency = Number(text);
        break;
      }
      case "--log-path":
        logPath = value();
        break;
      case "--base-id":
        notes.push(`--base-id ${value()} ignored: this host has no hot restart`);
        break;
      case "--disable-hot-restart":
        notes.push("--disable-hot-restart ignored: this host has no hot restart");
        break;
      default:
        throw new CommandLineError(`PARSE ERROR: Argument: ${args[index]}: not supported by this host`);
    }
  }
  if (configPath === undefined) throw new CommandLineError("PARSE ERROR: -c/--config-path is required");
  return { configPath, logLevel, concurrency, logPath, notes };
}

function splitFlag(argument: string): [string, string | undefined] {
  const equals = argument.indexOf("=");
  return argument.startsWith("--") && equals > 0 ? [argument.slice(0, equals), argument.slice(equals + 1)] : [argument, undefined];
}

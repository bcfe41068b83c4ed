// Log lines as Envoy writes them: named loggers ("main", "config", "upstream", "connection", "wasm", ...), a level
// threshold, and Envoy's default format `[%Y-%m-%d %T.%e][%t][%l][%n] %v`.
import { LogLevel, type LogSink } from "../api.ts";

/** A LogSink that also receives the Envoy logger name (%n). A plain LogSink is one too: it ignores the name. */
export type HostLogSink = (level: LogLevel, message: string, logger: string) => void;

// spdlog's level names, as Envoy prints them (%l) and accepts them for --log-level.
const LEVEL_NAMES = ["trace", "debug", "info", "warning", "error", "critical"] as const;

export function levelName(level: LogLevel): string {
  return LEVEL_NAMES[level];
}

/** Envoy's --log-level values: trace, debug, info, warning (or warn), error, critical, off. */
export function parseLogLevel(name: string): LogLevel | "off" | undefined {
  if (name === "off") return "off";
  const index = LEVEL_NAMES.indexOf((name === "warn" ? "warning" : name) as (typeof LEVEL_NAMES)[number]);
  return index < 0 ? undefined : (index as LogLevel);
}

export class Logger {
  constructor(
    private readonly sink: HostLogSink,
    readonly level: LogLevel,
  ) {}

  /** The sink of one Envoy logger; lines below the configured level are dropped. */
  named(logger: string): LogSink {
    return (level, message) => {
      if (level >= this.level) this.sink(level, message, logger);
    };
  }
}

/** A sink writing Envoy-formatted lines, each followed by a newline, to `write`. */
export function envoyFormatSink(write: (line: string) => void): HostLogSink {
  return (level, message, logger) => write(formatLogLine(new Date(), process.pid, level, logger, message) + "\n");
}

export function formatLogLine(time: Date, threadId: number, level: LogLevel, logger: string, message: string): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  const date = `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
  return `[${date} ${clock}][${threadId}][${levelName(level)}][${logger}] ${message}`;
}

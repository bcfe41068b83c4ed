// Logging through the host, with the level checked in wasm so that a line below Envoy's level costs nothing.

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export abstract class Logger {
  /** Envoy's current log level for wasm (lines below it are dropped by the host anyway). */
  level: LogLevel = LogLevel.Info;

  @inline enabled(level: LogLevel): bool {
    return level >= this.level;
  }

  abstract write(level: LogLevel, message: string): void;

  /** Writes a line already encoded as UTF-8 (`length` bytes at `ptr`). */
  abstract writeUtf8(level: LogLevel, ptr: usize, length: i32): void;

  log(level: LogLevel, message: string): void {
    if (this.enabled(level)) this.write(level, message);
  }
}

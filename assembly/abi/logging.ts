// proxy_log, with Envoy's level read through proxy_get_log_level. Lines are encoded into one reused buffer.
import * as host from "@solo-io/proxy-runtime/assembly/imports";
import { ByteBuffer } from "../lib/bytes";
import { LogLevel, Logger } from "../core/log";
import { proxy_get_log_level } from "./imports";
import { WASM_RESULT_OK } from "./types";

const LEVEL_PTR = memory.data(4);

@final
export class HostLogger extends Logger {
  private line: ByteBuffer = new ByteBuffer();

  /** Envoy's wasm log level can change at run time (admin /logging): re-read it now and then. */
  refreshLevel(): void {
    if (proxy_get_log_level(LEVEL_PTR) == WASM_RESULT_OK) this.level = <LogLevel>load<u32>(LEVEL_PTR);
  }

  write(level: LogLevel, message: string): void {
    this.line.clear();
    this.line.appendUtf8(message);
    this.writeUtf8(level, this.line.ptr, this.line.length);
  }

  writeUtf8(level: LogLevel, ptr: usize, length: i32): void {
    host.proxy_log(<usize>level, ptr, <usize>length);
  }
}

// HTTP/2 settings (RFC 9113 Section 6.5.2): one endpoint's values, their defaults, and the checks on a value the peer
// sends.
import { ErrorCode } from "./error_code";
import { MAX_MAX_FRAME_SIZE, MAX_WINDOW, MIN_MAX_FRAME_SIZE } from "./frame";

export enum SettingId {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
  MAX_HEADER_LIST_SIZE = 0x6,
}

export const SETTING_ENTRY_SIZE: i32 = 6;
export const DEFAULT_WINDOW: i32 = 65535;
/** The RFC's "unlimited" for MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE. */
export const UNLIMITED: u32 = 0xffffffff;

@final
export class Settings {
  headerTableSize: u32 = 4096;
  enablePush: bool = true;
  maxConcurrentStreams: u32 = UNLIMITED;
  initialWindowSize: i32 = DEFAULT_WINDOW;
  maxFrameSize: i32 = MIN_MAX_FRAME_SIZE;
  maxHeaderListSize: u32 = UNLIMITED;

  /** Applies one setting the peer sent; NO_ERROR, or the connection error its value is. Unknown ids are ignored. */
  apply(id: u32, value: u32): ErrorCode {
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE:
        this.headerTableSize = value;
        break;
      case SettingId.ENABLE_PUSH:
        if (value > 1) return ErrorCode.PROTOCOL_ERROR;
        this.enablePush = value == 1;
        break;
      case SettingId.MAX_CONCURRENT_STREAMS:
        this.maxConcurrentStreams = value;
        break;
      case SettingId.INITIAL_WINDOW_SIZE:
        if (<i64>value > MAX_WINDOW) return ErrorCode.FLOW_CONTROL_ERROR;
        this.initialWindowSize = <i32>value;
        break;
      case SettingId.MAX_FRAME_SIZE:
        if (value < <u32>MIN_MAX_FRAME_SIZE || value > <u32>MAX_MAX_FRAME_SIZE) return ErrorCode.PROTOCOL_ERROR;
        this.maxFrameSize = <i32>value;
        break;
      case SettingId.MAX_HEADER_LIST_SIZE:
        this.maxHeaderListSize = value;
        break;
    }
    return ErrorCode.NO_ERROR;
  }
}

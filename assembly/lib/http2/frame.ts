// HTTP/2 frames (RFC 9113 Section 4 and 6): the 9-byte header, the frame types and their flags, and the client
// connection preface.

export const FRAME_HEADER_SIZE: i32 = 9;
/** Stream ids and window sizes are 31 bits. */
export const MAX_STREAM_ID: u32 = 0x7fffffff;
export const MAX_WINDOW: i64 = 0x7fffffff;
/** The smallest and largest SETTINGS_MAX_FRAME_SIZE (RFC 9113 Section 6.5.2). */
export const MIN_MAX_FRAME_SIZE: i32 = 16384;
export const MAX_MAX_FRAME_SIZE: i32 = 16777215;

export enum FrameType {
  DATA = 0,
  HEADERS = 1,
  PRIORITY = 2,
  RST_STREAM = 3,
  SETTINGS = 4,
  PUSH_PROMISE = 5,
  PING = 6,
  GOAWAY = 7,
  WINDOW_UPDATE = 8,
  CONTINUATION = 9,
}

export namespace Flag {
  export const END_STREAM: u8 = 0x1;
  /** On SETTINGS and PING. */
  export const ACK: u8 = 0x1;
  export const END_HEADERS: u8 = 0x4;
  export const PADDED: u8 = 0x8;
  export const PRIORITY: u8 = 0x20;
}

/** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": what a client sends first (RFC 9113 Section 3.4). */
export const CLIENT_PREFACE = memory.data<u8>([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d,
  0x0d, 0x0a, 0x0d, 0x0a,
]);
export const CLIENT_PREFACE_LENGTH: i32 = 24;

// Why this side failed a connection: the text goes into its GOAWAY's debug data and to the handler. The texts are
// one literal, a line per reason in the enum's order (one data segment: a string each would cost ~28 bytes of
// module size more apiece), made into strings only when a connection fails.

export enum Reason {
  BAD_PREFACE,
  FLOOD_OF_FRAMES_TO_ANSWER,
  FRAME_TOO_LARGE,
  HEADER_BLOCK_INTERRUPTED,
  CONTINUATION_WITHOUT_HEADERS,
  NO_SETTINGS_FIRST,
  BAD_DATA_PADDING,
  PUSH_IS_DISABLED,
  DATA_ON_STREAM_0,
  WINDOW_EXCEEDED,
  DATA_ON_IDLE_STREAM,
  HEADERS_ON_STREAM_0,
  BAD_HEADERS_PADDING,
  HEADERS_TOO_SHORT,
  TOO_MANY_CONTINUATION_FRAMES,
  HEADER_BLOCK_TOO_LARGE,
  HEADERS_ON_IDLE_STREAM,
  SERVER_OPENED_STREAM,
  PRIORITY_ON_STREAM_0,
  BAD_RST_STREAM_SIZE,
  RST_STREAM_ON_STREAM_0,
  RST_STREAM_ON_IDLE_STREAM,
  SETTINGS_ON_A_STREAM,
  BAD_SETTINGS_ACK,
  UNEXPECTED_SETTINGS_ACK,
  BAD_SETTINGS_SIZE,
  BAD_SETTINGS_VALUE,
  SERVER_ENABLED_PUSH,
  WINDOW_OVERFLOW,
  PING_ON_A_STREAM,
  BAD_PING_SIZE,
  GOAWAY_ON_A_STREAM,
  GOAWAY_TOO_SHORT,
  BAD_WINDOW_UPDATE_SIZE,
  WINDOW_UPDATE_OF_0,
  WINDOW_UPDATE_ON_IDLE_STREAM,
  HEADER_BLOCK_NOT_HPACK,
}

const TEXTS = `bad preface
flood of frames to answer
frame too large
header block interrupted
CONTINUATION without HEADERS
no SETTINGS first
bad DATA padding
push is disabled
DATA on stream 0
window exceeded
DATA on idle stream
HEADERS on stream 0
bad HEADERS padding
HEADERS too short
too many CONTINUATION frames
header block too large
HEADERS on idle stream
server-opened stream
PRIORITY on stream 0
bad RST_STREAM size
RST_STREAM on stream 0
RST_STREAM on idle stream
SETTINGS on a stream
bad SETTINGS ACK
unexpected SETTINGS ACK
bad SETTINGS size
bad SETTINGS value
server enabled push
window overflow
PING on a stream
bad PING size
GOAWAY on a stream
GOAWAY too short
bad WINDOW_UPDATE size
WINDOW_UPDATE of 0
WINDOW_UPDATE on idle stream
header block not HPACK
`;

/** The text of `reason` (it allocates: for the error path). */
export function reasonText(reason: Reason): string {
  let start = 0;
  for (let line = 0; line < <i32>reason; line++) start = TEXTS.indexOf("\n", start) + 1;
  return TEXTS.substring(start, TEXTS.indexOf("\n", start));
}

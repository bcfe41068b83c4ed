// What an HTTP/2 connection allows and advertises. Every size the peer can make this side hold is bounded here;
// the defaults are safe for a proxy: RFC 9113's defaults where it has one, and a few KiB to a MiB otherwise.

@final
export class Http2Config {
  /** SETTINGS_MAX_FRAME_SIZE we advertise: larger frames are a FRAME_SIZE_ERROR. */
  maxFrameSize: i32 = 16384;
  /** SETTINGS_HEADER_TABLE_SIZE we advertise: the peer's encoder may make our decoder's table this large. */
  headerTableSize: i32 = 4096;
  /** SETTINGS_MAX_HEADER_LIST_SIZE we advertise; a larger header list resets its stream (ENHANCE_YOUR_CALM). */
  maxHeaderListSize: i32 = 65536;
  /** A header block (HEADERS + CONTINUATION) larger than this, compressed, is a connection error (ENHANCE_YOUR_CALM). */
  maxHeaderBlockSize: i32 = 65536;
  /** CONTINUATION frames per header block, beyond which the block is a connection error (ENHANCE_YOUR_CALM). */
  maxContinuations: i32 = 16;
  /** SETTINGS_MAX_CONCURRENT_STREAMS we advertise: more peer-opened streams are refused (REFUSED_STREAM). */
  maxConcurrentStreams: i32 = 256;
  /** SETTINGS_INITIAL_WINDOW_SIZE we advertise: what the peer may send on a stream before a WINDOW_UPDATE. */
  initialWindowSize: i32 = 65535;
  /** What the peer may send on the connection before a WINDOW_UPDATE (sent at the start when above 65,535). */
  connectionWindowSize: i32 = 65535;
  /** Our encoder's dynamic table: 0 keeps none (every block stands alone, no memory); at most the peer's setting. */
  encoderTableSize: i32 = 0;
  /** Huffman-code strings we send when that is not longer. */
  huffman: bool = true;
  /**
   * Treat a received field value with a space or tab at either end as malformed (RFC 9113 Section 8.2.1). Off by
   * default, as in Envoy, which turns this check of nghttp2's off: such values pass through Envoy.
   */
  rejectSurroundingWhitespace: bool = false;
  /** Data waiting for the peer's flow-control windows, over all streams: submitData refuses what goes beyond. */
  maxQueuedBytes: i32 = 1 << 20;
  /**
   * Frames the peer made us owe (SETTINGS and PING acknowledgements, RST_STREAM, WINDOW_UPDATE) waiting in the
   * pending output: beyond this, the peer is flooding us faster than the output is flushed (ENHANCE_YOUR_CALM).
   */
  maxPendingControlBytes: i32 = 65536;
}

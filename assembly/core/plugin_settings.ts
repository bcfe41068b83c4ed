// The core's own fields of the plugin configuration (the filters read theirs: assembly/chain/*/config.ts).
import { FieldErrors, integerField, stringField } from "../lib/json_fields";
import { parseDuration } from "../lib/duration";
import { JsonKind, JsonValue } from "../lib/json";

export const CORE_FIELDS: Array<string> = ["stat_prefix", "max_frame_size", "max_pending_requests", "codec", "frame_timeout"];

const MIN_FRAME_SIZE: f64 = 64;
const MAX_FRAME_SIZE: f64 = 64 * 1024 * 1024;
/** The shortest `frame_timeout` (the timer that enforces it ticks at a quarter of it, at least every 50 ms). */
const MIN_FRAME_TIMEOUT_NS: u64 = 200_000_000;
/**
 * `frame_timeout` unless configured: a frame between sidecars arrives in milliseconds, and a 1 MiB frame over a link
 * as slow as 64 KiB/s in 16 s; one that waits longer is stalled or hostile, and holds memory meanwhile.
 */
const DEFAULT_FRAME_TIMEOUT_NS: u64 = 30_000_000_000;

@final
export class PluginSettings {
  /** The `<stat_prefix>` part of metric names (`meta_protocol.<protocol>.<stat_prefix>.request`). */
  statPrefix: string = "";
  /** Largest frame accepted, header included; larger frames close the connection. */
  maxFrameSize: i32 = 1024 * 1024;
  /**
   * How long a started frame may wait for its remaining bytes before the connection is closed (0: no limit but
   * tcp_proxy's idle_timeout): a peer that announces a frame and trickles it, or never finishes it, holds memory.
   */
  frameTimeoutNs: u64 = DEFAULT_FRAME_TIMEOUT_NS;
  /** Requests tracked per connection while awaiting their response; more are forwarded but not timed. */
  maxPendingRequests: i32 = 10000;
  /** The codec's own options, read by the protocol (`Protocol.configure`). */
  codecOptions: JsonValue = JsonValue.emptyObject();
}

/** Reads the core's fields of `root` (an object), over the defaults; `protocol` is the default stat prefix. */
export function readPluginSettings(root: JsonValue, protocol: string, errors: FieldErrors): PluginSettings {
  const settings = new PluginSettings();
  settings.statPrefix = protocol;
  if (root.get("stat_prefix") !== null) {
    const prefix = stringField(root, "stat_prefix", "", errors, true);
    if (prefix.includes(".")) errors.fail("field 'stat_prefix' must not contain dots");
    settings.statPrefix = prefix;
  }
  settings.maxFrameSize = <i32>integerField(root, "max_frame_size", "", errors, MIN_FRAME_SIZE, MAX_FRAME_SIZE, settings.maxFrameSize);
  settings.maxPendingRequests = <i32>integerField(root, "max_pending_requests", "", errors, 1, 1000000, settings.maxPendingRequests);
  const frameTimeout = stringField(root, "frame_timeout", "", errors, false);
  if (frameTimeout == "0s") {
    settings.frameTimeoutNs = 0;
  } else if (frameTimeout.length > 0) {
    settings.frameTimeoutNs = parseDuration(frameTimeout);
    if (settings.frameTimeoutNs < MIN_FRAME_TIMEOUT_NS) errors.fail("field 'frame_timeout' must be \"0s\" (off) or a duration of at least 0.2s, like \"10s\"");
  }
  const codecOptions = root.get("codec");
  if (codecOptions !== null) {
    if (codecOptions.kind != JsonKind.Object) errors.fail("field 'codec' must be an object");
    else settings.codecOptions = codecOptions;
  }
  return settings;
}

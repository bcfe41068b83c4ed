// Durations in protobuf's JSON form ("1s", "0.250s"), as Envoy's configuration writes them.

/** The largest number of seconds a protobuf Duration holds. */
const MAX_SECONDS: u64 = 315_576_000_000;

/** `text` in nanoseconds; 0 when it is not a duration. */
export function parseDuration(text: string): u64 {
  if (text.length < 2 || !text.endsWith("s")) return 0;
  const number = text.substring(0, text.length - 1);
  let seconds: u64 = 0;
  let nanos: u64 = 0;
  let scale: u64 = 0; // 0 before the dot, then the value of the next fraction digit
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (c == 0x2e && scale == 0) {
      scale = 100_000_000;
      continue;
    }
    if (c < 0x30 || c > 0x39) return 0;
    const digit = <u64>(c - 0x30);
    if (scale == 0) {
      if (seconds > MAX_SECONDS) return 0;
      seconds = seconds * 10 + digit;
    } else {
      nanos += digit * scale;
      scale /= 10;
    }
  }
  return seconds * 1_000_000_000 + nanos;
}

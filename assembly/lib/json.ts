// A small strict JSON reader for the plugin configuration (read once per proxy_on_configure, never per request).
// Errors are returned, never thrown: a bad configuration must be refused, not trap the VM.

export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  number: f64 = 0;
  string: string = "";
  items: Array<JsonValue> = [];
  keys: Array<string> = [];

  /** An empty object. */
  static emptyObject(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    return v;
  }

  /** Member `key` of an object, or null. */
  get(key: string): JsonValue | null {
    const at = this.keys.indexOf(key);
    return at < 0 ? null : this.items[at];
  }
}

const MAX_DEPTH = 64;

@final
export class JsonParser {
  error: string = "";
  private text: string = "";
  private pos: i32 = 0;
  private scratchDigits: Digits = new Digits();

  /** Parses `text`; returns null and sets `error` when it is not one JSON value. */
  parse(text: string): JsonValue | null {
    this.text = text;
    this.pos = 0;
    this.error = "";
    const value = this.value(0);
    if (value === null) return null;
    this.skipSpace();
    if (this.pos < this.text.length) return this.fail("unexpected text after the JSON value");
    return value;
  }

  private value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than " + MAX_DEPTH.toString());
    this.skipSpace();
    if (this.pos >= this.text.length) return this.fail("unexpected end of input");
    const c = this.text.charCodeAt(this.pos);
    const v = new JsonValue();
    if (c == 0x7b /* { */) return this.object(v, depth);
    if (c == 0x5b /* [ */) return this.array(v, depth);
    if (c == 0x22 /* " */) {
      v.kind = JsonKind.String;
      const s = this.stringLiteral();
      if (s === null) return null;
      v.string = s;
      return v;
    }
    if (this.literal("true")) {
      v.kind = JsonKind.Bool;
      v.bool = true;
      return v;
    }
    if (this.literal("false")) {
      v.kind = JsonKind.Bool;
      return v;
    }
    if (this.literal("null")) return v;
    return this.numberLiteral(v);
  }

  private object(v: JsonValue, depth: i32): JsonValue | null {
    v.kind = JsonKind.Object;
    this.pos++;
    this.skipSpace();
    if (this.peek(0x7d)) return v;
    while (true) {
      this.skipSpace();
      if (this.pos >= this.text.length || this.text.charCodeAt(this.pos) != 0x22) return this.fail("expected a member name");
      const key = this.stringLiteral();
      if (key === null) return null;
      if (v.keys.includes(key)) return this.fail("duplicate member '" + key + "'");
      this.skipSpace();
      if (!this.peek(0x3a)) return this.fail("expected ':' after '" + key + "'");
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.keys.push(key);
      v.items.push(item);
      this.skipSpace();
      if (this.peek(0x2c)) continue;
      if (this.peek(0x7d)) return v;
      return this.fail("expected ',' or '}'");
    }
  }

  private array(v: JsonValue, depth: i32): JsonValue | null {
    v.kind = JsonKind.Array;
    this.pos++;
    this.skipSpace();
    if (this.peek(0x5d)) return v;
    while (true) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.items.push(item);
      this.skipSpace();
      if (this.peek(0x2c)) continue;
      if (this.peek(0x5d)) return v;
      return this.fail("expected ',' or ']'");
    }
  }

  private stringLiteral(): string | null {
    this.pos++; // opening quote
    let out = "";
    let start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.text.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) return this.failString("control character in string");
      if (c == 0x5c) {
        out += this.text.substring(start, this.pos);
        if (this.pos + 1 >= this.text.length) break;
        const e = this.text.charCodeAt(this.pos + 1);
        this.pos += 2;
        if (e == 0x6e) out += "\n";
        else if (e == 0x74) out += "\t";
        else if (e == 0x72) out += "\r";
        else if (e == 0x62) out += "\b";
        else if (e == 0x66) out += "\f";
        else if (e == 0x22 || e == 0x5c || e == 0x2f) out += String.fromCharCode(e);
        else if (e == 0x75) {
          if (this.pos + 4 > this.text.length) break;
          const code = I32.parseInt(this.text.substring(this.pos, this.pos + 4), 16);
          if (isNaN(<f64>code) || code < 0) return this.failString("bad \\u escape");
          out += String.fromCharCode(code);
          this.pos += 4;
        } else return this.failString("bad escape");
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.failString("unterminated string");
  }

  /** A number as JSON writes it: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`. */
  private numberLiteral(v: JsonValue): JsonValue | null {
    const text = this.text;
    const start = this.pos;
    let negative = false;
    if (this.next() == 0x2d) {
      negative = true;
      this.pos++;
    }
    const first = this.next();
    if (first < 0x30 || first > 0x39) {
      return this.pos == start ? this.fail("unexpected character '" + text.charAt(this.pos) + "'") : this.fail("bad number");
    }
    let mantissa: f64 = 0;
    let exponent: i32 = 0;
    let digits = this.digits();
    if (first == 0x30 && digits.count > 1) return this.fail("bad number");
    mantissa = digits.value;
    if (this.next() == 0x2e) {
      this.pos++;
      digits = this.digits();
      if (digits.count == 0) return this.fail("bad number");
      mantissa = mantissa * pow10(digits.count) + digits.value;
      exponent -= digits.count;
    }
    const e = this.next();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      let sign = 1;
      const s = this.next();
      if (s == 0x2b || s == 0x2d) {
        if (s == 0x2d) sign = -1;
        this.pos++;
      }
      digits = this.digits();
      if (digits.count == 0 || digits.value > 400) return this.fail("bad number");
      exponent += sign * <i32>digits.value;
    }
    const magnitude = exponent >= 0 ? mantissa * pow10(exponent) : mantissa / pow10(-exponent);
    v.kind = JsonKind.Number;
    v.number = negative ? -magnitude : magnitude;
    return v;
  }

  /** The decimal digits at the position (their value, saturating, and how many there were). */
  private digits(): Digits {
    const out = this.scratchDigits;
    out.value = 0;
    out.count = 0;
    for (let c = this.next(); c >= 0x30 && c <= 0x39; c = this.next()) {
      out.value = out.value * 10 + <f64>(c - 0x30);
      out.count++;
      this.pos++;
    }
    return out;
  }

  /** The character at the position, or -1 at the end. */
  private next(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  private literal(word: string): bool {
    if (this.text.substring(this.pos, this.pos + word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  private peek(c: i32): bool {
    if (this.pos < this.text.length && this.text.charCodeAt(this.pos) == c) {
      this.pos++;
      return true;
    }
    return false;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return;
      this.pos++;
    }
  }

  private fail(message: string): JsonValue | null {
    if (this.error.length == 0) this.error = message + " at offset " + this.pos.toString();
    return null;
  }

  private failString(message: string): string | null {
    this.fail(message);
    return null;
  }
}

@final
class Digits {
  value: f64 = 0;
  count: i32 = 0;
}

/** 10^n for n from 0 to a few hundred, without Math.pow. */
function pow10(n: i32): f64 {
  let result: f64 = 1;
  for (let i = 0; i < n; i++) result *= 10;
  return result;
}

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

  private numberLiteral(v: JsonValue): JsonValue | null {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      const numeric = (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45;
      if (!numeric) break;
      this.pos++;
    }
    if (this.pos == start) return this.fail("unexpected character '" + this.text.charAt(this.pos) + "'");
    const n = F64.parseFloat(this.text.substring(start, this.pos));
    if (isNaN(n)) return this.fail("bad number");
    v.kind = JsonKind.Number;
    v.number = n;
    return v;
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

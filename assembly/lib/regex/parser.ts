// Parses RE2 syntax into a syntax tree (syntax.ts).
//
// Supported (RE2 semantics): literals; `.` (any character but \n; with (?s) any character); classes `[a-z]`, `[^...]`,
// `[[:alpha:]]` (ASCII POSIX classes, `[:^alpha:]` negated), escapes in classes; \d \D \w \W \s \S (ASCII, as in RE2);
// \t \n \r \f \v \a, \x41, \x{263a}, octal \012, \Q...\E, escaped punctuation; `|`; `( )`, `(?: )`, `(?P<name> )`,
// `(?<name> )`; `* + ?`, `{n}`, `{n,}`, `{n,m}` (n, m <= 1000), and their lazy forms (the same result for a full
// match); `^ $ \A \z \b \B` anywhere; flags (?i) (?m) (?s) (?U), (?-i), (?i:...). Case folding is RE2's for ASCII
// letters (k also matches U+212A KELVIN SIGN and s U+017F LONG S); a non-ASCII character under (?i) is refused
// rather than folded wrongly.
// Refused with a message naming the construct and its offset: \p{...} and \pL (Unicode classes), \C (any byte),
// backreferences, lookaround, \Z, and any other escape or group syntax RE2 does not have.
import { addGroup, addRange, complement, MAX_RUNE, normalize, perlGroup, posixGroup } from "./char_class";
import {
  AT_BEGIN_LINE, AT_BEGIN_TEXT, AT_END_LINE, AT_END_TEXT, AT_NOT_WORD_BOUNDARY, AT_WORD_BOUNDARY,
} from "./program";
import {
  classNode, listNode, N_ALTERNATE, N_ANY, N_ANY_NOT_NL, N_ASSERT, N_CONCAT, N_EMPTY, N_RUNE, Node, nodeOf, repeatNode,
} from "./syntax";

/** Largest count in `{n,m}`, as RE2. */
const MAX_REPEAT: i32 = 1000;
/** Deepest group nesting accepted: parsing and compiling recurse once per level. */
const MAX_NESTING: i32 = 100;

// Parse flags.
const FLAG_FOLD: i32 = 1; // (?i)
const FLAG_MULTI_LINE: i32 = 2; // (?m)
const FLAG_DOT_NL: i32 = 4; // (?s)
const FLAG_UNGREEDY: i32 = 8; // (?U): accepted, no effect on a full match

/** Returned by the group parser for `(?i)`: flags changed, nothing to add to the sequence. */
const FLAGS_ONLY = new Node(N_EMPTY);

function isHex(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: i32): i32 {
  if (c <= 0x39) return c - 0x30;
  return (c | 0x20) - 0x61 + 10;
}

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Recursive-descent parser of RE2 syntax into a Node tree. Offsets in errors are UTF-16 code units of the pattern. */
@final
export class Parser {
  error: string = "";
  private text: string;
  private pos: i32 = 0;
  private flags: i32 = 0;
  private depth: i32 = 0;
  private names: Array<string> = [];
  // Result of tryRepeat.
  private repeatMin: i32 = 0;
  private repeatMax: i32 = 0;

  constructor(text: string) {
    this.text = text;
  }

  parse(): Node | null {
    const text = this.text;
    // The pattern is read as code points: refuse what cannot be one (JSON "\ud800" can produce it).
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          i++;
          continue;
        }
      }
      if (c >= 0xd800 && c < 0xe000) return this.fail("invalid UTF-16 (lone surrogate)", i);
    }
    const root = this.alternation();
    if (root === null) return null;
    if (this.pos < text.length) return this.fail("unexpected )", this.pos); // alternation stops only at ) or the end
    return root;
  }

  private alternation(): Node | null {
    const branches = new Array<Node>();
    while (true) {
      const branch = this.sequence();
      if (branch === null) return null;
      branches.push(branch);
      if (this.pos < this.text.length && this.text.charCodeAt(this.pos) == 0x7c /* | */) {
        this.pos++;
        continue;
      }
      return listNode(N_ALTERNATE, branches);
    }
  }

  private sequence(): Node | null {
    const text = this.text;
    const items = new Array<Node>();
    let lastRepeat = -1; // offset of the repetition operator just read, if the last token was one
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c == 0x7c /* | */ || c == 0x29 /* ) */) break;
      if (c == 0x5c && this.pos + 1 < text.length && text.charCodeAt(this.pos + 1) == 0x51 /* \Q */) {
        if (!this.quoted(items)) return null;
        lastRepeat = -1;
        continue;
      }
      const start = this.pos;
      let least = -1;
      let most = -1;
      if (c == 0x2a /* * */) {
        least = 0;
        this.pos++;
      } else if (c == 0x2b /* + */) {
        least = 1;
        this.pos++;
      } else if (c == 0x3f /* ? */) {
        least = 0;
        most = 1;
        this.pos++;
      } else if (c == 0x7b /* { */ && this.tryRepeat()) {
        least = this.repeatMin;
        most = this.repeatMax;
      }
      if (least >= 0) {
        if (this.pos < text.length && text.charCodeAt(this.pos) == 0x3f) this.pos++; // lazy: same full match
        if (lastRepeat >= 0) {
          return this.fail("bad repetition operator '" + text.substring(lastRepeat, this.pos) + "'", lastRepeat);
        }
        const op = text.substring(start, this.pos);
        if (items.length == 0) return this.fail("missing argument to repetition operator '" + op + "'", start);
        if (most > MAX_REPEAT || least > MAX_REPEAT) {
          return this.fail("repetition count above " + MAX_REPEAT.toString() + " in '" + op + "'", start);
        }
        if (most != -1 && most < least) return this.fail("bad repetition range '" + op + "' (min above max)", start);
        items[items.length - 1] = repeatNode(items[items.length - 1], least, most);
        lastRepeat = start;
        continue;
      }
      const atom = this.atom();
      if (atom === null) return null;
      // After (?i), a repetition still applies to the item before it (as in RE2), but cannot stack on a repetition:
      // a chain a*(?i)*(?i)*... would nest without groups and deepen the recursion without bound.
      if (atom === FLAGS_ONLY) continue;
      items.push(atom);
      lastRepeat = -1;
    }
    return listNode(N_CONCAT, items);
  }

  /** Reads {n}, {n,} or {n,m} at pos into repeatMin/repeatMax; anything else is not a repetition (a literal {). */
  private tryRepeat(): bool {
    const save = this.pos;
    this.pos++;
    const least = this.integer();
    let most = least;
    if (least >= 0 && this.pos < this.text.length && this.text.charCodeAt(this.pos) == 0x2c /* , */) {
      this.pos++;
      most = this.pos < this.text.length && this.text.charCodeAt(this.pos) == 0x7d ? -1 : this.integer();
    }
    if (least < 0 || most < -1 || this.pos >= this.text.length || this.text.charCodeAt(this.pos) != 0x7d /* } */) {
      this.pos = save;
      return false;
    }
    this.pos++;
    this.repeatMin = least;
    this.repeatMax = most;
    return true;
  }

  /** A decimal without leading zeros (as RE2), or -2. Stops growing at 8 digits so that it cannot overflow. */
  private integer(): i32 {
    const text = this.text;
    const start = this.pos;
    let n = 0;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      if (n >= 100000000) return -2;
      n = n * 10 + (c - 0x30);
      this.pos++;
    }
    if (this.pos == start) return -2;
    if (this.pos - start > 1 && text.charCodeAt(start) == 0x30) return -2;
    return n;
  }

  private atom(): Node | null {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    switch (c) {
      case 0x28 /* ( */:
        return this.group();
      case 0x5b /* [ */:
        return this.bracket();
      case 0x2e /* . */:
        this.pos++;
        return new Node((this.flags & FLAG_DOT_NL) != 0 ? N_ANY : N_ANY_NOT_NL);
      case 0x5e /* ^ */:
        this.pos++;
        return nodeOf(N_ASSERT, (this.flags & FLAG_MULTI_LINE) != 0 ? AT_BEGIN_LINE : AT_BEGIN_TEXT);
      case 0x24 /* $ */:
        this.pos++;
        return nodeOf(N_ASSERT, (this.flags & FLAG_MULTI_LINE) != 0 ? AT_END_LINE : AT_END_TEXT);
      case 0x5c /* \ */:
        return this.escapeAtom();
    }
    const at = this.pos;
    return this.literal(this.rune(), at);
  }

  /** A literal code point, folded into a class under (?i). */
  private literal(rune: i32, at: i32): Node | null {
    if ((this.flags & FLAG_FOLD) == 0) return nodeOf(N_RUNE, rune);
    if (rune >= 0x80) return this.failFold(at);
    const r = new Array<i32>();
    addRange(r, rune, rune, true);
    return classNode(normalize(r));
  }

  /** Reads one code point of the pattern (surrogate pairs were checked in parse). */
  private rune(): i32 {
    const c = <i32>this.text.charCodeAt(this.pos);
    if (c >= 0xd800 && c < 0xdc00) {
      const low = <i32>this.text.charCodeAt(this.pos + 1);
      this.pos += 2;
      return 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
    this.pos++;
    return c;
  }

  private group(): Node | null {
    const text = this.text;
    const open = this.pos;
    if (this.depth >= MAX_NESTING) return this.fail("groups nested deeper than " + MAX_NESTING.toString(), open);
    this.pos++;
    const saved = this.flags;
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x3f /* ? */) {
      this.pos++;
      const rest = text.substring(this.pos, this.pos + 3);
      if (rest.startsWith("P<") || (rest.startsWith("<") && !rest.startsWith("<=") && !rest.startsWith("<!"))) {
        if (!this.groupName(open)) return null;
      } else if (rest.startsWith("P=") || rest.startsWith("P>")) {
        return this.fail("backreferences and recursion are not supported (RE2 has neither): '(?" + rest.substring(0, 2) + "'", open);
      } else if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
        const what = rest.startsWith("<") ? rest.substring(0, 2) : rest.substring(0, 1);
        return this.fail("lookaround is not supported (RE2 has none): '(?" + what + "'", open);
      } else {
        const end = this.flagGroup(open);
        if (end < 0) return null;
        if (end == 0x29 /* ) */) return FLAGS_ONLY; // (?i): applies to the rest of the enclosing group
      }
    }
    this.depth++;
    const inner = this.alternation();
    this.depth--;
    if (inner === null) return null;
    if (this.pos >= text.length) {
      return this.fail("missing )", this.pos, " (group opened at offset " + open.toString() + ")");
    }
    this.pos++; // )
    this.flags = saved;
    return inner;
  }

  /** Reads `P<name>` or `<name>` (pos after "(?"); the group is kept as a plain group. */
  private groupName(open: i32): bool {
    const text = this.text;
    if (text.charCodeAt(this.pos) == 0x50 /* P */) this.pos++;
    this.pos++; // <
    const start = this.pos;
    while (this.pos < text.length && text.charCodeAt(this.pos) != 0x3e /* > */) this.pos++;
    if (this.pos >= text.length) {
      this.failBool("missing > in group name '" + text.substring(open, this.pos) + "'", open);
      return false;
    }
    const name = text.substring(start, this.pos);
    this.pos++; // >
    let valid = name.length > 0;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (!isAlnum(c) && c != 0x5f) valid = false;
    }
    if (!valid) {
      this.failBool("invalid group name '" + text.substring(open, this.pos) + "'", open, " (letters, digits and _ only)");
      return false;
    }
    if (this.names.includes(name)) {
      this.failBool("duplicate group name '" + name + "'", open);
      return false;
    }
    this.names.push(name);
    return true;
  }

  /** Reads flags after "(?" up to ':' or ')'; returns that character, or -1 on error. */
  private flagGroup(open: i32): i32 {
    const text = this.text;
    let flags = this.flags;
    let negated = false;
    let sawFlag = false;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      this.pos++;
      let bit = 0;
      if (c == 0x69 /* i */) bit = FLAG_FOLD;
      else if (c == 0x6d /* m */) bit = FLAG_MULTI_LINE;
      else if (c == 0x73 /* s */) bit = FLAG_DOT_NL;
      else if (c == 0x55 /* U */) bit = FLAG_UNGREEDY;
      else if (c == 0x2d /* - */ && !negated) {
        negated = true;
        sawFlag = false;
        continue;
      } else if ((c == 0x3a /* : */ || c == 0x29) /* ) */ && (sawFlag || (!negated && c == 0x3a))) {
        this.flags = flags;
        return c;
      } else break;
      sawFlag = true;
      flags = negated ? flags & ~bit : flags | bit;
    }
    this.failBool("invalid or unsupported group or flag syntax '" + text.substring(open, this.pos) + "'", open, " (flags are i, m, s, U)");
    return -1;
  }

  /** A backslash sequence outside a class. */
  private escapeAtom(): Node | null {
    const text = this.text;
    const start = this.pos;
    if (start + 1 < text.length) {
      const c = text.charCodeAt(start + 1);
      let assertion = -1;
      if (c == 0x41 /* A */) assertion = AT_BEGIN_TEXT;
      else if (c == 0x7a /* z */) assertion = AT_END_TEXT;
      else if (c == 0x62 /* b */) assertion = AT_WORD_BOUNDARY;
      else if (c == 0x42 /* B */) assertion = AT_NOT_WORD_BOUNDARY;
      if (assertion >= 0) {
        this.pos += 2;
        return nodeOf(N_ASSERT, assertion);
      }
      const group = perlGroup(c);
      if (group !== null) {
        this.pos += 2;
        const r = new Array<i32>();
        addGroup(r, group, c < 0x61 /* upper case: negated */, (this.flags & FLAG_FOLD) != 0);
        return classNode(normalize(r));
      }
    }
    const rune = this.escape();
    if (rune < 0) return null;
    return this.literal(rune, start);
  }

  /** \Q...\E: everything up to \E (or the end) is literal; each character is an item, so \Qab\E* repeats b. */
  private quoted(items: Array<Node>): bool {
    const text = this.text;
    this.pos += 2;
    while (this.pos < text.length) {
      if (text.charCodeAt(this.pos) == 0x5c && this.pos + 1 < text.length && text.charCodeAt(this.pos + 1) == 0x45 /* E */) {
        this.pos += 2;
        break;
      }
      const at = this.pos;
      const n = this.literal(this.rune(), at);
      if (n === null) return false;
      items.push(n);
    }
    return true;
  }

  /** A backslash sequence that stands for one code point (outside or inside a class); -1 on error. */
  private escape(): i32 {
    const text = this.text;
    const start = this.pos;
    if (start + 1 >= text.length) return this.failRune("trailing \\", start);
    this.pos += 2;
    const c = <i32>text.charCodeAt(start + 1);
    switch (c) {
      case 0x6e /* n */:
        return 0x0a;
      case 0x72 /* r */:
        return 0x0d;
      case 0x74 /* t */:
        return 0x09;
      case 0x66 /* f */:
        return 0x0c;
      case 0x76 /* v */:
        return 0x0b;
      case 0x61 /* a */:
        return 0x07;
      case 0x78 /* x */:
        return this.hexEscape(start);
      case 0x70 /* p */:
      case 0x50 /* P */:
        return this.failRune("Unicode character classes are not supported: '\\" + String.fromCharCode(c) + "'", start);
      case 0x43 /* C */:
        return this.failRune("\\C (any byte) is not supported", start);
      case 0x5a /* Z */:
        return this.failRune("\\Z is not supported (RE2 has none; use \\z or $)", start);
    }
    if (c >= 0x30 && c <= 0x37) {
      // Octal: \0, \0nn, or \nnn with two or three digits; a lone \1..\7 would be a backreference.
      let code = c - 0x30;
      let digits = 1;
      while (digits < 3 && this.pos < text.length) {
        const d = <i32>text.charCodeAt(this.pos);
        if (d < 0x30 || d > 0x37) break;
        code = code * 8 + (d - 0x30);
        this.pos++;
        digits++;
      }
      if (c != 0x30 && digits == 1) return this.failRune("backreferences are not supported (RE2 has none): '\\" + String.fromCharCode(c) + "'", start);
      return code;
    }
    if (c == 0x38 || c == 0x39) return this.failRune("backreferences are not supported (RE2 has none): '\\" + String.fromCharCode(c) + "'", start);
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation (and \_) is itself
    this.pos = start + 1;
    const shown = text.substring(start, start + 1) + String.fromCodePoint(this.rune());
    return this.failRune("invalid escape sequence '" + shown + "'", start);
  }

  /** \xHH or \x{H...} (pos after "\x"). */
  private hexEscape(start: i32): i32 {
    const text = this.text;
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x7b /* { */) {
      this.pos++;
      let code = 0;
      let digits = 0;
      while (this.pos < text.length && isHex(text.charCodeAt(this.pos))) {
        code = code * 16 + hexValue(text.charCodeAt(this.pos));
        this.pos++;
        digits++;
        if (code > MAX_RUNE) break;
      }
      if (digits == 0 || code > MAX_RUNE || this.pos >= text.length || text.charCodeAt(this.pos) != 0x7d) {
        return this.failRune("invalid escape sequence '" + text.substring(start, this.pos + 1) + "'", start);
      }
      this.pos++;
      return code;
    }
    if (this.pos + 2 > text.length || !isHex(text.charCodeAt(this.pos)) || !isHex(text.charCodeAt(this.pos + 1))) {
      return this.failRune("invalid escape sequence '" + text.substring(start, this.pos + 2) + "'", start);
    }
    const code = hexValue(text.charCodeAt(this.pos)) * 16 + hexValue(text.charCodeAt(this.pos + 1));
    this.pos += 2;
    return code;
  }

  /** A bracket class [...] or [^...]. */
  private bracket(): Node | null {
    const text = this.text;
    const open = this.pos;
    const fold = (this.flags & FLAG_FOLD) != 0;
    this.pos++;
    let negated = false;
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x5e /* ^ */) {
      negated = true;
      this.pos++;
    }
    const r = new Array<i32>();
    let first = true; // ] is literal first in a class
    while (this.pos < text.length && (text.charCodeAt(this.pos) != 0x5d /* ] */ || first)) {
      first = false;
      const c = text.charCodeAt(this.pos);
      if (c == 0x5b /* [ */ && this.pos + 1 < text.length && text.charCodeAt(this.pos + 1) == 0x3a /* : */) {
        const close = text.indexOf(":]", this.pos + 2);
        if (close >= 0) {
          let name = text.substring(this.pos + 2, close);
          const posixNegated = name.startsWith("^");
          if (posixNegated) name = name.substring(1);
          const group = posixGroup(name);
          if (group === null) return this.fail("invalid character class '" + text.substring(this.pos, close + 2) + "'", this.pos);
          addGroup(r, group, posixNegated, fold);
          this.pos = close + 2;
          continue;
        }
      }
      if (c == 0x5c /* \ */ && this.pos + 1 < text.length) {
        const e = text.charCodeAt(this.pos + 1);
        const group = perlGroup(e);
        if (group !== null) {
          addGroup(r, group, e < 0x61, fold);
          this.pos += 2;
          continue;
        }
      }
      const itemStart = this.pos;
      const lo = this.classRune();
      if (lo < 0) return null;
      let hi = lo;
      // a-b is a range unless the - ends the class: [a-] holds a and -.
      if (this.pos + 1 < text.length && text.charCodeAt(this.pos) == 0x2d && text.charCodeAt(this.pos + 1) != 0x5d) {
        this.pos++;
        hi = this.classRune();
        if (hi < 0) return null;
        if (hi < lo) return this.fail("bad character class range '" + text.substring(itemStart, this.pos) + "'", itemStart);
      }
      if (fold && hi >= 0x80) return this.failFold(itemStart);
      addRange(r, lo, hi, fold);
    }
    if (this.pos >= text.length) return this.fail("missing ]", this.pos, " (class opened at offset " + open.toString() + ")");
    this.pos++; // ]
    const ranges = normalize(r);
    return classNode(negated ? complement(ranges) : ranges);
  }

  /** One code point in a class: a character or an escape; -1 on error. */
  private classRune(): i32 {
    if (this.text.charCodeAt(this.pos) == 0x5c) return this.escape();
    return this.rune();
  }

  private failFold(at: i32): Node | null {
    return this.fail("case-insensitive matching of non-ASCII characters is not supported", at);
  }

  private fail(message: string, at: i32, note: string = ""): Node | null {
    if (this.error.length == 0) this.error = message + " at offset " + at.toString() + note;
    return null;
  }

  private failBool(message: string, at: i32, note: string = ""): void {
    this.fail(message, at, note);
  }

  private failRune(message: string, at: i32): i32 {
    this.fail(message, at);
    return -1;
  }
}

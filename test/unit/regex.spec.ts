import { MAX_PROGRAM_SIZE, Regex } from "../../assembly/lib/regex/regex";

/** One row: `pattern` fully matched against `input` (UTF-8) gives `expected`. */
class Case {
  pattern: string;
  input: string;
  expected: bool;

  constructor(pattern: string, input: string, expected: bool) {
    this.pattern = pattern;
    this.input = input;
    this.expected = expected;
  }
}

function row(pattern: string, input: string, expected: bool): Case {
  return new Case(pattern, input, expected);
}

/** The rows that do not give their expected result, one line each: "" when every row passes. */
function mismatches(cases: Array<Case>): string {
  let out = "";
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const compiled = Regex.compile(c.pattern);
    if (compiled.regex === null) {
      out += "/" + c.pattern + "/ does not compile: " + compiled.error + "\n";
      continue;
    }
    if (compiled.regex!.matchesString(c.input) != c.expected) {
      out += "/" + c.pattern + "/ on '" + c.input + "' should be " + (c.expected ? "true" : "false") + "\n";
    }
  }
  return out;
}

function errorOf(pattern: string): string {
  const compiled = Regex.compile(pattern);
  return compiled.regex === null ? compiled.error : "(compiled)";
}

function compiled(pattern: string): Regex {
  return Regex.compile(pattern).regex!;
}

/** Matches raw bytes (not necessarily valid UTF-8) through the wasm-memory entry point. */
function matchesBytes(pattern: string, bytes: Array<u8>): bool {
  const buffer = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) buffer[i] = bytes[i];
  return compiled(pattern).matches(buffer.dataStart, buffer.length);
}

// Patterns users write for routes (service and method names, versions, canaries).
const ROUTES: Array<Case> = [
  row("com\\.example\\..*Service", "com.example.DemoService", true),
  row("com\\.example\\..*Service", "com.example.Service", true),
  row("com\\.example\\..*Service", "com.example.Demo", false),
  row("com\\.example\\..*Service", "comXexample.DemoService", false),
  row("com\\.example\\..*Service", "com.example.DemoService.v2", false), // full match, not a search
  row("com\\.example\\..*Service", "org.com.example.DemoService", false),
  row("sayHello|sayBye", "sayHello", true),
  row("sayHello|sayBye", "sayBye", true),
  row("sayHello|sayBye", "sayHelloBye", false),
  row("sayHello|sayBye", "say", false),
  row("sayHello|sayBye", "", false),
  row("sayHello|sayBye", "xsayBye", false),
  row("v[0-9]+(\\.[0-9]+)*", "v1", true),
  row("v[0-9]+(\\.[0-9]+)*", "v1.2.3", true),
  row("v[0-9]+(\\.[0-9]+)*", "v10.20", true),
  row("v[0-9]+(\\.[0-9]+)*", "v", false),
  row("v[0-9]+(\\.[0-9]+)*", "v1.", false),
  row("v[0-9]+(\\.[0-9]+)*", "v1.x", false),
  row("v[0-9]+(\\.[0-9]+)*", "V1", false),
  row(".*-canary", "reviews-canary", true),
  row(".*-canary", "-canary", true),
  row(".*-canary", "reviews-canary-2", false),
  row(".*-canary", "canary", false),
  row("(?i)com\\.example\\.(demo|test)service", "COM.Example.DemoService", true),
  row("[a-z]+\\.v[0-9]+\\.[A-Z][A-Za-z]*Service", "payments.v1.RefundService", true),
  row("[a-z]+\\.v[0-9]+\\.[A-Z][A-Za-z]*Service", "payments.v1.refundService", false),
  row("^/api/v[12]/.*$", "/api/v2/users", true),
  row("^/api/v[12]/.*$", "/api/v3/users", false),
  row("prefix-\\d{3}", "prefix-123", true),
  row("prefix-\\d{3}", "prefix-12", false),
  row("[^/]+/[^/]+", "a/b", true),
  row("[^/]+/[^/]+", "a/b/c", false),
  row("(get|list)[A-Z]\\w*", "listUsers", true),
  row("(get|list)[A-Z]\\w*", "deleteUser", false),
];

// Literals, escapes, `.` and classes.
const SYNTAX: Array<Case> = [
  row("a\\.b", "a.b", true),
  row("a\\.b", "axb", false),
  row("a\\\\b", "a\\b", true),
  row("\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\.\\-\\/\\_", "*+?()[]{}|^$.-/_", true),
  row("\\d+", "0123456789", true),
  row("\\d+", "12a", false),
  row("\\D+", "abc", true),
  row("\\D+", "a1", false),
  row("\\w+", "abc_XYZ_09", true),
  row("\\w+", "a-b", false),
  row("\\W", "-", true),
  row("\\W", "a", false),
  row("\\s", " ", true),
  row("\\s", "\t", true),
  row("\\s", "\n", true),
  row("\\s", "\v", false), // RE2's \s is [\t\n\f\r ]
  row("\\s", "x", false),
  row("\\S+", "ab", true),
  row("\\S+", "a b", false),
  row("a\\tb\\nc\\rd\\fe\\vf\\ag", "a\tb\nc\rd\fe\vf\x07g", true),
  row("\\x41\\x{42}\\x{263a}", "AB\u263a", true),
  row("\\101\\0\\012", "A\0\n", true),
  row("\\Qa.b*c\\E+", "a.b*cc", true),
  row("\\Qab\\E{2}", "abb", true), // as RE2: the repetition applies to the last quoted character
  row("\\Qab\\E{2}", "abab", false),
  row("\\Qa.b*c\\E", "axbbc", false),
  row("\\Q.*", ".*", true),
  row("[abc]", "b", true),
  row("[abc]", "d", false),
  row("[^a-z0-9_]", "A", true),
  row("[^a-z0-9_]", "-", true),
  row("[^a-z0-9_]", "a", false),
  row("[^a-z0-9_]", "_", false),
  row("[^a-z0-9_]", "5", false),
  row("[a-cx-z]+", "abxyz", true),
  row("[a-cx-z]+", "abd", false),
  row("[\\d.]+", "1.2", true),
  row("[\\d.]+", "1,2", false),
  row("[\\]\\\\\\-]+", "]\\-", true),
  row("[]a]", "]", true),
  row("[]a]", "a", true),
  row("[^]a]", "b", true),
  row("[^]a]", "]", false),
  row("[a-]", "-", true),
  row("[-a]", "-", true),
  row("[a-c-e]", "-", true),
  row("[a-c-e]", "d", false),
  row("[[:alpha:]]+", "abcXYZ", true),
  row("[[:alpha:]]+", "ab1", false),
  row("[[:^digit:]]", "a", true),
  row("[[:^digit:]]", "1", false),
  row("[[:xdigit:]]+", "09afAF", true),
  row("[[:xdigit:]]+", "g", false),
  row("[[:punct:][:space:]]+", "!- ~", true),
  row("[:alpha:]", ":", true), // outside brackets it is an ordinary class of : a l p h
  row("[^\\n]", "\n", false),
  row("[^a]", "\n", true), // as RE2: a negated class matches a newline
  row("[\\s\\d]+", " 1 2", true),
  row("[^\\D]", "5", true),
  row("[^\\D]", "a", false),
  row("[\\x41-\\x{43}]+", "ABC", true),
  row(".", "a", true),
  row(".", "\n", false),
  row("(?s).", "\n", true),
  row("a.c", "abc", true),
  row("a.c", "a\nc", false),
  row("a{", "a{", true), // not a repetition: a literal {, as RE2
  row("a{,2}", "a{,2}", true),
  row("a{01}", "a{01}", true),
  row("{", "{", true),
  row("x{2}}", "xx}", true),
  row("a]", "a]", true),
  row("}", "}", true),
];

const GROUPS: Array<Case> = [
  row("a|b|c", "c", true),
  row("a|b|c", "d", false),
  row("(a|b)c", "bc", true),
  row("(?:ab|cd)+", "abcdab", true),
  row("(?:ab|cd)+", "abc", false),
  row("a(|b)", "a", true),
  row("a(|b)", "ab", true),
  row("a||b", "", true),
  row("|", "", true),
  row("()", "", true),
  row("((a|b)|(c|d))e", "de", true),
  row("(?P<service>[a-z]+)\\.(?<method>[a-z]+)", "demo.hello", true),
  row("(?P<service>[a-z]+)\\.(?<method>[a-z]+)", "demo.", false),
  row("(a(b(c(d))))", "abcd", true),
];

const QUANTIFIERS: Array<Case> = [
  row("ab*c", "ac", true),
  row("ab*c", "abbbc", true),
  row("ab+c", "ac", false),
  row("ab+c", "abc", true),
  row("ab?c", "ac", true),
  row("ab?c", "abbc", false),
  row("a{3}", "aaa", true),
  row("a{3}", "aa", false),
  row("a{3}", "aaaa", false),
  row("a{2,}", "aa", true),
  row("a{2,}", "aaaaaa", true),
  row("a{2,}", "a", false),
  row("a{2,4}", "aa", true),
  row("a{2,4}", "aaa", true),
  row("a{2,4}", "aaaa", true),
  row("a{2,4}", "aaaaa", false),
  row("a{2,4}", "a", false),
  row("a{0}", "", true),
  row("a{0}", "a", false),
  row("a{0,1}", "", true),
  row("a{0,}", "", true),
  row("a{1,}", "", false),
  row("(ab){2}", "abab", true),
  row("(ab){1,2}c", "ababc", true),
  row("(ab){1,2}c", "abababc", false),
  row("[0-9]{1,3}(\\.[0-9]{1,3}){3}", "10.0.255.1", true),
  row("[0-9]{1,3}(\\.[0-9]{1,3}){3}", "10.0.255", false),
  row("a*?", "aaa", true), // lazy forms: the same full-match result
  row("a+?b", "aab", true),
  row("a??b", "b", true),
  row("a{2,3}?", "aaa", true),
  row("a{2,3}?", "aaaa", false),
  row(".*?-canary", "x-canary", true),
  row("(a*)*", "aaa", true),
  row("(a*)+b", "b", true),
  row("(a|)*", "aa", true),
  row("()*", "", true),
  row("x*y*z*", "", true),
  row("^*a", "a", true), // RE2 accepts repeating an assertion
];

const ANCHORS: Array<Case> = [
  row("^abc$", "abc", true),
  row("^abc", "abc", true),
  row("abc$", "abc", true),
  row("^abc$", "abcd", false),
  row("^", "", true),
  row("^", "a", false),
  row("$", "", true),
  row("^$", "", true),
  row("a^b", "ab", false),
  row("a$b", "ab", false),
  row("(^a|b)c", "ac", true),
  row("(^a|b)c", "bc", true),
  row("x(^a|b)c", "xac", false),
  row("\\Aabc\\z", "abc", true),
  row("^a$\\n^b$", "a\nb", false), // without (?m), ^ and $ are the text's ends
  row("(?m)^a$\\n^b$", "a\nb", true),
  row("(?m)a$", "a", true),
  row("\\bfoo\\b", "foo", true),
  row("foo\\b.*", "foo bar", true),
  row("foo\\b.*", "foobar", false),
  row("a\\Bb", "ab", true),
  row("\\B", "", true),
  row("\\b", "", false),
];

const CASE_FOLDING: Array<Case> = [
  row("(?i)hello", "HeLLo", true),
  row("(?i)hello", "hello!", false),
  row("(?i)[a-c]+", "AbC", true),
  row("(?i)[a-c]+", "d", false),
  row("(?i)k", "\u212a", true), // KELVIN SIGN folds with k, as in RE2
  row("(?i)s", "\u017f", true), // LONG S folds with s
  row("(?i)[^k]", "K", false),
  row("(?i)[^k]", "\u212a", false),
  row("(?i)[^k]", "x", true),
  row("(?i)\\x41", "a", true),
  row("(?i:a)b", "Ab", true),
  row("(?i:a)b", "AB", false),
  row("(?i)a(?-i)b", "Ab", true),
  row("(?i)a(?-i)b", "AB", false),
  row("a(?i)b|c", "C", true), // flags last to the end of the group, across |
  row("a(?i)b|c", "aB", true),
  row("a(?i)b|c", "Ab", false),
  row("((?i)a)a", "Aa", true),
  row("((?i)a)a", "AA", false),
  row("(?U)a+", "aa", true),
  row("(?s:.)", "\n", true),
  row("(?i)hello", "hello", true),
  row("hello", "Hello", false),
];

// Pattern and input are UTF-8: characters, not bytes, are matched.
const UTF8: Array<Case> = [
  row("h\u00e9llo", "h\u00e9llo", true),
  row("h\u00e9llo", "hello", false),
  row("h.llo", "h\u00e9llo", true), // . is one code point (two bytes here)
  row("h..llo", "h\u00e9llo", false),
  row("[\u00e9-\u00eb]", "\u00ea", true),
  row("[\u00e9-\u00eb]", "e", false),
  row("[^a]", "\u00e9", true),
  row("\\W", "\u00e9", true), // \w is ASCII only, as in RE2
  row(".", "\u263a", true),
  row(".", "\u{1F600}", true),
  row("\u{1F600}+", "\u{1F600}\u{1F600}", true),
  row("\\x{1F600}", "\u{1F600}", true),
  row(".{3}", "a\u263a\u{1F600}", true),
  row("[\u{1F600}-\u{1F602}]", "\u{1F601}", true),
  row("[\u{1F600}-\u{1F602}]", "\u{1F603}", false),
  row("\u00e9", "\u00c9", false),
];

const EMPTY: Array<Case> = [
  row("", "", true),
  row("", "a", false),
  row("a", "", false),
  row("a*", "", true),
  row("(?:)", "", true),
  row("a|", "", true),
  row(".*", "", true),
  row(".+", "", false),
];

describe("Regex: matching (full match, RE2 syntax)", () => {
  it("matches the patterns users write for routes", () => {
    expect(mismatches(ROUTES)).toBe("");
  });

  it("matches literals, escapes, . and classes", () => {
    expect(mismatches(SYNTAX)).toBe("");
  });

  it("matches alternation and groups (capturing, non-capturing, named)", () => {
    expect(mismatches(GROUPS)).toBe("");
  });

  it("matches * + ? and counted repetition, lazy forms included", () => {
    expect(mismatches(QUANTIFIERS)).toBe("");
  });

  it("treats ^ $ \\A \\z \\b \\B as assertions, with (?m) for lines", () => {
    expect(mismatches(ANCHORS)).toBe("");
  });

  it("folds ASCII case under (?i), scoped to its group", () => {
    expect(mismatches(CASE_FOLDING)).toBe("");
  });

  it("matches UTF-8 character by character", () => {
    expect(mismatches(UTF8)).toBe("");
  });

  it("handles the empty pattern and the empty input", () => {
    expect(mismatches(EMPTY)).toBe("");
  });
});

describe("Regex: matching bytes in wasm memory", () => {
  it("matches exactly `length` bytes, never past them", () => {
    const bytes = String.UTF8.encode("sayHelloX");
    const ptr = changetype<usize>(bytes);
    expect(compiled("sayHello").matches(ptr, 8)).toBe(true);
    expect(compiled("sayHello$").matches(ptr, 8)).toBe(true);
    expect(compiled("sayHello\\b").matches(ptr, 8)).toBe(true);
    expect(compiled("sayHello.").matches(ptr, 8)).toBe(false);
    expect(compiled("").matches(ptr, 0)).toBe(true);
  });

  it("never matches a byte that is not valid UTF-8, not even with .", () => {
    expect(matchesBytes(".*", [0x61, 0xc3, 0xa9])).toBe(true);
    expect(matchesBytes(".*", [0x61, 0xff])).toBe(false);
    expect(matchesBytes(".*", [0xc3])).toBe(false); // truncated sequence
    expect(matchesBytes(".*", [0xc0, 0xaf])).toBe(false); // overlong /
    expect(matchesBytes(".*", [0xed, 0xa0, 0x80])).toBe(false); // a surrogate
    expect(matchesBytes(".*", [0xf4, 0x90, 0x80, 0x80])).toBe(false); // above U+10FFFF
    expect(matchesBytes("[^a]", [0xff])).toBe(false);
    expect(matchesBytes("\\x{fffd}", [0xff])).toBe(false);
    expect(matchesBytes("a.b", [0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62])).toBe(true);
  });

  it("can be reused: every call starts from a clean state", () => {
    const r = compiled("(foo|bar)+");
    expect(r.matchesString("foobar")).toBe(true);
    expect(r.matchesString("foobaz")).toBe(false);
    expect(r.matchesString("barfoo")).toBe(true);
    expect(r.matchesString("")).toBe(false);
    expect(r.matchesString("foo")).toBe(true);
  });
});

describe("Regex: linear time on pathological patterns", () => {
  it("answers (a*)*b on 10,000 a's (false) without backtracking", () => {
    const input = "a".repeat(10000);
    expect(compiled("(a*)*b").matchesString(input)).toBe(false);
    expect(compiled("(a|aa)*c").matchesString(input)).toBe(false);
    expect(compiled("(a+)+$").matchesString(input)).toBe(true);
    expect(compiled("(x+x+)+y").matchesString("x".repeat(10000))).toBe(false);
    expect(compiled("(.*)*").matchesString(input)).toBe(true);
    expect(compiled(".*.*.*=.*").matchesString(input)).toBe(false);
    expect(compiled("(a?){30}a{30}").matchesString("a".repeat(30))).toBe(true);
  });
});

describe("Regex: compile errors", () => {
  it("names unbalanced parentheses and brackets with their offsets", () => {
    expect(errorOf("(abc")).toBe("missing ) at offset 4 (group opened at offset 0)");
    expect(errorOf("com\\.(example")).toBe("missing ) at offset 13 (group opened at offset 5)");
    expect(errorOf("abc)")).toBe("unexpected ) at offset 3");
    expect(errorOf("[abc")).toBe("missing ] at offset 4 (class opened at offset 0)");
    expect(errorOf("[]")).toBe("missing ] at offset 2 (class opened at offset 0)");
  });

  it("refuses misplaced and stacked repetition operators", () => {
    expect(errorOf("*a")).toBe("missing argument to repetition operator '*' at offset 0");
    expect(errorOf("a|*")).toBe("missing argument to repetition operator '*' at offset 2");
    expect(errorOf("(+)")).toBe("missing argument to repetition operator '+' at offset 1");
    expect(errorOf("{2}")).toBe("missing argument to repetition operator '{2}' at offset 0");
    expect(errorOf("a**")).toBe("bad repetition operator '**' at offset 1");
    expect(errorOf("a*+")).toBe("bad repetition operator '*+' at offset 1");
    expect(errorOf("a??+")).toBe("bad repetition operator '??+' at offset 1");
    expect(errorOf("a{2}{3}")).toBe("bad repetition operator '{2}{3}' at offset 1");
    expect(errorOf("a*(?i)*")).toBe("bad repetition operator '*(?i)*' at offset 1");
  });

  it("bounds counted repetition at 1000", () => {
    expect(errorOf("a{1001}")).toBe("repetition count above 1000 in '{1001}' at offset 1");
    expect(errorOf("a{2,1001}")).toBe("repetition count above 1000 in '{2,1001}' at offset 1");
    expect(errorOf("a{5,2}")).toBe("bad repetition range '{5,2}' (min above max) at offset 1");
  });

  it("names bad classes and escapes", () => {
    expect(errorOf("[z-a]")).toBe("bad character class range 'z-a' at offset 1");
    expect(errorOf("[[:foo:]]")).toBe("invalid character class '[:foo:]' at offset 1");
    expect(errorOf("\\k")).toBe("invalid escape sequence '\\k' at offset 0");
    expect(errorOf("[\\b]")).toBe("invalid escape sequence '\\b' at offset 1");
    expect(errorOf("abc\\")).toBe("trailing \\ at offset 3");
    expect(errorOf("\\xZ1")).toBe("invalid escape sequence '\\xZ1' at offset 0");
    expect(errorOf("\\x{110000}")).toBe("invalid escape sequence '\\x{110000}' at offset 0");
    expect(errorOf("\\x{}")).toBe("invalid escape sequence '\\x{}' at offset 0");
    expect(errorOf("a\uD800")).toBe("invalid UTF-16 (lone surrogate) at offset 1");
  });

  it("refuses clearly what RE2 has and this engine does not", () => {
    expect(errorOf("\\pL")).toBe("Unicode character classes are not supported: '\\p' at offset 0");
    expect(errorOf("[\\P{Greek}]")).toBe("Unicode character classes are not supported: '\\P' at offset 1");
    expect(errorOf("a\\C")).toBe("\\C (any byte) is not supported at offset 1");
    expect(errorOf("(?i)\u00e9")).toBe("case-insensitive matching of non-ASCII characters is not supported at offset 4");
    expect(errorOf("(?i)[a-\u00e9]")).toBe("case-insensitive matching of non-ASCII characters is not supported at offset 5");
  });

  it("refuses what RE2 does not have either", () => {
    expect(errorOf("(a)\\1")).toBe("backreferences are not supported (RE2 has none): '\\1' at offset 3");
    expect(errorOf("\\Z")).toBe("\\Z is not supported (RE2 has none; use \\z or $) at offset 0");
    expect(errorOf("(?=a)")).toBe("lookaround is not supported (RE2 has none): '(?=' at offset 0");
    expect(errorOf("x(?<!a)b")).toBe("lookaround is not supported (RE2 has none): '(?<!' at offset 1");
    expect(errorOf("(?P<n>a)(?P=n)")).toBe(
      "backreferences and recursion are not supported (RE2 has neither): '(?P=' at offset 8",
    );
    expect(errorOf("(?x)a")).toBe("invalid or unsupported group or flag syntax '(?x' at offset 0 (flags are i, m, s, U)");
    expect(errorOf("(?#note)")).toBe("invalid or unsupported group or flag syntax '(?#' at offset 0 (flags are i, m, s, U)");
    expect(errorOf("(?i-)a")).toBe("invalid or unsupported group or flag syntax '(?i-)' at offset 0 (flags are i, m, s, U)");
    expect(errorOf("(?)")).toBe("invalid or unsupported group or flag syntax '(?)' at offset 0 (flags are i, m, s, U)");
  });

  it("checks group names", () => {
    expect(errorOf("(?P<na-me>a)")).toBe("invalid group name '(?P<na-me>' at offset 0 (letters, digits and _ only)");
    expect(errorOf("(?P<>a)")).toBe("invalid group name '(?P<>' at offset 0 (letters, digits and _ only)");
    expect(errorOf("(?P<a>x)(?<a>y)")).toBe("duplicate group name 'a' at offset 8");
    expect(errorOf("(?P<name")).toBe("missing > in group name '(?P<name' at offset 0");
  });

  it("bounds group nesting at 100", () => {
    expect(errorOf("(".repeat(100) + "a" + ")".repeat(100))).toBe("(compiled)");
    expect(errorOf("(".repeat(101) + "a" + ")".repeat(101))).toBe("groups nested deeper than 100 at offset 100");
  });
});

describe("Regex: program size bound", () => {
  it("counts one instruction per literal, class or assertion, plus the jumps, plus the final match", () => {
    expect(compiled("abc").programSize).toBe(4);
    expect(compiled("a|b").programSize).toBe(5);
    expect(compiled("a*").programSize).toBe(4);
    expect(compiled("a+").programSize).toBe(3);
    expect(compiled("a{2,4}").programSize).toBe(7);
  });

  it("refuses patterns compiling to more than 1000 instructions, before expanding them", () => {
    expect(MAX_PROGRAM_SIZE).toBe(1000);
    const largest = compiled("a{999}");
    expect(largest.programSize).toBe(1000);
    expect(largest.matchesString("a".repeat(999))).toBe(true);
    expect(largest.matchesString("a".repeat(998))).toBe(false);
    expect(errorOf("a{1000}")).toBe("pattern too large: it compiles to 1001 instructions, the limit is 1000");
    expect(errorOf("x".repeat(1000))).toBe("pattern too large: it compiles to 1001 instructions, the limit is 1000");
    expect(errorOf(".{1,1000}")).toBe("pattern too large: it compiles to 2000 instructions, the limit is 1000");
    expect(errorOf("(a{1000}){1000}")).toBe("pattern too large: it compiles to 1000001 instructions, the limit is 1000");
    expect(errorOf("((a{1000}){1000}){1000}")).toBe(
      "pattern too large: it compiles to at least 1000000000 instructions, the limit is 1000",
    );
  });
});

describe("Regex: the last input's answer", () => {
  it("is reused only for the same bytes, and an empty first input is still matched", () => {
    const r = Regex.compile("a*|say.*").regex!;
    expect(r.matchesString("")).toBe(true); // nothing remembered yet: run, not the initial answer
    expect(r.matchesString("")).toBe(true);
    expect(r.matchesString("sayHello")).toBe(true);
    expect(r.matchesString("sayHello")).toBe(true);
    expect(r.matchesString("echo")).toBe(false);
    expect(r.matchesString("sayHello")).toBe(true);
    expect(r.matchesString("sayHellp")).toBe(true);
    expect(r.matchesString("aaab")).toBe(false);
    expect(r.matchesString("aaa")).toBe(true);
    const long = "say" + "x".repeat(300); // longer than what is remembered
    expect(r.matchesString(long)).toBe(true);
    expect(r.matchesString("echo")).toBe(false);
    expect(r.matchesString(long)).toBe(true);
    const none = Regex.compile("b+").regex!;
    expect(none.matchesString("")).toBe(false);
    expect(none.matchesString("b")).toBe(true);
    expect(none.matchesString("")).toBe(false);
  });
});

// Envoy's `safe_regex` (RE2 syntax, full match) for route matching: AssemblyScript has no RegExp.
//
// Like RE2, matching takes time linear in the input: the pattern is compiled to a Thompson NFA and run as a Pike VM
// without captures (one set of live states per input position, each state visited at most once per position), so
// `(a*)*b` on a long input costs O(input x program), never a backtracking blow-up. Program size is bounded
// (MAX_PROGRAM_SIZE instructions, our counterpart of Envoy's re2 max_program_size; the counts are ours, not RE2's).
//
// The input is UTF-8 and is matched character by character, as RE2 does: `.`, `[^a]` and `\D` consume one whole code
// point, and a non-ASCII literal in the pattern matches its UTF-8 bytes. A byte that is not part of a valid UTF-8
// sequence matches nothing (not even `.`), so such input never matches past it.
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
//
// Errors are returned, never thrown (a trap kills the VM). Compiling allocates; matching does not (but for the
// buffer that remembers the last input, which grows to at most MAX_REMEMBERED_INPUT): the state sets are allocated
// once per Regex, which is therefore not reentrant (wasm is single-threaded, and matching calls nothing that could
// match again).
import { ByteBuffer, bytesEqual } from "./bytes";

/**
 * Largest program accepted, in instructions: one per literal, class, `.` or assertion, one or two per `| * + ?`, a
 * copy of the repeated part per count of `{n,m}`, and the final match (so `a{999}` is the longest run of one literal).
 */
export const MAX_PROGRAM_SIZE: i32 = 1000;
/** Inputs up to this size are remembered with their answer (service and method names are short). */
const MAX_REMEMBERED_INPUT: i32 = 256;
/** Largest count in `{n,m}`, as RE2. */
export const MAX_REPEAT: i32 = 1000;
/** Deepest group nesting accepted: parsing and compiling recurse once per level. */
const MAX_NESTING: i32 = 100;
const MAX_RUNE: i32 = 0x10ffff;
/** What the decoder returns for a byte that does not start a valid UTF-8 sequence: no instruction matches it. */
const INVALID_RUNE: i32 = -1;
/** Sizes are summed with saturation so that `((a{1000}){1000}){1000}` is refused without being expanded. */
const SIZE_CAP: i64 = 1000000000;

// Instructions: three i32 per instruction (op, a, b).
const OP_RUNE: i32 = 0; // a = code point
const OP_CLASS: i32 = 1; // a = first pair in `ranges`, b = number of [lo, hi] pairs
const OP_ANY_NOT_NL: i32 = 2;
const OP_ANY: i32 = 3;
const OP_SPLIT: i32 = 4; // a, b = targets
const OP_JUMP: i32 = 5; // a = target
const OP_ASSERT: i32 = 6; // a = assertion
const OP_MATCH: i32 = 7;

// Empty-width assertions.
const AT_BEGIN_TEXT: i32 = 0;
const AT_END_TEXT: i32 = 1;
const AT_BEGIN_LINE: i32 = 2;
const AT_END_LINE: i32 = 3;
const AT_WORD_BOUNDARY: i32 = 4;
const AT_NOT_WORD_BOUNDARY: i32 = 5;

// Parse flags.
const FLAG_FOLD: i32 = 1; // (?i)
const FLAG_MULTI_LINE: i32 = 2; // (?m)
const FLAG_DOT_NL: i32 = 4; // (?s)
const FLAG_UNGREEDY: i32 = 8; // (?U): accepted, no effect on a full match

// Syntax tree node kinds.
const N_EMPTY: i32 = 0;
const N_RUNE: i32 = 1;
const N_CLASS: i32 = 2;
const N_ANY_NOT_NL: i32 = 3;
const N_ANY: i32 = 4;
const N_ASSERT: i32 = 5;
const N_CONCAT: i32 = 6;
const N_ALTERNATE: i32 = 7;
const N_REPEAT: i32 = 8;

export class RegexResult {
  regex: Regex | null = null;
  /** Why the pattern was refused, with the offset (an index into the pattern string) where it went wrong; "" if not. */
  error: string = "";
}

@final
export class Regex {
  /** Instructions, three i32 each. */
  private program: StaticArray<i32>;
  /** [lo, hi] code point pairs of the class instructions, sorted and disjoint per class. */
  private ranges: StaticArray<i32>;
  private current: StateSet;
  private next: StateSet;
  private stack: StaticArray<i32>;
  /** Number of instructions (the MATCH one included). */
  readonly programSize: i32;
  /** The last input `matches` ran on (when short enough to keep), and its answer. */
  private lastInput: ByteBuffer = new ByteBuffer();
  private lastResult: bool = false;
  private remembered: bool = false;

  private constructor(program: Array<i32>, ranges: Array<i32>) {
    const size = program.length / 3;
    this.programSize = size;
    this.program = StaticArray.fromArray<i32>(program);
    this.ranges = StaticArray.fromArray<i32>(ranges);
    this.current = new StateSet(size);
    this.next = new StateSet(size);
    // Each instruction enters a set once per position and pushes at most two successors.
    this.stack = new StaticArray<i32>(2 * size + 1);
  }

  /** Compiles an RE2 pattern; `regex` is null and `error` says why when the pattern is refused. */
  static compile(pattern: string): RegexResult {
    const result = new RegexResult();
    const parser = new Parser(pattern);
    const root = parser.parse();
    if (root === null) {
      result.error = parser.error;
      return result;
    }
    const size = sizeOf(root) + 1;
    if (size > <i64>MAX_PROGRAM_SIZE) {
      const count = size >= SIZE_CAP ? "at least " + SIZE_CAP.toString() : size.toString();
      result.error = "pattern too large: it compiles to " + count + " instructions, the limit is " + MAX_PROGRAM_SIZE.toString();
      return result;
    }
    const emitter = new Emitter();
    emitter.emit(root);
    emitter.add(OP_MATCH, 0, 0);
    result.regex = new Regex(emitter.program, emitter.ranges);
    return result;
  }

  /**
   * Whether the UTF-8 bytes at `ptr` match the whole pattern (anchored at both ends, as Envoy's safe_regex). The last
   * input's answer is kept: consecutive requests mostly carry the same methods and services.
   */
  matches(ptr: usize, length: i32): bool {
    const last = this.lastInput;
    if (this.remembered && bytesEqual(ptr, length, last.ptr, last.length)) return this.lastResult;
    const result = this.run(ptr, length);
    this.remembered = length <= MAX_REMEMBERED_INPUT;
    if (this.remembered) {
      last.clear();
      last.append(ptr, length);
      this.lastResult = result;
    }
    return result;
  }

  private run(ptr: usize, length: i32): bool {
    let current = this.current;
    let next = this.next;
    current.clear();
    this.addState(current, 0, ptr, 0, length);
    const program = this.program;
    let at = 0;
    while (at < length) {
      if (current.size == 0) return false; // no live state: no match, whatever follows
      const decoded = decodeUtf8(ptr + <usize>at, length - at);
      const rune = decoded >> 3;
      const after = at + (decoded & 7);
      next.clear();
      for (let i = 0; i < current.size; i++) {
        const pc = current.at(i);
        const op = unchecked(program[pc * 3]);
        let ok = false;
        if (op == OP_RUNE) ok = rune == unchecked(program[pc * 3 + 1]);
        else if (op == OP_CLASS) ok = this.inClass(rune, unchecked(program[pc * 3 + 1]), unchecked(program[pc * 3 + 2]));
        else if (op == OP_ANY_NOT_NL) ok = rune >= 0 && rune != 0x0a;
        else if (op == OP_ANY) ok = rune >= 0;
        if (ok) this.addState(next, pc + 1, ptr, after, length);
      }
      const swap = current;
      current = next;
      next = swap;
      at = after;
    }
    // MATCH is the last instruction.
    return current.has(this.programSize - 1);
  }

  /** `matches` on a string's UTF-8 encoding (allocates: for tests and configuration time, not per request). */
  matchesString(s: string): bool {
    const bytes = String.UTF8.encode(s);
    return this.matches(changetype<usize>(bytes), bytes.byteLength);
  }

  /** Adds `start` and every state reachable from it without consuming input at byte offset `at`. */
  private addState(set: StateSet, start: i32, ptr: usize, at: i32, length: i32): void {
    const program = this.program;
    const stack = this.stack;
    unchecked((stack[0] = start));
    let top = 1;
    while (top > 0) {
      top--;
      const pc = unchecked(stack[top]);
      if (set.has(pc)) continue;
      set.add(pc);
      const op = unchecked(program[pc * 3]);
      if (op == OP_JUMP) {
        unchecked((stack[top++] = program[pc * 3 + 1]));
      } else if (op == OP_SPLIT) {
        unchecked((stack[top++] = program[pc * 3 + 2]));
        unchecked((stack[top++] = program[pc * 3 + 1]));
      } else if (op == OP_ASSERT) {
        if (holds(unchecked(program[pc * 3 + 1]), ptr, at, length)) unchecked((stack[top++] = pc + 1));
      }
    }
  }

  private inClass(rune: i32, first: i32, count: i32): bool {
    const ranges = this.ranges;
    const end = first + count * 2;
    for (let i = first; i < end; i += 2) {
      if (rune < unchecked(ranges[i])) return false; // sorted: no later range can hold it
      if (rune <= unchecked(ranges[i + 1])) return true;
    }
    return false;
  }
}

/** A sparse set of instruction indexes: O(1) add, test and clear, no allocation after construction. */
@final
class StateSet {
  private dense: StaticArray<i32>;
  private sparse: StaticArray<i32>;
  size: i32 = 0;

  constructor(capacity: i32) {
    this.dense = new StaticArray<i32>(capacity);
    this.sparse = new StaticArray<i32>(capacity);
  }

  @inline clear(): void {
    this.size = 0;
  }

  @inline at(i: i32): i32 {
    return unchecked(this.dense[i]);
  }

  @inline has(pc: i32): bool {
    const slot = unchecked(this.sparse[pc]);
    return slot < this.size && unchecked(this.dense[slot]) == pc;
  }

  @inline add(pc: i32): void {
    unchecked((this.sparse[pc] = this.size));
    unchecked((this.dense[this.size] = pc));
    this.size++;
  }
}

/**
 * Decodes the UTF-8 sequence at `p` (of `left` bytes): returns code point * 8 + byte count, or INVALID_RUNE * 8 + 1
 * for a byte that does not start a valid sequence (overlong forms, surrogates and values above U+10FFFF included).
 */
@inline
function decodeUtf8(p: usize, left: i32): i32 {
  const b0 = <i32>load<u8>(p);
  if (b0 < 0x80) return (b0 << 3) | 1;
  if (b0 < 0xc2 || b0 > 0xf4) return (INVALID_RUNE << 3) | 1;
  if (b0 < 0xe0) {
    if (left < 2) return (INVALID_RUNE << 3) | 1;
    const b1 = <i32>load<u8>(p, 1);
    if ((b1 & 0xc0) != 0x80) return (INVALID_RUNE << 3) | 1;
    return ((((b0 & 0x1f) << 6) | (b1 & 0x3f)) << 3) | 2;
  }
  if (b0 < 0xf0) {
    if (left < 3) return (INVALID_RUNE << 3) | 1;
    const b1 = <i32>load<u8>(p, 1);
    const b2 = <i32>load<u8>(p, 2);
    const low = b0 == 0xe0 ? 0xa0 : 0x80; // below: overlong
    const high = b0 == 0xed ? 0x9f : 0xbf; // above: surrogates
    if (b1 < low || b1 > high || (b2 & 0xc0) != 0x80) return (INVALID_RUNE << 3) | 1;
    return ((((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) << 3) | 3;
  }
  if (left < 4) return (INVALID_RUNE << 3) | 1;
  const b1 = <i32>load<u8>(p, 1);
  const b2 = <i32>load<u8>(p, 2);
  const b3 = <i32>load<u8>(p, 3);
  const low = b0 == 0xf0 ? 0x90 : 0x80; // below: overlong
  const high = b0 == 0xf4 ? 0x8f : 0xbf; // above: past U+10FFFF
  if (b1 < low || b1 > high || (b2 & 0xc0) != 0x80 || (b3 & 0xc0) != 0x80) return (INVALID_RUNE << 3) | 1;
  return ((((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) << 3) | 4;
}

/** Whether an empty-width assertion holds at byte offset `at`. Word characters are ASCII [0-9A-Za-z_], as in RE2. */
function holds(assertion: i32, ptr: usize, at: i32, length: i32): bool {
  switch (assertion) {
    case AT_BEGIN_TEXT:
      return at == 0;
    case AT_END_TEXT:
      return at == length;
    case AT_BEGIN_LINE:
      return at == 0 || load<u8>(ptr + <usize>(at - 1)) == 0x0a;
    case AT_END_LINE:
      return at == length || load<u8>(ptr + <usize>at) == 0x0a;
    default: {
      const before = at > 0 && isWordChar(<i32>load<u8>(ptr + <usize>(at - 1)));
      const after = at < length && isWordChar(<i32>load<u8>(ptr + <usize>at));
      return (before != after) == (assertion == AT_WORD_BOUNDARY);
    }
  }
}

@inline
function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

/** A syntax tree node (compile time only). */
@final
class Node {
  kind: i32;
  /** N_RUNE: the code point; N_ASSERT: the assertion. */
  value: i32 = 0;
  /** N_CLASS: sorted, disjoint [lo, hi] pairs. */
  ranges: Array<i32> | null = null;
  /** N_CONCAT, N_ALTERNATE: the parts; N_REPEAT: the one repeated. */
  subs: Array<Node> | null = null;
  /** N_REPEAT: counts; max -1 = unbounded. */
  min: i32 = 0;
  max: i32 = 0;

  constructor(kind: i32) {
    this.kind = kind;
  }
}

/** Returned by the group parser for `(?i)`: flags changed, nothing to add to the sequence. */
const FLAGS_ONLY = new Node(N_EMPTY);

function nodeOf(kind: i32, value: i32): Node {
  const n = new Node(kind);
  n.value = value;
  return n;
}

function listNode(kind: i32, subs: Array<Node>): Node {
  if (subs.length == 0) return new Node(N_EMPTY);
  if (subs.length == 1) return subs[0];
  const n = new Node(kind);
  n.subs = subs;
  return n;
}

/** A class node, or a rune node when it holds one code point. */
function classNode(ranges: Array<i32>): Node {
  if (ranges.length == 2 && ranges[0] == ranges[1]) return nodeOf(N_RUNE, ranges[0]);
  const n = new Node(N_CLASS);
  n.ranges = ranges;
  return n;
}

/** Instructions the node compiles to (see Emitter), saturated at SIZE_CAP. */
function sizeOf(n: Node): i64 {
  switch (n.kind) {
    case N_EMPTY:
      return 0;
    case N_CONCAT:
    case N_ALTERNATE: {
      const subs = n.subs!;
      let total: i64 = n.kind == N_ALTERNATE ? 2 * <i64>(subs.length - 1) : 0;
      for (let i = 0; i < subs.length; i++) total = min(total + sizeOf(subs[i]), SIZE_CAP);
      return total;
    }
    case N_REPEAT: {
      const s = sizeOf(n.subs![0]);
      let total: i64;
      if (n.max == -1) total = n.min == 0 ? s + 2 : <i64>n.min * s + 1;
      else total = <i64>n.min * s + <i64>(n.max - n.min) * (s + 1);
      return min(total, SIZE_CAP);
    }
    default:
      return 1;
  }
}

/** Emits a syntax tree as a Thompson program. */
@final
class Emitter {
  program: Array<i32> = [];
  ranges: Array<i32> = [];

  get pc(): i32 {
    return this.program.length / 3;
  }

  add(op: i32, a: i32, b: i32): i32 {
    const pc = this.pc;
    this.program.push(op);
    this.program.push(a);
    this.program.push(b);
    return pc;
  }

  patch(pc: i32, field: i32, target: i32): void {
    this.program[pc * 3 + field] = target;
  }

  emit(n: Node): void {
    switch (n.kind) {
      case N_EMPTY:
        return;
      case N_RUNE:
        this.add(OP_RUNE, n.value, 0);
        return;
      case N_CLASS: {
        const r = n.ranges!;
        this.add(OP_CLASS, this.ranges.length, r.length / 2);
        for (let i = 0; i < r.length; i++) this.ranges.push(r[i]);
        return;
      }
      case N_ANY_NOT_NL:
        this.add(OP_ANY_NOT_NL, 0, 0);
        return;
      case N_ANY:
        this.add(OP_ANY, 0, 0);
        return;
      case N_ASSERT:
        this.add(OP_ASSERT, n.value, 0);
        return;
      case N_CONCAT: {
        const subs = n.subs!;
        for (let i = 0; i < subs.length; i++) this.emit(subs[i]);
        return;
      }
      case N_ALTERNATE: {
        // split L1, next; L1: a; jump end; next: split L2, next'; L2: b; jump end; ... last; end:
        const subs = n.subs!;
        const jumps = new Array<i32>();
        for (let i = 0; i < subs.length - 1; i++) {
          const split = this.add(OP_SPLIT, 0, 0);
          this.patch(split, 1, this.pc);
          this.emit(subs[i]);
          jumps.push(this.add(OP_JUMP, 0, 0));
          this.patch(split, 2, this.pc);
        }
        this.emit(subs[subs.length - 1]);
        for (let i = 0; i < jumps.length; i++) this.patch(jumps[i], 1, this.pc);
        return;
      }
      default:
        this.repeat(n.subs![0], n.min, n.max);
    }
  }

  private repeat(sub: Node, least: i32, most: i32): void {
    if (most == -1 && least == 0) {
      // loop: split body, end; body: x; jump loop; end:
      const loop = this.add(OP_SPLIT, 0, 0);
      this.patch(loop, 1, this.pc);
      this.emit(sub);
      this.add(OP_JUMP, loop, 0);
      this.patch(loop, 2, this.pc);
      return;
    }
    if (most == -1) {
      // x{n,} = x{n-1} then x+ (body: x; split body, end)
      for (let i = 0; i < least - 1; i++) this.emit(sub);
      const body = this.pc;
      this.emit(sub);
      this.add(OP_SPLIT, body, this.pc + 1);
      return;
    }
    for (let i = 0; i < least; i++) this.emit(sub);
    // x{0,k} = (x(x(x)?)?)?: every optional copy may end the repetition.
    const exits = new Array<i32>();
    for (let i = least; i < most; i++) {
      const split = this.add(OP_SPLIT, 0, 0);
      this.patch(split, 1, this.pc);
      exits.push(split);
      this.emit(sub);
    }
    for (let i = 0; i < exits.length; i++) this.patch(exits[i], 2, this.pc);
  }
}

// ASCII classes, as [lo, hi] pairs.
const DIGIT: StaticArray<i32> = [0x30, 0x39];
const SPACE_PERL: StaticArray<i32> = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20]; // \s: [\t\n\f\r ], no \v
const WORD: StaticArray<i32> = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const POSIX_NAMES: StaticArray<string> = [
  "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word",
  "xdigit",
];
const POSIX_RANGES: StaticArray<StaticArray<i32>> = [
  [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  [0x41, 0x5a, 0x61, 0x7a],
  [0x00, 0x7f],
  [0x09, 0x09, 0x20, 0x20],
  [0x00, 0x1f, 0x7f, 0x7f],
  [0x30, 0x39],
  [0x21, 0x7e],
  [0x61, 0x7a],
  [0x20, 0x7e],
  [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  [0x09, 0x0d, 0x20, 0x20],
  [0x41, 0x5a],
  [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
];

/** Sorts [lo, hi] pairs and merges overlapping or adjacent ones (classes are small: insertion sort). */
function normalize(r: Array<i32>): Array<i32> {
  for (let i = 2; i < r.length; i += 2) {
    const lo = r[i];
    const hi = r[i + 1];
    let j = i;
    while (j > 0 && r[j - 2] > lo) {
      r[j] = r[j - 2];
      r[j + 1] = r[j - 1];
      j -= 2;
    }
    r[j] = lo;
    r[j + 1] = hi;
  }
  const out = new Array<i32>();
  for (let i = 0; i < r.length; i += 2) {
    const n = out.length;
    if (n > 0 && r[i] <= out[n - 1] + 1) {
      if (r[i + 1] > out[n - 1]) out[n - 1] = r[i + 1];
    } else {
      out.push(r[i]);
      out.push(r[i + 1]);
    }
  }
  return out;
}

/** The code points of 0..U+10FFFF not in `r` (normalized). */
function complement(r: Array<i32>): Array<i32> {
  const out = new Array<i32>();
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) {
      out.push(next);
      out.push(r[i] - 1);
    }
    next = r[i + 1] + 1;
  }
  if (next <= MAX_RUNE) {
    out.push(next);
    out.push(MAX_RUNE);
  }
  return out;
}

/** Adds lo-hi and, when folding, the other cases of its ASCII letters (RE2's folding: k K U+212A, s S U+017F). */
function addRange(out: Array<i32>, lo: i32, hi: i32, fold: bool): void {
  out.push(lo);
  out.push(hi);
  if (!fold) return;
  const upperLo = max(lo, 0x41);
  const upperHi = min(hi, 0x5a);
  if (upperLo <= upperHi) {
    out.push(upperLo + 0x20);
    out.push(upperHi + 0x20);
  }
  const lowerLo = max(lo, 0x61);
  const lowerHi = min(hi, 0x7a);
  if (lowerLo <= lowerHi) {
    out.push(lowerLo - 0x20);
    out.push(lowerHi - 0x20);
  }
  if ((lo <= 0x4b && hi >= 0x4b) || (lo <= 0x6b && hi >= 0x6b)) {
    out.push(0x212a);
    out.push(0x212a);
  }
  if ((lo <= 0x53 && hi >= 0x53) || (lo <= 0x73 && hi >= 0x73)) {
    out.push(0x17f);
    out.push(0x17f);
  }
}

/** Adds an ASCII class or its complement; a complement is taken after folding, as RE2 does. */
function addGroup(out: Array<i32>, group: StaticArray<i32>, negated: bool, fold: bool): void {
  const own = new Array<i32>();
  for (let i = 0; i < group.length; i += 2) addRange(own, group[i], group[i + 1], fold);
  const ranges = negated ? complement(normalize(own)) : own;
  for (let i = 0; i < ranges.length; i++) out.push(ranges[i]);
}

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
class Parser {
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
        const n = new Node(N_REPEAT);
        n.subs = [items[items.length - 1]];
        n.min = least;
        n.max = most;
        items[items.length - 1] = n;
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
          const index = POSIX_NAMES.indexOf(name);
          if (index < 0) return this.fail("invalid character class '" + text.substring(this.pos, close + 2) + "'", this.pos);
          addGroup(r, POSIX_RANGES[index], posixNegated, fold);
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

/** The ASCII class of \d \s \w (and \D \S \W) after a backslash, or null. */
function perlGroup(c: i32): StaticArray<i32> | null {
  switch (c | 0x20) {
    case 0x64 /* d */:
      return DIGIT;
    case 0x73 /* s */:
      return SPACE_PERL;
    case 0x77 /* w */:
      return WORD;
  }
  return null;
}

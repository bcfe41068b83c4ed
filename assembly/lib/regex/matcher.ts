// Runs a program (program.ts) over UTF-8 input as a Pike VM without captures: one set of live states per input
// position, each state visited at most once per position, so matching takes time linear in the input (`(a*)*b` on a
// long input costs O(input x program), never a backtracking blow-up).
//
// The input is matched character by character, as RE2 does: `.`, `[^a]` and `\D` consume one whole code point, and a
// non-ASCII literal matches its UTF-8 bytes. A byte that is not part of a valid UTF-8 sequence matches nothing (not
// even `.`), so such input never matches past it.
//
// Matching does not allocate: the state sets are allocated once per Matcher, which is therefore not reentrant (wasm
// is single-threaded, and matching calls nothing that could match again).
import {
  AT_BEGIN_LINE, AT_BEGIN_TEXT, AT_END_LINE, AT_END_TEXT, AT_WORD_BOUNDARY, OP_ANY, OP_ANY_NOT_NL, OP_ASSERT, OP_CLASS,
  OP_JUMP, OP_RUNE, OP_SPLIT, Program,
} from "./program";

/** What the decoder returns for a byte that does not start a valid UTF-8 sequence: no instruction matches it. */
const INVALID_RUNE: i32 = -1;

@final
export class Matcher {
  /** Instructions, three i32 each; the last is MATCH. */
  private code: StaticArray<i32>;
  /** [lo, hi] code point pairs of the class instructions. */
  private ranges: StaticArray<i32>;
  private matchPc: i32;
  private current: StateSet;
  private next: StateSet;
  private stack: StaticArray<i32>;

  constructor(program: Program) {
    const size = program.size;
    this.code = program.code;
    this.ranges = program.ranges;
    this.matchPc = size - 1;
    this.current = new StateSet(size);
    this.next = new StateSet(size);
    // Each instruction enters a set once per position and pushes at most two successors.
    this.stack = new StaticArray<i32>(2 * size + 1);
  }

  /** Whether the UTF-8 bytes at `ptr` match the whole program (anchored at both ends). */
  run(ptr: usize, length: i32): bool {
    let current = this.current;
    let next = this.next;
    current.clear();
    this.addState(current, 0, ptr, 0, length);
    const code = this.code;
    let at = 0;
    while (at < length) {
      if (current.size == 0) return false; // no live state: no match, whatever follows
      const decoded = decodeUtf8(ptr + <usize>at, length - at);
      const rune = decoded >> 3;
      const after = at + (decoded & 7);
      next.clear();
      for (let i = 0; i < current.size; i++) {
        const pc = current.at(i);
        const op = unchecked(code[pc * 3]);
        let ok = false;
        if (op == OP_RUNE) ok = rune == unchecked(code[pc * 3 + 1]);
        else if (op == OP_CLASS) ok = this.inClass(rune, unchecked(code[pc * 3 + 1]), unchecked(code[pc * 3 + 2]));
        else if (op == OP_ANY_NOT_NL) ok = rune >= 0 && rune != 0x0a;
        else if (op == OP_ANY) ok = rune >= 0;
        if (ok) this.addState(next, pc + 1, ptr, after, length);
      }
      const swap = current;
      current = next;
      next = swap;
      at = after;
    }
    return current.has(this.matchPc);
  }

  /** Adds `start` and every state reachable from it without consuming input at byte offset `at`. */
  private addState(set: StateSet, start: i32, ptr: usize, at: i32, length: i32): void {
    const code = this.code;
    const stack = this.stack;
    unchecked((stack[0] = start));
    let top = 1;
    while (top > 0) {
      top--;
      const pc = unchecked(stack[top]);
      if (set.has(pc)) continue;
      set.add(pc);
      const op = unchecked(code[pc * 3]);
      if (op == OP_JUMP) {
        unchecked((stack[top++] = code[pc * 3 + 1]));
      } else if (op == OP_SPLIT) {
        unchecked((stack[top++] = code[pc * 3 + 2]));
        unchecked((stack[top++] = code[pc * 3 + 1]));
      } else if (op == OP_ASSERT) {
        if (holds(unchecked(code[pc * 3 + 1]), ptr, at, length)) unchecked((stack[top++] = pc + 1));
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

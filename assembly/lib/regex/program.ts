// The instruction set of a compiled pattern: what the compiler emits and the matcher runs.

// Instructions: three i32 per instruction (op, a, b).
export const OP_RUNE: i32 = 0; // a = code point
export const OP_CLASS: i32 = 1; // a = first pair in `ranges`, b = number of [lo, hi] pairs
export const OP_ANY_NOT_NL: i32 = 2;
export const OP_ANY: i32 = 3;
export const OP_SPLIT: i32 = 4; // a, b = targets
export const OP_JUMP: i32 = 5; // a = target
export const OP_ASSERT: i32 = 6; // a = assertion
export const OP_MATCH: i32 = 7;

// Empty-width assertions (the parser reads them from `^ $ \A \z \b \B`, the matcher checks them).
export const AT_BEGIN_TEXT: i32 = 0;
export const AT_END_TEXT: i32 = 1;
export const AT_BEGIN_LINE: i32 = 2;
export const AT_END_LINE: i32 = 3;
export const AT_WORD_BOUNDARY: i32 = 4;
export const AT_NOT_WORD_BOUNDARY: i32 = 5;

/** A Thompson program: its instructions, the last of which is MATCH, and the code point ranges of its classes. */
@final
export class Program {
  /** Instructions, three i32 each. */
  readonly code: StaticArray<i32>;
  /** [lo, hi] code point pairs of the class instructions, sorted and disjoint per class. */
  readonly ranges: StaticArray<i32>;

  constructor(code: Array<i32>, ranges: Array<i32>) {
    this.code = StaticArray.fromArray<i32>(code);
    this.ranges = StaticArray.fromArray<i32>(ranges);
  }

  /** Number of instructions (the MATCH one included). */
  get size(): i32 {
    return this.code.length / 3;
  }
}

// The syntax tree of a pattern: what the parser builds and the compiler reads (compile time only).

export const N_EMPTY: i32 = 0;
export const N_RUNE: i32 = 1;
export const N_CLASS: i32 = 2;
export const N_ANY_NOT_NL: i32 = 3;
export const N_ANY: i32 = 4;
export const N_ASSERT: i32 = 5;
export const N_CONCAT: i32 = 6;
export const N_ALTERNATE: i32 = 7;
export const N_REPEAT: i32 = 8;

@final
export class Node {
  kind: i32;
  /** N_RUNE: the code point; N_ASSERT: the assertion (AT_* of program.ts). */
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

export function nodeOf(kind: i32, value: i32): Node {
  const n = new Node(kind);
  n.value = value;
  return n;
}

/** A concatenation or alternation of `subs`, or its only part, or an empty node when there is none. */
export function listNode(kind: i32, subs: Array<Node>): Node {
  if (subs.length == 0) return new Node(N_EMPTY);
  if (subs.length == 1) return subs[0];
  const n = new Node(kind);
  n.subs = subs;
  return n;
}

/** A class node, or a rune node when it holds one code point. */
export function classNode(ranges: Array<i32>): Node {
  if (ranges.length == 2 && ranges[0] == ranges[1]) return nodeOf(N_RUNE, ranges[0]);
  const n = new Node(N_CLASS);
  n.ranges = ranges;
  return n;
}

export function repeatNode(sub: Node, min: i32, max: i32): Node {
  const n = new Node(N_REPEAT);
  n.subs = [sub];
  n.min = min;
  n.max = max;
  return n;
}

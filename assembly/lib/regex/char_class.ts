// Character classes as lists of [lo, hi] code point pairs: the ASCII tables of \d \s \w and [[:name:]], case folding,
// and the sorting, merging and complementing that turn a parsed class into sorted, disjoint ranges.

export const MAX_RUNE: i32 = 0x10ffff;

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

/** The ASCII class of \d \s \w (and \D \S \W) after a backslash, or null. */
export function perlGroup(c: i32): StaticArray<i32> | null {
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

/** The ASCII class of `[:name:]` (name without the `^` of a negated one), or null when there is none of that name. */
export function posixGroup(name: string): StaticArray<i32> | null {
  const index = POSIX_NAMES.indexOf(name);
  return index < 0 ? null : POSIX_RANGES[index];
}

/** Sorts [lo, hi] pairs and merges overlapping or adjacent ones (classes are small: insertion sort). */
export function normalize(r: Array<i32>): Array<i32> {
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
export function complement(r: Array<i32>): Array<i32> {
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
export function addRange(out: Array<i32>, lo: i32, hi: i32, fold: bool): void {
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
export function addGroup(out: Array<i32>, group: StaticArray<i32>, negated: bool, fold: bool): void {
  const own = new Array<i32>();
  for (let i = 0; i < group.length; i += 2) addRange(own, group[i], group[i + 1], fold);
  const ranges = negated ? complement(normalize(own)) : own;
  for (let i = 0; i < ranges.length; i++) out.push(ranges[i]);
}

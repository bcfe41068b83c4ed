// Byte-level mutations of well-formed frames: what a fuzz case feeds a module.
import type { Prng } from "./prng.ts";

const INTERESTING_U8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0f, 0x1f, 0x20, 0x3f, 0x40, 0x4e, 0x48, 0x4d, 0x5a, 0x43, 0x4f, 0x51, 0x82, 0xc0, 0xe0, 0xf0];
const INTERESTING_U32 = [0, 1, 2, 3, 4, 8, 12, 13, 15, 16, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0xffff, 0x10000, 0x100000, 0x3fffffff, 0x7ffffff0, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** Applies 1..`max` random mutations to a copy of `input`. */
export function mutate(prng: Prng, input: Buffer, max = 6): Buffer {
  let out: Buffer = Buffer.from(input);
  const count = prng.between(1, max);
  for (let i = 0; i < count; i++) out = mutateOnce(prng, out);
  return out;
}

function mutateOnce(prng: Prng, b: Buffer): Buffer {
  const at = (extra = 0) => prng.below(Math.max(1, b.length - extra));
  switch (prng.below(11)) {
    case 0: {
      // flip one bit
      if (b.length === 0) return prng.bytes(1);
      const copy = Buffer.from(b);
      copy[at()] ^= 1 << prng.below(8);
      return copy;
    }
    case 1: {
      // one byte to a random or interesting value
      if (b.length === 0) return prng.bytes(1);
      const copy = Buffer.from(b);
      copy[at()] = prng.chance(0.5) ? prng.pick(INTERESTING_U8) : prng.u32() & 0xff;
      return copy;
    }
    case 2: {
      // a 32-bit big-endian word (lengths, sizes, counts) to an interesting value, or nudged
      if (b.length < 4) return Buffer.concat([b, prng.bytes(4)]);
      const copy = Buffer.from(b);
      const pos = at(3);
      const value = prng.chance(0.6) ? prng.pick(INTERESTING_U32) : (copy.readUInt32BE(pos) + prng.between(-8, 8)) >>> 0;
      copy.writeUInt32BE(value >>> 0, pos);
      return copy;
    }
    case 3: {
      // a 16-bit word
      if (b.length < 2) return Buffer.concat([b, prng.bytes(2)]);
      const copy = Buffer.from(b);
      copy.writeUInt16BE(prng.pick([0, 1, 0x7fff, 0x8000, 0xffff, 0x0fff, 0xdabb, 0x8001]), at(1));
      return copy;
    }
    case 4: {
      // insert random bytes
      const pos = prng.below(b.length + 1);
      return Buffer.concat([b.subarray(0, pos), prng.bytes(prng.between(1, 16)), b.subarray(pos)]);
    }
    case 5: {
      // delete a range
      if (b.length === 0) return b;
      const pos = at();
      return Buffer.concat([b.subarray(0, pos), b.subarray(pos + prng.between(1, Math.min(32, b.length - pos)))]);
    }
    case 6: {
      // duplicate a range in place
      if (b.length === 0) return b;
      const pos = at();
      const len = prng.between(1, Math.min(64, b.length - pos));
      return Buffer.concat([b.subarray(0, pos + len), b.subarray(pos, pos + len), b.subarray(pos + len)]);
    }
    case 7: {
      // truncate
      return b.subarray(0, prng.below(b.length + 1));
    }
    case 8: {
      // copy a range over another place
      if (b.length < 2) return b;
      const from = at();
      const to = at();
      const len = prng.between(1, Math.min(16, b.length - Math.max(from, to)));
      const copy = Buffer.from(b);
      b.copy(copy, to, from, from + len);
      return copy;
    }
    case 9: {
      // a run of one byte (deep nesting, long varints, long strings of markers)
      const pos = prng.below(b.length + 1);
      const run = Buffer.alloc(prng.between(2, 200), prng.pick([0x56, 0x55, 0x57, 0x58, 0x48, 0x4d, 0x43, 0x4f, 0x60, 0x70, 0x0c, 0x1c, 0x19, 0x1b, 0xff, 0x80]));
      return Buffer.concat([b.subarray(0, pos), run, b.subarray(pos)]);
    }
    default: {
      // a byte to +/- a small amount
      if (b.length === 0) return prng.bytes(1);
      const copy = Buffer.from(b);
      const pos = at();
      copy[pos] = (copy[pos] + prng.between(-4, 4)) & 0xff;
      return copy;
    }
  }
}

/** The first `cut` bytes of `a`, then `b` from `from` on. */
export function splice(prng: Prng, a: Buffer, b: Buffer): Buffer {
  return Buffer.concat([a.subarray(0, prng.below(a.length + 1)), b.subarray(prng.below(b.length + 1))]);
}

/** Splits `bytes` into 1..`maxPieces` chunks at random boundaries (empty chunks never). */
export function chunks(prng: Prng, bytes: Buffer, maxPieces: number): Buffer[] {
  if (bytes.length <= 1) return [bytes];
  const pieces = prng.between(1, Math.min(maxPieces, bytes.length));
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(prng.between(1, bytes.length - 1));
  const sorted = [...cuts].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of sorted) {
    out.push(bytes.subarray(start, cut));
    start = cut;
  }
  out.push(bytes.subarray(start));
  return out;
}

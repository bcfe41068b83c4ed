// Reading HTTP/2 bytes in the tests (independently of the library): frames out of a captured byte stream, and how
// each header field of a block was represented (RFC 7541 Section 6), to show which HPACK features a peer used.

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
  readonly payload: Buffer;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** The whole frames in `bytes` (after the client preface, if it starts with it). */
export function splitFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = bytes.subarray(0, PREFACE.length).equals(PREFACE) ? PREFACE.length : 0;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    if (at + 9 + length > bytes.length) break;
    frames.push({ type: bytes[at + 3], flags: bytes[at + 4], stream: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

/** The header blocks of HEADERS (+ CONTINUATION) frames, padding and priority removed. */
export function headerBlocks(frames: readonly Frame[]): Buffer[] {
  const blocks: Buffer[] = [];
  let pending: Buffer[] = [];
  for (const f of frames) {
    if (f.type === 0x1) {
      let p = f.payload;
      let pad = 0;
      if (f.flags & 0x8) {
        pad = p[0];
        p = p.subarray(1);
      }
      if (f.flags & 0x20) p = p.subarray(5);
      pending = [p.subarray(0, p.length - pad)];
    } else if (f.type === 0x9) {
      pending.push(f.payload);
    } else {
      continue;
    }
    if (f.flags & 0x4) blocks.push(Buffer.concat(pending));
  }
  return blocks;
}

export interface Representations {
  /** Indexed fields from the static table, from the dynamic table. */
  staticIndexed: number;
  dynamicIndexed: number;
  /** Literals added to the dynamic table, literals not added, never-indexed literals. */
  incremental: number;
  withoutIndexing: number;
  neverIndexed: number;
  /** Literal names given by an index into the dynamic table. */
  dynamicNames: number;
  /** String literals Huffman-coded, and raw. */
  huffmanStrings: number;
  rawStrings: number;
  sizeUpdates: number;
}

function integer(block: Buffer, at: number, prefixBits: number): [number, number] {
  const max = (1 << prefixBits) - 1;
  let value = block[at] & max;
  at++;
  if (value < max) return [value, at];
  for (let shift = 0; ; shift += 7) {
    const b = block[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
  }
}

/** How the fields of the blocks were represented (the blocks must be valid HPACK). */
export function representations(blocks: readonly Buffer[]): Representations {
  const r: Representations = { staticIndexed: 0, dynamicIndexed: 0, incremental: 0, withoutIndexing: 0, neverIndexed: 0, dynamicNames: 0, huffmanStrings: 0, rawStrings: 0, sizeUpdates: 0 };
  const string = (block: Buffer, at: number): number => {
    if (block[at] & 0x80) r.huffmanStrings++;
    else r.rawStrings++;
    const [length, next] = integer(block, at, 7);
    return next + length;
  };
  for (const block of blocks) {
    let at = 0;
    while (at < block.length) {
      const b = block[at];
      if (b & 0x80) {
        const [index, next] = integer(block, at, 7);
        if (index > 61) r.dynamicIndexed++;
        else r.staticIndexed++;
        at = next;
        continue;
      }
      if ((b & 0xe0) === 0x20) {
        r.sizeUpdates++;
        at = integer(block, at, 5)[1];
        continue;
      }
      const prefix = b & 0x40 ? 6 : 4;
      if (b & 0x40) r.incremental++;
      else if (b & 0x10) r.neverIndexed++;
      else r.withoutIndexing++;
      const [nameIndex, next] = integer(block, at, prefix);
      at = next;
      if (nameIndex === 0) at = string(block, at);
      else if (nameIndex > 61) r.dynamicNames++;
      at = string(block, at);
    }
  }
  return r;
}

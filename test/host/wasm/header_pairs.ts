// proxy-wasm serialized header pairs: u32 count, then (u32 key size, u32 value size) per pair, then every key and
// value followed by a NUL byte, all little endian. A malformed buffer reads as no pairs, as in cpp-host
// PairsUtil::toPairs (src/pairs_util.cc).

export type Pairs = readonly (readonly [string, string])[];

export function decodePairs(data: Uint8Array): Pairs {
  if (data.length < 4) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint32(0, true);
  if (4 + count * 8 > data.length) return [];
  const decoder = new TextDecoder();
  const pairs: [string, string][] = [];
  let offset = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const keySize = view.getUint32(4 + i * 8, true);
    const valueSize = view.getUint32(8 + i * 8, true);
    if (offset + keySize + 1 + valueSize + 1 > data.length) return [];
    const key = decoder.decode(data.subarray(offset, offset + keySize));
    offset += keySize + 1;
    const value = decoder.decode(data.subarray(offset, offset + valueSize));
    offset += valueSize + 1;
    pairs.push([key, value]);
  }
  return pairs;
}

export function encodePairs(pairs: Pairs): Uint8Array {
  const encoder = new TextEncoder();
  const encoded = pairs.map(([k, v]) => [encoder.encode(k), encoder.encode(v)] as const);
  const size = encoded.reduce((n, [k, v]) => n + 8 + k.length + 1 + v.length + 1, 4);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length, true);
  let offset = 4 + pairs.length * 8;
  encoded.forEach(([k, v], i) => {
    view.setUint32(4 + i * 8, k.length, true);
    view.setUint32(8 + i * 8, v.length, true);
    out.set(k, offset);
    offset += k.length + 1;
    out.set(v, offset);
    offset += v.length + 1;
  });
  return out;
}

// IdMap (assembly/lib/id_map.ts): requests in flight by id, checked against the standard Map on a long,
// deterministic mix of inserts and removals (ids close together, far apart, and colliding in the table).
import { IdMap } from "../../assembly/lib/id_map";

class Entry {
  constructor(public id: u64) {}
}

let seed: u32 = 12345;
function next(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

describe("IdMap", () => {
  it("finds, replaces and takes entries", () => {
    const map = new IdMap<Entry>();
    const a = new Entry(1);
    const b = new Entry(1);
    expect(map.get(1)).toBeNull();
    map.set(1, a);
    expect(map.get(1)).toBe(a);
    map.set(1, b);
    expect(map.size).toBe(1);
    expect(map.take(1)).toBe(b);
    expect(map.take(1)).toBeNull();
    expect(map.size).toBe(0);
  });

  it("keeps every entry findable through growth and removals, as the standard Map does", () => {
    const map = new IdMap<Entry>();
    const reference = new Map<u64, Entry>();
    const live: Array<u64> = [];
    for (let step = 0; step < 200_000; step++) {
      const r = next();
      // Ids: sequential-ish, random 64-bit, and multiples of 2^32 (equal in the low half).
      const kind = r % 3;
      const id: u64 = kind == 0 ? <u64>(step % 5000) : kind == 1 ? (<u64>next() << 32) | <u64>next() : <u64>(r % 64) << 32;
      if (live.length > 0 && (r >> 8) % 2 == 0) {
        const at = <i32>((r >> 9) % <u32>live.length);
        const gone = live[at];
        live[at] = live[live.length - 1];
        live.pop();
        expect(map.take(gone)).toBe(reference.get(gone));
        reference.delete(gone);
      } else if (!reference.has(id)) {
        const e = new Entry(id);
        map.set(id, e);
        reference.set(id, e);
        live.push(id);
      }
      expect(map.size).toBe(reference.size);
    }
    for (let i = 0; i < live.length; i++) expect(map.get(live[i])).toBe(reference.get(live[i]));
    expect(map.get(0xffffffffffffffff)).toBe(reference.has(0xffffffffffffffff) ? reference.get(0xffffffffffffffff) : null);
  });
});

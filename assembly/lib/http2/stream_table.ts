// The streams of a connection by id: open addressing with linear probing (ids of one side are consecutive odd
// numbers, so `id >> 1` spreads them without collisions), backward-shift deletion, and a pool of closed Stream
// objects reused for new streams: opening a stream allocates nothing once the pool holds as many as were ever open.
// An idle connection's table holds no memory.
import { Stream } from "./stream";

const NO_KEYS = new StaticArray<u32>(0);
const NO_STREAMS = new StaticArray<Stream | null>(0);
const FIRST_CAPACITY: i32 = 8;

@final
export class StreamTable {
  private keys: StaticArray<u32> = NO_KEYS;
  private streams: StaticArray<Stream | null> = NO_STREAMS;
  private pool: Stream | null = null;
  count: i32 = 0;

  get(id: u32): Stream | null {
    const capacity = this.keys.length;
    if (capacity == 0) return null;
    const mask = capacity - 1;
    for (let slot = <i32>(id >> 1) & mask, probes = 0; probes < capacity; slot = (slot + 1) & mask, probes++) {
      const key = unchecked(this.keys[slot]);
      if (key == id) return unchecked(this.streams[slot]);
      if (key == 0) return null;
    }
    return null;
  }

  /** A new stream `id` (not in the table) with these windows. */
  open(id: u32, sendWindow: i64, receiveWindow: i64): Stream {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    let stream = this.pool;
    if (stream !== null) this.pool = stream.nextFree;
    else stream = new Stream();
    stream.reset(id, sendWindow, receiveWindow);
    this.place(stream);
    this.count++;
    return stream;
  }

  /** Removes `stream` and keeps it for reuse. */
  close(stream: Stream): void {
    const capacity = this.keys.length;
    const mask = capacity - 1;
    let slot = <i32>(stream.id >> 1) & mask;
    for (let probes = 0; probes < capacity && unchecked(this.keys[slot]) != stream.id; probes++) slot = (slot + 1) & mask;
    if (unchecked(this.keys[slot]) != stream.id) return;
    // Backward shift: later entries of the probe run move into the hole when their home slot allows it.
    let hole = slot;
    for (let next = (hole + 1) & mask; unchecked(this.keys[next]) != 0; next = (next + 1) & mask) {
      const home = <i32>(unchecked(this.keys[next]) >> 1) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        unchecked((this.keys[hole] = this.keys[next]));
        unchecked((this.streams[hole] = this.streams[next]));
        hole = next;
      }
    }
    unchecked((this.keys[hole] = 0));
    unchecked((this.streams[hole] = null));
    this.count--;
    stream.queue.clear();
    stream.queue.release(0);
    stream.queuedTrailers.clear();
    stream.queuedTrailers.release(0);
    stream.id = 0;
    stream.nextFree = this.pool;
    this.pool = stream;
  }

  /** Slots to visit every stream: `at(slot)` for slot in [0, slots). */
  get slots(): i32 {
    return this.keys.length;
  }

  at(slot: i32): Stream | null {
    return <u32>slot < <u32>this.keys.length ? unchecked(this.streams[slot]) : null;
  }

  private place(stream: Stream): void {
    const mask = this.keys.length - 1;
    let slot = <i32>(stream.id >> 1) & mask;
    while (unchecked(this.keys[slot]) != 0) slot = (slot + 1) & mask;
    unchecked((this.keys[slot] = stream.id));
    unchecked((this.streams[slot] = stream));
  }

  private grow(): void {
    const oldStreams = this.streams;
    const capacity = max(FIRST_CAPACITY, this.keys.length * 2);
    this.keys = new StaticArray<u32>(capacity);
    this.streams = new StaticArray<Stream | null>(capacity);
    for (let i = 0; i < oldStreams.length; i++) {
      const stream = unchecked(oldStreams[i]);
      if (stream !== null) this.place(stream);
    }
  }
}

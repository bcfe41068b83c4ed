// A growable byte store in memory the allocator hands out directly rather than a collected object: its owner frees
// it the moment it is done (`free`), and a grown store's old block is freed as it grows, so large buffers are reused
// at once instead of waiting for the next collection. For the few buffers that may hold much, for long.

@final
export class OwnedBytes {
  ptr: usize = 0;
  length: i32 = 0;
  capacity: i32 = 0;

  append(src: usize, size: i32): void {
    const needed = this.length + size;
    if (needed > this.capacity) this.grow(needed);
    memory.copy(this.ptr + <usize>this.length, src, <usize>size);
    this.length = needed;
  }

  /** Removes the first `count` bytes. */
  discardFront(count: i32): void {
    if (count <= 0) return;
    const rest = this.length - count;
    if (rest > 0) memory.copy(this.ptr, this.ptr + <usize>count, <usize>rest);
    this.length = rest > 0 ? rest : 0;
  }

  clear(): void {
    this.length = 0;
  }

  /** Gives the memory back to the allocator (the store stays usable, empty). */
  free(): void {
    if (this.ptr != 0) __free(this.ptr);
    this.ptr = 0;
    this.length = 0;
    this.capacity = 0;
  }

  private grow(needed: i32): void {
    let size = this.capacity < 64 ? 64 : this.capacity;
    while (size < needed) size <<= 1;
    this.ptr = this.ptr == 0 ? __alloc(<usize>size) : __realloc(this.ptr, <usize>size);
    this.capacity = size;
  }
}

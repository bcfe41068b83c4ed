// The module's linear memory as the host reads and writes it (cpp-host WasmVm getMemory/setMemory/getWord/setWord
// and WasmBase allocMemory/copyToPointerSize). Every access is bounds-checked: a bad pointer is a host-call error
// (InvalidMemoryAccess), not a crash. Memory the host hands to the module is allocated with the module's own
// malloc, so the module owns it and frees it.

export class VmMemory {
  private buffer: ArrayBuffer;
  private bytesView: Uint8Array;
  private dataView: DataView;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly malloc: (size: number) => number,
  ) {
    this.buffer = memory.buffer;
    this.bytesView = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
  }

  get size(): number {
    return this.memory.buffer.byteLength;
  }

  /** A view of [pointer, pointer + size), valid until the module next grows its memory; undefined if out of bounds. */
  view(pointer: number, size: number): Uint8Array | undefined {
    if (!this.inBounds(pointer, size)) return undefined;
    return this.bytesView.subarray(pointer, pointer + size);
  }

  /** A copy, for data that outlives the host call. */
  copy(pointer: number, size: number): Uint8Array | undefined {
    return this.view(pointer, size)?.slice();
  }

  string(pointer: number, size: number): string | undefined {
    const bytes = this.view(pointer, size);
    return bytes && new TextDecoder().decode(bytes);
  }

  write(pointer: number, data: Uint8Array): boolean {
    if (!this.inBounds(pointer, data.length)) return false;
    this.bytesView.set(data, pointer);
    return true;
  }

  /** A wasm32 Word (u32, little endian). */
  setWord(pointer: number, value: number): boolean {
    if (!this.inBounds(pointer, 4)) return false;
    this.dataView.setUint32(pointer, value, true);
    return true;
  }

  getWord(pointer: number): number | undefined {
    if (!this.inBounds(pointer, 4)) return undefined;
    return this.dataView.getUint32(pointer, true);
  }

  setU64(pointer: number, value: bigint): boolean {
    if (!this.inBounds(pointer, 8)) return false;
    this.dataView.setBigUint64(pointer, value, true);
    return true;
  }

  /** Copies `data` into memory from the module's malloc; undefined if malloc returns 0 or an unusable pointer. */
  allocate(data: Uint8Array): number | undefined {
    const pointer = this.malloc(data.length) >>> 0;
    if (pointer === 0 || !this.write(pointer, data)) return undefined;
    return pointer;
  }

  /** Writes a (pointer, size) pair for `data`; empty data is (0, 0) and allocates nothing. */
  copyToPointerSize(data: Uint8Array, pointerPointer: number, sizePointer: number): boolean {
    let pointer = 0;
    if (data.length > 0) {
      const allocated = this.allocate(data);
      if (allocated === undefined) return false;
      pointer = allocated;
    }
    return this.setWord(pointerPointer, pointer) && this.setWord(sizePointer, data.length);
  }

  private inBounds(pointer: number, size: number): boolean {
    if (this.memory.buffer !== this.buffer) this.refreshViews();
    return pointer >= 0 && size >= 0 && pointer + size <= this.buffer.byteLength;
  }

  private refreshViews(): void {
    this.buffer = this.memory.buffer;
    this.bytesView = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
  }
}

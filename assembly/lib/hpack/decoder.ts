// The HPACK decoder (RFC 7541 Sections 3, 4 and 6): a header block in, a HeaderList out, the dynamic table kept in
// step with the peer's encoder. Every read is bounded (ByteReader); anything malformed is a compression error,
// which HTTP/2 makes a connection error since the table can no longer be trusted.
import { ByteReader } from "../byte_reader";
import { DynamicTable } from "./dynamic_table";
import { FIELD_OVERHEAD, HeaderList } from "./header_list";
import { huffmanDecode } from "./huffman_decoder";
import { readInteger } from "./integer";
import { STATIC_TABLE_LENGTH, staticNameLength, staticNamePtr, staticValueLength, staticValuePtr } from "./static_table";

/** The table size both ends start with (RFC 9113 SETTINGS_HEADER_TABLE_SIZE default). */
export const DEFAULT_TABLE_SIZE: i32 = 4096;

export enum DecodeResult {
  Ok,
  /** The block is malformed (RFC 9113 COMPRESSION_ERROR). */
  CompressionError,
  /**
   * The block is well-formed and the table was kept in step, but the list is larger than the limit; the list holds
   * the fields that fit.
   */
  ListTooLarge,
}

@final
export class HpackDecoder {
  private table: DynamicTable;
  /** The largest table size the peer's encoder may choose: our SETTINGS_HEADER_TABLE_SIZE once acknowledged. */
  private allowedTableSize: i32;
  /** The allowed size went below the table's size: the next block must start with a size update. */
  private sizeUpdateRequired: bool = false;
  private reader: ByteReader = new ByteReader();

  constructor(
    /** The largest header list (RFC 7541 size) kept. */
    public maxListSize: i32,
    tableSize: i32 = DEFAULT_TABLE_SIZE,
  ) {
    this.table = new DynamicTable(tableSize);
    this.allowedTableSize = tableSize;
  }

  /** The dynamic table's maximum size, as the last size update (or our acknowledged setting) made it. */
  get tableMaxSize(): i32 {
    return this.table.maxSize;
  }

  /** The dynamic table's size (RFC 7541 Section 4.1: its entries' bytes plus 32 each). */
  get tableSize(): i32 {
    return this.table.size;
  }

  /** Our SETTINGS_HEADER_TABLE_SIZE, once the peer acknowledged it. */
  setAllowedTableSize(size: i32): void {
    this.allowedTableSize = size;
    if (this.table.maxSize > size) {
      // As nghttp2 does (nghttp2_hd_inflate_change_table_size): shrink now, and expect the encoder to say so.
      this.table.setMaxSize(size);
      this.sizeUpdateRequired = true;
    }
  }

  /** Decodes the block of `length` bytes at `ptr` into `list` (cleared first). */
  decode(ptr: usize, length: i32, list: HeaderList): DecodeResult {
    list.clear();
    const r = this.reader.reset(ptr, length);
    let tooLarge = false;
    let fields = 0;
    while (r.remaining > 0) {
      const first = <u32>r.peek();
      if ((first & 0xe0) == 0x20) {
        // Dynamic table size update: only before the first field (RFC 7541 Section 4.2).
        if (fields > 0) return DecodeResult.CompressionError; // late table size update
        const size = readInteger(r, 5);
        if (size < 0 || size > <i64>this.allowedTableSize) return DecodeResult.CompressionError; // table size too large
        this.table.setMaxSize(<i32>size);
        this.sizeUpdateRequired = false;
        continue;
      }
      if (this.sizeUpdateRequired) return DecodeResult.CompressionError; // missing table size update
      fields++;
      const textStart = list.text.length;
      let nameLength: i32;
      let valueLength: i32;
      let neverIndexed = false;
      if ((first & 0x80) != 0) {
        // Indexed field (Section 6.1).
        const index = readInteger(r, 7);
        nameLength = this.copyName(index, list);
        if (nameLength < 0) return DecodeResult.CompressionError; // invalid index
        valueLength = this.copyEntry(<i32>index, list, true);
      } else {
        // Literal field (Section 6.2): with incremental indexing (01), without (0000) or never indexed (0001).
        const indexing = (first & 0x40) != 0;
        neverIndexed = (first & 0xf0) == 0x10;
        const index = readInteger(r, indexing ? 6 : 4);
        nameLength = index == 0 ? this.readString(list) : this.copyName(index, list);
        if (nameLength < 0) return DecodeResult.CompressionError; // invalid name
        valueLength = this.readString(list);
        if (valueLength < 0) return DecodeResult.CompressionError; // invalid value
        if (indexing) {
          const namePtr = list.text.ptr + <usize>textStart;
          this.table.insert(namePtr, nameLength, namePtr + <usize>nameLength, valueLength);
        }
      }
      if (!tooLarge && <i64>list.size + <i64>nameLength + <i64>valueLength + FIELD_OVERHEAD > <i64>this.maxListSize) tooLarge = true;
      if (tooLarge) list.truncateText(textStart);
      else list.commit(textStart, nameLength, textStart + nameLength, valueLength, neverIndexed);
    }
    if (this.sizeUpdateRequired) return DecodeResult.CompressionError; // missing table size update
    return tooLarge ? DecodeResult.ListTooLarge : DecodeResult.Ok;
  }

  /** Appends entry `index`'s name to `list.text`; its length, or -1 when there is no such entry. */
  private copyName(index: i64, list: HeaderList): i32 {
    if (index <= 0 || index > <i64>(STATIC_TABLE_LENGTH + this.table.count)) return -1;
    return this.copyEntry(<i32>index, list, false);
  }

  /** Appends the name or the value of entry `index` (an index that exists) to `list.text`; its length. */
  private copyEntry(index: i32, list: HeaderList, value: bool): i32 {
    let ptr: usize;
    let length: i32;
    if (index <= STATIC_TABLE_LENGTH) {
      ptr = value ? staticValuePtr(index) : staticNamePtr(index);
      length = value ? staticValueLength(index) : staticNameLength(index);
    } else {
      const d = index - STATIC_TABLE_LENGTH;
      ptr = value ? this.table.valuePtr(d) : this.table.namePtr(d);
      length = value ? this.table.valueLength(d) : this.table.nameLength(d);
    }
    list.text.append(ptr, length);
    return length;
  }

  /** Reads a string literal (Section 5.2) into `list.text`; its decoded length, or -1. */
  private readString(list: HeaderList): i32 {
    const r = this.reader;
    const huffman = (r.peek() & 0x80) != 0;
    const length = readInteger(r, 7);
    if (length < 0 || length > <i64>r.remaining) return -1;
    const start = list.text.length;
    const at = r.position;
    r.skip(length);
    if (!huffman) {
      list.text.append(at, <i32>length);
    } else if (!huffmanDecode(at, <i32>length, list.text)) {
      return -1;
    }
    return list.text.length - start;
  }
}

// The HPACK encoder (RFC 7541 Sections 4 and 6). Fields found in the static table (or, when the encoder keeps a
// dynamic table, in it) are indexed; the others are literals with an indexed name where one exists. Without a
// dynamic table (maxTableSize 0, the default of the HTTP/2 connection) literals are "without indexing": the encoder
// keeps no state, so blocks are independent of one another. Sensitive fields are "never indexed" literals. Strings
// are Huffman-coded when that is not longer.
import { ByteBuffer } from "../bytes";
import { DynamicTable } from "./dynamic_table";
import { DEFAULT_TABLE_SIZE } from "./decoder";
import { HeaderList } from "./header_list";
import { huffmanEncode, huffmanEncodedLength } from "./huffman_encoder";
import { writeInteger } from "./integer";
import { findField, findName, STATIC_TABLE_LENGTH } from "./static_table";

@final
export class HpackEncoder {
  /** Huffman-code strings when that is not longer than the raw string. */
  huffman: bool = true;
  /** Null when the encoder never indexes. */
  private table: DynamicTable | null;
  /** The table size the peer's decoder currently assumes. */
  private agreedSize: i32;
  /** The smallest size the encoder's limit went through since the last block (RFC 7541 Section 4.2). */
  private smallestSince: i32;

  constructor(
    /** Our own limit on the table: 0 never indexes (no state, no memory). */
    private readonly maxTableSize: i32,
    /** The peer's SETTINGS_HEADER_TABLE_SIZE, and what its decoder starts with. */
    peerTableSize: i32 = DEFAULT_TABLE_SIZE,
  ) {
    this.agreedSize = peerTableSize;
    this.smallestSince = min(maxTableSize, peerTableSize);
    this.table = maxTableSize > 0 ? new DynamicTable(this.smallestSince) : null;
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE changed. */
  setPeerTableSize(size: i32): void {
    const table = this.table;
    if (table === null) return;
    const next = min(this.maxTableSize, size);
    table.setMaxSize(next);
    if (next < this.smallestSince) this.smallestSince = next;
  }

  /**
   * Appends the block of `list` to `out`. `independent`: a block that may reach the peer out of order with the
   * others (trailers queued behind data): it neither reads nor changes the dynamic table.
   */
  encode(list: HeaderList, out: ByteBuffer, independent: bool = false): void {
    const table: DynamicTable | null = independent ? null : this.table;
    if (table !== null) this.signalSizeChange(table, out);
    for (let i = 0; i < list.count; i++) {
      const namePtr = list.namePtr(i);
      const nameLength = list.nameLength(i);
      const valuePtr = list.valuePtr(i);
      const valueLength = list.valueLength(i);
      let nameIndex = findName(namePtr, nameLength);
      // The literal's representation: never indexed (0001), with incremental indexing (01) or without (0000).
      let representation: u32 = 0x00;
      let prefixBits = 4;
      if (list.sensitive(i)) {
        representation = 0x10;
      } else {
        const index = nameIndex > 0 ? findField(nameIndex, valuePtr, valueLength) : 0;
        if (index > 0) {
          writeInteger(out, 0x80, 7, <u32>index);
          continue;
        }
        if (table !== null) {
          const found = table.find(namePtr, nameLength, valuePtr, valueLength);
          if (found > 0) {
            writeInteger(out, 0x80, 7, <u32>(STATIC_TABLE_LENGTH + found));
            continue;
          }
          if (nameIndex == 0 && found < 0) nameIndex = STATIC_TABLE_LENGTH - found;
          representation = 0x40;
          prefixBits = 6;
        }
      }
      writeInteger(out, representation, prefixBits, <u32>nameIndex);
      if (nameIndex == 0) this.writeString(namePtr, nameLength, out);
      this.writeString(valuePtr, valueLength, out);
      if (representation == 0x40 && table !== null) table.insert(namePtr, nameLength, valuePtr, valueLength);
    }
  }

  private signalSizeChange(table: DynamicTable, out: ByteBuffer): void {
    const size = table.maxSize;
    if (this.smallestSince < this.agreedSize && this.smallestSince < size) writeInteger(out, 0x20, 5, <u32>this.smallestSince);
    if (size != this.agreedSize || this.smallestSince < size) writeInteger(out, 0x20, 5, <u32>size);
    this.agreedSize = size;
    this.smallestSince = size;
  }

  private writeString(ptr: usize, length: i32, out: ByteBuffer): void {
    if (this.huffman) {
      const encoded = huffmanEncodedLength(ptr, length);
      if (encoded <= length) {
        writeInteger(out, 0x80, 7, <u32>encoded);
        huffmanEncode(ptr, length, encoded, out);
        return;
      }
    }
    writeInteger(out, 0x00, 7, <u32>length);
    out.append(ptr, length);
  }
}

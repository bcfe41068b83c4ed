// Writes an AssemblyScript module of test vectors (test/unit/dubbo_vectors.ts, test/unit/thrift_vectors.ts): the
// generators in this folder hand it byte strings, lists and constants, each with a doc comment, and it writes them out.
import { writeFileSync } from "node:fs";

/** Vectors longer than this are written as a hex string decoded when the module starts (keeps the file small). */
const LITERAL_LIMIT = 2048;

/** Hex, with runs of 8 or more equal bytes as `*<count in hex>;<byte>`. */
function compactHex(bytes: Buffer): string {
  let text = "";
  for (let i = 0; i < bytes.length; ) {
    let j = i;
    while (j < bytes.length && bytes[j] === bytes[i]) j++;
    const byte = bytes[i].toString(16).padStart(2, "0");
    text += j - i >= 8 ? `*${(j - i).toString(16)};${byte}` : byte.repeat(j - i);
    i = j;
  }
  return text;
}

/** The AssemblyScript decoder of compactHex, written after the file's header when a vector needs it. */
const FROM_HEX = `function hexDigit(c: i32): i32 {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

/** Decodes the vectors' hex: pairs of digits, or "*<count in hex>;<byte>" for a run of one byte. */
function fromHex(text: string): StaticArray<u8> {
  const bytes = new Array<u8>();
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) == 0x2a) {
      let count = 0;
      i++;
      while (text.charCodeAt(i) != 0x3b) count = count * 16 + hexDigit(text.charCodeAt(i++));
      const b = <u8>((hexDigit(text.charCodeAt(i + 1)) << 4) | hexDigit(text.charCodeAt(i + 2)));
      for (let k = 0; k < count; k++) bytes.push(b);
      i += 3;
    } else {
      bytes.push(<u8>((hexDigit(text.charCodeAt(i)) << 4) | hexDigit(text.charCodeAt(i + 1))));
      i += 2;
    }
  }
  return StaticArray.fromArray<u8>(bytes);
}
`;

export class VectorFile {
  private readonly lines: string[] = [];
  /** Every exported name, so that none is written twice. */
  readonly names = new Set<string>();
  private helperAt = 0;
  private usesHex = false;

  /** The file's opening comment, one `// ` line each, then a blank line. The hex decoder goes after it when needed. */
  constructor(header: string[]) {
    for (const line of header) this.lines.push("// " + line);
    this.lines.push("");
    this.helperAt = this.lines.length;
  }

  /** Lines written as they are. */
  raw(...lines: string[]): void {
    this.lines.push(...lines);
  }

  section(title: string): void {
    this.lines.push("// " + "-".repeat(116));
    this.lines.push("// " + title);
    this.lines.push("");
  }

  /** `/** comment *\/ export const name[: type] = value;` and a blank line. */
  constant(name: string, type: string | null, value: string, comment: string): void {
    this.claim(name);
    this.lines.push(`/** ${comment} */`);
    this.lines.push(`export const ${name}${type === null ? "" : ": " + type} = ${value};`);
    this.lines.push("");
  }

  /** An array constant on one line: `export const name: type = [a, b, c];`. */
  array(name: string, type: string, items: unknown[], comment: string): void {
    this.constant(name, type, `[${items.join(", ")}]`, comment);
  }

  /** A StaticArray<u8>: byte literals 24 a line, or, when longer than LITERAL_LIMIT, a hex string through fromHex. */
  bytes(name: string, bytes: Buffer | Uint8Array, comment: string): void {
    this.claim(name);
    this.lines.push(`/** ${comment} (${bytes.length} bytes) */`);
    if (bytes.length > LITERAL_LIMIT) {
      // Long runs of one byte are written as `*<count>;<byte>` so that 32768 'x' do not take 64 KB of source.
      this.usesHex = true;
      this.lines.push(`export const ${name}: StaticArray<u8> = fromHex(`);
      const text = compactHex(Buffer.from(bytes));
      for (let i = 0; i < text.length; i += 112) this.lines.push(`  "${text.slice(i, i + 112)}"` + (i + 112 < text.length ? " +" : ""));
      this.lines.push(");");
    } else {
      this.lines.push(`export const ${name}: StaticArray<u8> = [`);
      for (let i = 0; i < bytes.length; i += 24) {
        this.lines.push("  " + Array.from(bytes.subarray(i, i + 24), (b) => "0x" + b.toString(16).padStart(2, "0")).join(", ") + ",");
      }
      this.lines.push("];");
    }
    this.lines.push("");
  }

  /** An Array<StaticArray<u8>> of vectors written before it, one name a line. */
  list(name: string, items: string[], comment: string): void {
    this.lines.push(...this.multiline(name, "Array<StaticArray<u8>>", items, comment));
  }

  /** An Array<string>, one string a line. */
  strings(name: string, items: string[], comment: string): void {
    this.lines.push(...this.multiline(name, "Array<string>", items.map((item) => JSON.stringify(item)), comment));
  }

  /** Writes the file (the hex decoder after the header if a vector uses it); returns how many names it exports. */
  write(path: string): number {
    const lines = this.usesHex ? [...this.lines.slice(0, this.helperAt), FROM_HEX, ...this.lines.slice(this.helperAt)] : this.lines;
    writeFileSync(path, lines.join("\n"));
    return this.names.size;
  }

  private multiline(name: string, type: string, items: string[], comment: string): string[] {
    this.claim(name);
    return [`/** ${comment} */`, `export const ${name}: ${type} = [`, ...items.map((item) => `  ${item},`), "];", ""];
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate vector ${name}`);
    this.names.add(name);
  }
}

// The imports and exports of a .wasm module WITH their function types. Node's WebAssembly.Module.imports()/exports()
// give names and kinds only, and Envoy's loader compares types, so the type, import, function and export sections
// are read here (WebAssembly core spec, binary format chapter).
import type { Signature, ValueType } from "./envoy_abi.ts";

export type ExternalKind = "function" | "table" | "memory" | "global";

export interface ModuleImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternalKind;
  /** For functions; a parameter of a type the ABI never uses is reported by its binary code, e.g. "0x7d". */
  readonly signature?: Signature;
}

export interface ModuleExport {
  readonly name: string;
  readonly kind: ExternalKind;
  readonly signature?: Signature;
}

export interface ModuleInterface {
  readonly imports: readonly ModuleImport[];
  readonly exports: readonly ModuleExport[];
}

const KINDS: readonly ExternalKind[] = ["function", "table", "memory", "global"];
const VALUE_TYPES: Readonly<Record<number, string>> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };

/** Reads a module that WebAssembly.validate() accepted. */
export function readModuleInterface(bytes: Uint8Array): ModuleInterface {
  const reader = new Reader(bytes);
  reader.skip(8); // magic and version
  const types: Signature[] = [];
  const functionTypes: number[] = []; // the type index of every function, imported ones first
  const imports: ModuleImport[] = [];
  const exports: { name: string; kind: ExternalKind; index: number }[] = [];
  while (!reader.done()) {
    const id = reader.byte();
    const section = new Reader(reader.bytes(reader.u32()));
    if (id === 1) readTypes(section, types);
    else if (id === 2) readImports(section, types, imports, functionTypes);
    else if (id === 3) section.vector(() => functionTypes.push(section.u32()));
    else if (id === 7) section.vector(() => exports.push({ name: section.name(), kind: section.kind(), index: section.u32() }));
  }
  return {
    imports,
    exports: exports.map(({ name, kind, index }) =>
      kind === "function" ? { name, kind, signature: types[functionTypes[index]] } : { name, kind },
    ),
  };
}

function readTypes(section: Reader, types: Signature[]): void {
  section.vector(() => {
    section.byte(); // 0x60, function type
    const params = section.vector(() => section.valueType());
    const results = section.vector(() => section.valueType());
    types.push({ params, results });
  });
}

function readImports(section: Reader, types: Signature[], imports: ModuleImport[], functionTypes: number[]): void {
  section.vector(() => {
    const module = section.name();
    const name = section.name();
    const kind = section.kind();
    if (kind === "function") {
      const typeIndex = section.u32();
      functionTypes.push(typeIndex);
      imports.push({ module, name, kind, signature: types[typeIndex] });
      return;
    }
    if (kind === "table") section.byte(); // reference type
    if (kind === "global") section.skip(2); // value type, mutability
    else section.limits();
    imports.push({ module, name, kind });
  });
}

class Reader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.data.length;
  }

  byte(): number {
    return this.data[this.offset++];
  }

  skip(count: number): void {
    this.offset += count;
  }

  bytes(count: number): Uint8Array {
    const out = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** unsigned LEB128 */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  name(): string {
    return new TextDecoder().decode(this.bytes(this.u32()));
  }

  kind(): ExternalKind {
    return KINDS[this.byte()];
  }

  valueType(): ValueType {
    const code = this.byte();
    return (VALUE_TYPES[code] ?? `0x${code.toString(16)}`) as ValueType;
  }

  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }

  vector<T>(readItem: () => T): T[] {
    const items: T[] = [];
    for (let count = this.u32(); count > 0; count--) items.push(readItem());
    return items;
  }
}

// Strict reading of parsed YAML: every value is read through a `Node` that knows its field path, so that any error
// names the file, the line, the field path and what was expected. Unknown fields are errors, never ignored.
import { type Document, LineCounter, parseAllDocuments } from "yaml";

export type FieldPath = readonly (string | number)[];

/** Bad input: `file:line:column: path: expected ..., got ...`. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = line === undefined ? file : `${file}:${line}:${column}`;
    super(path === "" ? `${where}: ${expected}` : `${where}: ${path}: ${expected}`);
    this.name = "InputError";
  }
}

/** One YAML document of an input file, kept to turn field paths back into line numbers. */
export class SourceDocument {
  constructor(
    readonly file: string,
    readonly index: number,
    private readonly document: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /** The document as a value to read. */
  root(): Node {
    return new Node(this, [], this.document?.toJS({ maxAliasCount: 100 }));
  }

  fail(path: FieldPath, expected: string): never {
    const { line, column } = this.position(path);
    throw new InputError(this.file, formatPath(path), expected, line, column);
  }

  /** The position of the value at `path`, or of its closest parent that exists. */
  private position(path: FieldPath): { line?: number; column?: number } {
    if (this.document === undefined || this.lines === undefined) return {};
    for (let length = path.length; length >= 0; length--) {
      const node = this.document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return {};
  }
}

/** Parses every document of a YAML file; a syntax error is an InputError at its line. */
export function parseYamlDocuments(file: string, text: string): SourceDocument[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  if (!Array.isArray(documents)) return []; // an empty stream
  return documents.map((document, index) => {
    const error = document.errors[0];
    if (error !== undefined) {
      const position = error.linePos?.[0];
      const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new InputError(file, "", `invalid YAML: ${message}`, position?.line, position?.col);
    }
    return new SourceDocument(file, index, document, lines);
  });
}

/** `routes[0].match.attributes.method`; keys that are not identifiers are quoted: `selector["app.kubernetes.io/name"]`. */
export function formatPath(path: FieldPath): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) text += text === "" ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

/** How a value looks, for "got ..." in errors. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  return String(value);
}

/** A value at a field path of a document. */
export class Node {
  constructor(
    readonly source: SourceDocument,
    readonly path: FieldPath,
    readonly value: unknown,
  ) {}

  fail(expected: string): never {
    return this.source.fail(this.path, expected);
  }

  /** Fails with "expected <what>, got <value>". */
  expected(what: string): never {
    return this.fail(`expected ${what}, got ${describe(this.value)}`);
  }

  child(key: string | number, value: unknown): Node {
    return new Node(this.source, [...this.path, key], value);
  }

  /** The entry `key` of a map that has it; undefined otherwise. */
  entry(key: string): Node | undefined {
    if (!isPlainObject(this.value) || !Object.hasOwn(this.value as object, key)) return undefined;
    return this.child(key, (this.value as Record<string, unknown>)[key]);
  }

  /** A map whose keys are all among `fields`. */
  object(fields: readonly string[]): ObjectNode {
    if (!isPlainObject(this.value)) this.expected(`a map with fields ${fields.join(", ")}`);
    const map = this.value as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      if (!fields.includes(key)) this.child(key, map[key]).fail(`unknown field; expected one of ${fields.join(", ")}`);
    }
    return new ObjectNode(this, map);
  }

  /** A map of any keys (labels, attributes). */
  entries(what = "a map"): Node[] {
    if (!isPlainObject(this.value)) this.expected(what);
    return Object.entries(this.value as Record<string, unknown>).map(([key, value]) => this.child(key, value));
  }

  /** The last part of the path: the key of a map entry. */
  key(): string {
    return String(this.path[this.path.length - 1]);
  }

  list(what = "a list"): Node[] {
    if (!Array.isArray(this.value)) this.expected(what);
    return (this.value as unknown[]).map((item, index) => this.child(index, item));
  }

  string(what = "a string"): string {
    if (typeof this.value !== "string" || this.value === "") this.expected(what);
    return this.value as string;
  }

  /** A string matching `pattern`, described by `what`. */
  matching(pattern: RegExp, what: string): string {
    const text = typeof this.value === "number" ? String(this.value) : this.value;
    if (typeof text !== "string" || !pattern.test(text)) this.expected(what);
    return text as string;
  }

  oneOf<T extends string>(values: readonly T[]): T {
    if (!values.includes(this.value as T)) this.expected(`one of ${values.join(", ")}`);
    return this.value as T;
  }

  integer(min: number, max: number): number {
    const value = this.value;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.expected(`an integer from ${min} to ${max}`);
    }
    return value as number;
  }

  boolean(): boolean {
    if (typeof this.value !== "boolean") this.expected("true or false");
    return this.value as boolean;
  }

  /** A map of string to string (labels); values that YAML read as numbers or booleans are refused. */
  stringMap(what = "a map of strings"): Record<string, string> {
    const map: Record<string, string> = {};
    for (const entry of this.entries(what)) map[entry.key()] = entry.string(`a string (quote numbers and booleans)`);
    return map;
  }
}

/** A map already checked for unknown fields. */
export class ObjectNode {
  constructor(
    readonly node: Node,
    private readonly map: Record<string, unknown>,
  ) {}

  has(key: string): boolean {
    return this.map[key] !== undefined && this.map[key] !== null;
  }

  /** A required field. */
  get(key: string, what = "a value"): Node {
    if (!this.has(key)) this.node.child(key, undefined).fail(`required field missing; expected ${what}`);
    return this.node.child(key, this.map[key]);
  }

  optional(key: string): Node | undefined {
    return this.has(key) ? this.node.child(key, this.map[key]) : undefined;
  }

  /** Fails unless exactly one of `keys` is set; returns it. */
  exactlyOne(keys: readonly string[]): string {
    const set = keys.filter((key) => this.has(key));
    if (set.length !== 1) this.node.fail(`expected exactly one of ${keys.join(", ")}, got ${set.length === 0 ? "none" : set.join(", ")}`);
    return set[0];
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Strict reading of proto3 JSON (as parsed from YAML) for the bootstrap subset this host supports. Every accessor
// names the full field path in its error, and `end()` refuses any field that was not read: a field this host does not
// implement must never be silently ignored, since the same YAML runs in a real Envoy where it would take effect.

export class BootstrapError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "BootstrapError";
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A proto message in JSON form, read field by field. */
export class ProtoMessage {
  private readonly read = new Set<string>();

  private constructor(
    private readonly fields: Json,
    readonly path: string,
  ) {}

  static at(value: unknown, path: string): ProtoMessage {
    if (!isObject(value)) throw new BootstrapError(path, `expected a message (mapping), got ${describe(value)}`);
    return new ProtoMessage(value, path);
  }

  fieldPath(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  fail(key: string, problem: string): never {
    throw new BootstrapError(this.fieldPath(key), problem);
  }

  /** Reads a field's raw JSON value, marking it as understood. */
  private raw(key: string): unknown {
    this.read.add(key);
    const value = this.fields[key];
    return value === null ? undefined : value;
  }

  /** Whether a field is set, without reading it (to tell which member of a oneof is). */
  has(key: string): boolean {
    return this.fields[key] !== undefined && this.fields[key] !== null;
  }

  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined || value === "") this.fail(key, "required, must be a non-empty string");
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string") this.fail(key, `expected a string, got ${describe(value)}`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    return this.optionalBool(key) ?? fallback;
  }

  /** bool, or a google.protobuf.BoolValue (a plain true or false in proto JSON). */
  optionalBool(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") this.fail(key, `expected true or false, got ${describe(value)}`);
    return value;
  }

  /** uint32, or a google.protobuf.UInt32Value (both are a plain number, or a decimal string, in proto JSON). */
  optionalUint32(key: string, max = 0xffffffff): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > max) {
      this.fail(key, `expected an integer from 0 to ${max}, got ${describe(value)}`);
    }
    return number;
  }

  uint32(key: string, max?: number): number {
    const value = this.optionalUint32(key, max);
    if (value === undefined) this.fail(key, "required");
    return value;
  }

  enumName<T extends string>(key: string, supported: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (!supported.includes(value as T)) {
      this.fail(key, `${describe(value)} is not supported by this host (supported: ${supported.join(", ")})`);
    }
    return value as T;
  }

  /** google.protobuf.Duration, as proto JSON writes it ("0.25s") or as {seconds, nanos}; in milliseconds. */
  optionalDurationMs(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === "string") {
      const match = /^(\d+)(\.\d{1,9})?s$/.exec(value);
      if (!match) this.fail(key, `expected a duration such as "0.25s" or "5s", got ${describe(value)}`);
      return Number(match[1]) * 1000 + Number(`0${match[2] ?? ""}`) * 1000;
    }
    const duration = ProtoMessage.at(value, this.fieldPath(key));
    const seconds = duration.optionalUint32("seconds") ?? 0;
    const nanos = duration.optionalUint32("nanos", 999_999_999) ?? 0;
    duration.end();
    return seconds * 1000 + nanos / 1e6;
  }

  message(key: string): ProtoMessage {
    const message = this.optionalMessage(key);
    if (message === undefined) this.fail(key, "required");
    return message;
  }

  optionalMessage(key: string): ProtoMessage | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : ProtoMessage.at(value, this.fieldPath(key));
  }

  /** A repeated message field (absent means empty). */
  messages(key: string): ProtoMessage[] {
    return this.list(key).map((item, index) => ProtoMessage.at(item, `${this.fieldPath(key)}[${index}]`));
  }

  /** A repeated uint32 field (absent means empty). */
  uint32s(key: string, max = 0xffffffff): number[] {
    return this.list(key).map((item, index) => {
      if (typeof item !== "number" || !Number.isInteger(item) || item < 0 || item > max) {
        throw new BootstrapError(`${this.fieldPath(key)}[${index}]`, `expected an integer from 0 to ${max}`);
      }
      return item;
    });
  }

  strings(key: string): string[] {
    return this.list(key).map((item, index) => {
      if (typeof item !== "string") throw new BootstrapError(`${this.fieldPath(key)}[${index}]`, "expected a string");
      return item;
    });
  }

  /** A proto map<string, V> field, as its JSON object (absent means empty). */
  map(key: string): Json {
    const value = this.raw(key);
    if (value === undefined) return {};
    if (!isObject(value)) this.fail(key, `expected a mapping, got ${describe(value)}`);
    return value;
  }

  /** A google.protobuf.Any field whose `@type` must be `typeUrl`; returns the packed message. */
  any(key: string, typeUrl: string): ProtoMessage {
    const packed = this.optionalAny(key, typeUrl);
    if (packed === undefined) this.fail(key, "required");
    return packed;
  }

  optionalAny(key: string, typeUrl: string): ProtoMessage | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : ProtoMessage.unpack(value, this.fieldPath(key), typeUrl);
  }

  /** A google.protobuf.Any value (such as a map entry) whose `@type` must be `typeUrl`. */
  static unpack(value: unknown, path: string, typeUrl: string): ProtoMessage {
    const packed = ProtoMessage.at(value, path);
    const actual = packed.raw("@type");
    if (actual !== typeUrl) packed.fail("@type", `expected "${typeUrl}", got ${describe(actual)}`);
    return packed;
  }

  /** The @type of a google.protobuf.Any field, without reading its content. */
  anyType(key: string): string {
    const value = this.fields[key];
    const type = isObject(value) ? value["@type"] : undefined;
    if (typeof type !== "string") this.fail(key, 'expected a google.protobuf.Any with an "@type"');
    return type;
  }

  /** Refuses every field that was not read. */
  end(): void {
    const unknown = Object.keys(this.fields).filter((key) => !this.read.has(key));
    if (unknown.length === 0) return;
    const supported = [...this.read].filter((key) => key !== "@type");
    this.fail(
      unknown[0],
      `field not supported by this host` + (supported.length > 0 ? ` (supported here: ${supported.join(", ")})` : ""),
    );
  }

  private list(key: string): unknown[] {
    const value = this.raw(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(key, `expected a list, got ${describe(value)}`);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (isObject(value)) return "a mapping";
  return JSON.stringify(value);
}

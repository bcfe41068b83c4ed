// Validates an Envoy configuration value (parsed YAML or JSON) against the Envoy v3 API protos, the way Envoy reads
// it: proto3 JSON mapping with unknown fields refused (Envoy parses with ignore_unknown_fields off), plus some of the
// protoc-gen-validate rules Envoy enforces at load time.
//
// The protos: the vendored trees of third_party/ (envoy/, xds/ and udpa/, validate/: only what third_party/roots.txt
// needs); google/protobuf/* are protobufjs's own. protobufjs checks none of the JSON rules below, so the value is
// walked here, field by field.
//
// What is checked:
// - every key names a field of the message, by its proto name (snake_case) or its JSON name (lowerCamelCase), each at
//   most once; types per field: strings, bools, 32- and 64-bit integers (numbers or decimal strings, in range),
//   floats ("NaN", "Infinity" too), bytes (base64), enums (a defined name, or a number), repeated fields (arrays),
//   maps (objects, keys checked for integer and bool key types), messages (objects); null stands for an unset field;
// - at most one member of each oneof is set;
// - well-known types in their JSON form: Any ("@type" resolved and the rest checked as that message; well-known types
//   inside an Any under "value"), Duration ("1s", "0.020s": up to 9 fraction digits and the final "s"), Timestamp
//   (RFC 3339), FieldMask, Struct / Value / ListValue (any JSON), Empty, and the wrappers (BoolValue, UInt32Value, ...
//   as plain scalars); xds.type.v3.TypedStruct and udpa.type.v1.TypedStruct are checked as the message their type_url
//   names, as Envoy converts them;
// - protoc-gen-validate rules (the `(validate.rules)` field options and `(validate.required)` on oneofs): required
//   messages (message, duration, timestamp and any `required`), required oneofs, string min_len / max_len /
//   min_bytes / max_bytes / prefix, enum defined_only, repeated min_items / max_items (and the string, numeric and
//   bool rules of repeated items), numeric const / lt / lte / gt / gte, bool const, duration lt / lte / gt / gte.
//   Numeric and duration bounds are checked on values that are set; a missing string with min_len is refused, as PGV
//   does. Not covered: the other PGV rules (string patterns and well-known formats, in / not_in, map rules, any
//   type lists, timestamp bounds, repeated unique), and Envoy's own checks beyond the protos (which extensions a
//   build has, deprecated fields, cross-field rules such as tcp_proxy's max_early_data_bytes with
//   upstream_connect_mode).
import { readdirSync, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";
import { PROTO_TREES, REPO_ROOT } from "./third_party.ts";

type Type = protobuf.Type;
type Field = protobuf.Field;
type Enum = protobuf.Enum;

function protoSearchPath(): string[] {
  const require = createRequire(path.join(REPO_ROOT, "package.json"));
  const protobufjsDir = path.dirname(require.resolve("protobufjs/package.json"));
  // protobufjs's google/protobuf/descriptor.proto (the other google/protobuf files are built into protobufjs).
  return [...PROTO_TREES, protobufjsDir];
}

let cachedRoot: protobuf.Root | undefined;
let searchPath: string[] = [];

/** The protobufjs Root, loaded once per process and extended as Any values name types from other packages. */
function root(): protobuf.Root {
  if (cachedRoot !== undefined) return cachedRoot;
  searchPath = protoSearchPath();
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin: string, target: string) => {
    for (const dir of searchPath) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target; // protobufjs's bundled google/protobuf files, or a missing import (reported by loadSync)
  };
  cachedRoot = loaded;
  return loaded;
}

const triedPackages = new Set<string>();

/**
 * The message type `fullName`, loading the .proto files of its package on first use: Envoy API packages are folders
 * (envoy.extensions.filters.network.wasm.v3 is envoy/extensions/filters/network/wasm/v3/*.proto).
 */
function lookupType(fullName: string): Type | undefined {
  const r = root();
  const found = tryLookup(r, fullName);
  if (found !== undefined) return found;
  const parts = fullName.split(".");
  // The package is the longest prefix that is a folder with .proto files (nested messages have more parts).
  for (let n = parts.length - 1; n > 0; n--) {
    const packageName = parts.slice(0, n).join(".");
    if (triedPackages.has(packageName)) continue;
    const files = protoFilesOf(parts.slice(0, n).join("/"));
    if (files.length === 0) continue;
    triedPackages.add(packageName);
    try {
      r.loadSync(files, { keepCase: true });
      r.resolveAll();
    } catch (error) {
      throw new Error(`cannot load the protos of ${packageName}: ${(error as Error).message}`);
    }
    return tryLookup(r, fullName);
  }
  return undefined;
}

function tryLookup(r: protobuf.Root, fullName: string): Type | undefined {
  const found = r.lookup(fullName);
  return found instanceof protobuf.Type ? found : undefined;
}

function protoFilesOf(relativeDir: string): string[] {
  for (const dir of searchPath) {
    const folder = path.join(dir, relativeDir);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    const files = readdirSync(folder).filter((f) => f.endsWith(".proto")).sort();
    if (files.length > 0) return files.map((f) => path.join(relativeDir, f));
  }
  return [];
}

/** Said with an unknown type: only the types third_party/roots.txt lists, and what they use, are vendored. */
const NOT_VENDORED = "not in the protos vendored for third_party/roots.txt";

/**
 * Checks `value` (a parsed YAML or JSON document) as the proto3 JSON form of the message `typeName` (e.g.
 * "envoy.config.bootstrap.v3.Bootstrap"). Returns one line per problem, "path: what is wrong", empty when valid.
 */
export function validateEnvoyMessage(typeName: string, value: unknown): string[] {
  const errors: string[] = [];
  const type = lookupType(typeName.replace(/^\./, ""));
  if (type === undefined) return [`(root): unknown message type ${typeName} (${NOT_VENDORED})`];
  new Walker(errors).message(type, value, "");
  return errors;
}

/** Proto3 JSON durations: seconds with up to 9 fraction digits and an "s", at most 10000 years either way. */
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000n;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;
const INTEGER = /^-?\d+$/;

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** Wrapper types: JSON is the wrapped scalar. */
const WRAPPERS: Record<string, string> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

/** Well-known types whose JSON is not an object of their fields: inside an Any they sit under "value". */
const SPECIAL_JSON = new Set([
  ...Object.keys(WRAPPERS),
  "google.protobuf.Any",
  "google.protobuf.Duration",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
]);

const TYPED_STRUCTS = new Set(["xds.type.v3.TypedStruct", "udpa.type.v1.TypedStruct"]);

type Rules = Record<string, any>;

/** A proto3 JSON duration in nanoseconds; undefined when it is not one or is out of range. */
function durationNanos(value: unknown): bigint | undefined {
  const match = typeof value === "string" ? DURATION.exec(value) : null;
  if (match === null) return undefined;
  const seconds = BigInt(match[2]);
  if (seconds > MAX_DURATION_SECONDS) return undefined;
  const nanos = seconds * 1_000_000_000n + BigInt((match[3] ?? "").padEnd(9, "0"));
  return match[1] === "-" ? -nanos : nanos;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The `(validate.rules)` of a field (protobufjs keeps options as a list of one-key objects). */
function rulesOf(field: Field): Rules | undefined {
  const parsed = (field as unknown as { parsedOptions?: Record<string, unknown>[] | null }).parsedOptions;
  let rules: Rules | undefined;
  for (const option of parsed ?? []) {
    const value = option["(validate.rules)"];
    if (isObject(value)) rules = deepMerge(rules ?? {}, value);
  }
  return rules;
}

function deepMerge(into: Rules, from: Rules): Rules {
  for (const [key, value] of Object.entries(from)) {
    into[key] = isObject(value) && isObject(into[key]) ? deepMerge({ ...into[key] }, value) : value;
  }
  return into;
}

/** PGV's "must be set" for message fields: message.required, and required on Duration, Timestamp and Any fields. */
function requiredMessage(rules: Rules): boolean {
  return rules.message?.required === true || rules.duration?.required === true || rules.timestamp?.required === true ||
    rules.any?.required === true;
}

/** Lookup of a message's fields by proto name and JSON name. */
const fieldIndexes = new WeakMap<Type, Map<string, Field>>();

function fieldIndex(type: Type): Map<string, Field> {
  let index = fieldIndexes.get(type);
  if (index === undefined) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      const jsonName = (field.options?.json_name as string | undefined) ?? lowerCamel(field.name);
      index.set(jsonName, field);
    }
    fieldIndexes.set(type, index);
  }
  return index;
}

class Walker {
  constructor(private readonly errors: string[]) {}

  private fail(path: string, message: string): void {
    this.errors.push(`${path || "(root)"}: ${message}`);
  }

  /** A message in its JSON form (special forms for the well-known types). */
  message(type: Type, value: unknown, path: string): void {
    const name = type.fullName.replace(/^\./, "");
    if (name in WRAPPERS) return this.scalar(WRAPPERS[name], value, path);
    switch (name) {
      case "google.protobuf.Any":
        return this.any(value, path);
      case "google.protobuf.Duration":
        return this.duration(value, path);
      case "google.protobuf.Timestamp":
        if (typeof value !== "string" || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
          this.fail(path, `expected an RFC 3339 timestamp string, got ${describe(value)}`);
        }
        return;
      case "google.protobuf.FieldMask":
        if (typeof value !== "string") this.fail(path, `expected a field mask string, got ${describe(value)}`);
        return;
      case "google.protobuf.Value":
        return; // any JSON value
      case "google.protobuf.Struct":
        if (!isObject(value)) this.fail(path, `expected an object (google.protobuf.Struct), got ${describe(value)}`);
        return;
      case "google.protobuf.ListValue":
        if (!Array.isArray(value)) this.fail(path, `expected an array (google.protobuf.ListValue), got ${describe(value)}`);
        return;
    }
    if (!isObject(value)) return this.fail(path, `expected an object (${name}), got ${describe(value)}`);
    this.fields(type, value, path);
    if (TYPED_STRUCTS.has(name)) this.typedStruct(value, path);
  }

  private fields(type: Type, value: Record<string, unknown>, path: string): void {
    const index = fieldIndex(type);
    const seen = new Map<Field, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      const keyPath = join(path, key);
      const field = index.get(key);
      if (field === undefined) {
        this.fail(keyPath, "unknown field");
        continue;
      }
      const earlier = seen.get(field);
      if (earlier !== undefined) {
        this.fail(keyPath, `field ${field.name} is already set as ${earlier}`);
        continue;
      }
      seen.set(field, key);
      this.field(field, fieldValue, keyPath);
    }
    this.oneofs(type, value, seen, path);
    this.absentFieldRules(type, seen, path);
  }

  private oneofs(type: Type, value: Record<string, unknown>, seen: Map<Field, string>, path: string): void {
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => seen.has(f) && value[seen.get(f)!] !== null);
      if (set.length > 1) {
        const keys = set.map((f) => seen.get(f)!);
        this.fail(join(path, keys[1]), `only one of oneof ${oneof.name} may be set, but ${keys.join(" and ")} are`);
      } else if (set.length === 0 && oneof.options?.["(validate.required)"] === true) {
        this.fail(join(path, oneof.name), `one of ${oneof.fieldsArray.map((f) => f.name).join(", ")} is required`);
      }
    }
  }

  /** PGV rules that apply to a field that is not set: required messages, string lengths, repeated min_items. */
  private absentFieldRules(type: Type, seen: Map<Field, string>, path: string): void {
    for (const field of type.fieldsArray) {
      if (seen.has(field) || field.partOf) continue;
      const rules = rulesOf(field);
      if (rules === undefined) continue;
      const fieldPath = join(path, field.name);
      if (requiredMessage(rules)) this.fail(fieldPath, "required field is missing");
      else if (field.repeated && !field.map && (rules.repeated?.min_items ?? 0) > 0) {
        this.fail(fieldPath, `at least ${rules.repeated.min_items} item(s) required`);
      } else if (!field.repeated && field.type === "string" && !rules.string?.ignore_empty &&
        ((rules.string?.min_len ?? 0) > 0 || (rules.string?.min_bytes ?? 0) > 0)) {
        this.fail(fieldPath, `required field is missing (must be at least ${rules.string.min_len ?? rules.string.min_bytes} characters)`);
      }
    }
  }

  private field(field: Field, value: unknown, path: string): void {
    const rules = rulesOf(field);
    if (value === null) {
      if (rules !== undefined && requiredMessage(rules)) this.fail(path, "required field is null");
      return; // proto3 JSON: null is the default value
    }
    if (field.map) {
      if (!isObject(value)) return this.fail(path, `expected an object (map), got ${describe(value)}`);
      const keyType = (field as unknown as protobuf.MapField).keyType;
      for (const [key, item] of Object.entries(value)) {
        const itemPath = join(path, key);
        if (keyType === "bool" ? key !== "true" && key !== "false" : keyType !== "string" && !this.integerKey(keyType, key)) {
          this.fail(itemPath, `map key ${JSON.stringify(key)} is not a ${keyType}`);
        }
        this.single(field, item, itemPath, undefined);
      }
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.fail(path, `expected an array, got ${describe(value)}`);
      const minItems = rules?.repeated?.min_items;
      const maxItems = rules?.repeated?.max_items;
      if (minItems !== undefined && value.length < Number(minItems)) this.fail(path, `at least ${minItems} item(s) required`);
      if (maxItems !== undefined && value.length > Number(maxItems)) this.fail(path, `at most ${maxItems} item(s) allowed`);
      value.forEach((item, i) => {
        if (item === null) this.fail(`${path}[${i}]`, "null is not allowed in a repeated field");
        else this.single(field, item, `${path}[${i}]`, rules?.repeated?.items);
      });
      return;
    }
    this.single(field, value, path, rules);
  }

  private integerKey(keyType: string, key: string): boolean {
    if (!INTEGER.test(key)) return false;
    const [min, max] = INT_RANGES[keyType] ?? [-(2n ** 63n), 2n ** 64n];
    const n = BigInt(key);
    return n >= min && n <= max;
  }

  /** One value of a field (an element, for repeated fields and maps). */
  private single(field: Field, value: unknown, path: string, rules: Rules | undefined): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return this.enumValue(resolved, value, path, rules?.enum);
    if (resolved instanceof protobuf.Type) {
      this.message(resolved, value, path);
      const wrapped = WRAPPERS[resolved.fullName.replace(/^\./, "")];
      if (wrapped !== undefined && rules !== undefined) this.scalarRules(wrapped, value, path, rules);
      if (resolved.fullName === ".google.protobuf.Duration" && rules?.duration !== undefined) {
        this.durationRules(value, path, rules.duration);
      }
      return;
    }
    this.scalar(field.type, value, path);
    if (rules !== undefined) this.scalarRules(field.type, value, path, rules);
  }

  private enumValue(type: Enum, value: unknown, path: string, rules: Rules | undefined): void {
    const name = type.fullName.replace(/^\./, "");
    if (name === "google.protobuf.NullValue") {
      if (value !== null && value !== "NULL_VALUE") this.fail(path, `expected null, got ${describe(value)}`);
      return;
    }
    if (typeof value === "string") {
      if (!(value in type.values)) {
        this.fail(path, `unknown enum value ${JSON.stringify(value)} for ${name} (one of ${Object.keys(type.values).join(", ")})`);
      }
    } else if (typeof value === "number" && Number.isInteger(value)) {
      if (rules?.defined_only === true && !Object.values(type.values).includes(value)) {
        this.fail(path, `enum number ${value} is not a defined ${name} value`);
      }
    } else {
      this.fail(path, `expected an enum name of ${name}, got ${describe(value)}`);
    }
  }

  private scalar(type: string, value: unknown, path: string): void {
    switch (type) {
      case "string":
        if (typeof value !== "string") this.fail(path, `expected a string, got ${describe(value)}`);
        return;
      case "bool":
        if (typeof value !== "boolean") this.fail(path, `expected true or false, got ${describe(value)}`);
        return;
      case "bytes":
        if (typeof value !== "string" || !BASE64.test(value)) this.fail(path, `expected base64 bytes, got ${describe(value)}`);
        return;
      case "double":
      case "float":
        if (typeof value === "number") return;
        if (typeof value === "string" && (["NaN", "Infinity", "-Infinity"].includes(value) || (value.trim() !== "" && !Number.isNaN(Number(value))))) return;
        this.fail(path, `expected a number, got ${describe(value)}`);
        return;
    }
    const range = INT_RANGES[type];
    if (range === undefined) return this.fail(path, `unsupported field type ${type}`);
    let n: bigint | undefined;
    if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
    else if (typeof value === "string" && INTEGER.test(value)) n = BigInt(value);
    if (n === undefined) return this.fail(path, `expected an integer (${type}), got ${describe(value)}`);
    if (n < range[0] || n > range[1]) this.fail(path, `${n} is out of range for ${type}`);
  }

  /** Numeric, string and bool PGV rules on a set value that already has the right type. */
  private scalarRules(type: string, value: unknown, path: string, rules: Rules): void {
    if (type === "string" && typeof value === "string" && rules.string !== undefined) {
      const r = rules.string;
      const chars = [...value].length;
      const bytes = Buffer.byteLength(value);
      if (r.min_len !== undefined && chars < Number(r.min_len)) this.fail(path, `must be at least ${r.min_len} characters`);
      if (r.max_len !== undefined && chars > Number(r.max_len)) this.fail(path, `must be at most ${r.max_len} characters`);
      if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) this.fail(path, `must be at least ${r.min_bytes} bytes`);
      if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) this.fail(path, `must be at most ${r.max_bytes} bytes`);
      if (r.prefix !== undefined && !value.startsWith(r.prefix)) this.fail(path, `must start with ${JSON.stringify(r.prefix)}`);
      return;
    }
    if (type === "bool" && typeof value === "boolean" && rules.bool?.const !== undefined && value !== rules.bool.const) {
      return this.fail(path, `must be ${rules.bool.const}`);
    }
    const numeric = rules[type];
    if (!isObject(numeric) || (typeof value !== "number" && typeof value !== "string")) return;
    const n = Number(value);
    if (Number.isNaN(n)) return;
    const check = (key: string, ok: (bound: number) => boolean, text: string) => {
      if (numeric[key] !== undefined && !ok(Number(numeric[key]))) this.fail(path, `must be ${text} ${numeric[key]}, got ${value}`);
    };
    check("const", (b) => n === b, "equal to");
    check("lt", (b) => n < b, "less than");
    check("lte", (b) => n <= b, "at most");
    check("gt", (b) => n > b, "greater than");
    check("gte", (b) => n >= b, "at least");
  }

  /** Returns the duration in nanoseconds, or undefined (after reporting) when it is not a proto3 JSON duration. */
  private duration(value: unknown, path: string): void {
    if (typeof value !== "string" || !DURATION.test(value)) {
      this.fail(path, `invalid duration ${describe(value)}: expected a proto3 JSON duration string like "1s" or "0.020s"`);
    } else if (durationNanos(value) === undefined) {
      this.fail(path, `duration ${value} is out of range (at most ${MAX_DURATION_SECONDS}s either way)`);
    }
  }

  private durationRules(value: unknown, path: string, rules: Rules): void {
    const nanos = durationNanos(value);
    if (nanos === undefined) return; // already reported
    const bound = (d: unknown) => (isObject(d) ? BigInt(Number(d.seconds ?? 0)) * 1_000_000_000n + BigInt(Number(d.nanos ?? 0)) : undefined);
    const check = (key: string, ok: (b: bigint) => boolean, text: string) => {
      const b = bound(rules[key]);
      if (b !== undefined && !ok(b)) this.fail(path, `must be ${text} ${Number(b) / 1e9}s, got ${value}`);
    };
    check("lt", (b) => nanos < b, "shorter than");
    check("lte", (b) => nanos <= b, "at most");
    check("gt", (b) => nanos > b, "longer than");
    check("gte", (b) => nanos >= b, "at least");
  }

  private any(value: unknown, path: string): void {
    if (!isObject(value)) return this.fail(path, `expected an object with "@type" (google.protobuf.Any), got ${describe(value)}`);
    const typeUrl = value["@type"];
    if (typeof typeUrl !== "string" || typeUrl === "") return this.fail(join(path, "@type"), "missing type URL");
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    const type = lookupType(typeName);
    if (type === undefined) return this.fail(join(path, "@type"), `unknown type ${typeName} (${NOT_VENDORED})`);
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== "@type"));
    if (SPECIAL_JSON.has(typeName)) {
      for (const key of Object.keys(rest)) if (key !== "value") this.fail(join(path, key), "unknown field");
      if (!("value" in rest)) {
        if (typeName in WRAPPERS) return; // an unset wrapper
        return this.fail(join(path, "value"), `required for ${typeName} inside an Any`);
      }
      return this.message(type, rest.value, join(path, "value"));
    }
    this.message(type, rest, path);
  }

  /** TypedStruct: Envoy converts `value` into the message named by `type_url`, refusing unknown fields. */
  private typedStruct(value: Record<string, unknown>, path: string): void {
    const typeUrl = value.type_url ?? value.typeUrl;
    if (typeof typeUrl !== "string" || typeUrl === "") return;
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    const type = lookupType(typeName);
    if (type === undefined) return this.fail(join(path, "type_url"), `unknown type ${typeName} (${NOT_VENDORED})`);
    if (isObject(value.value)) this.message(type, value.value, join(path, "value"));
  }
}

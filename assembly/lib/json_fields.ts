// Reading configuration objects field by field: every problem is reported once, naming the field's path
// (`routes[2].match.metadata[0].exact_match`), and unknown fields are refused rather than ignored.
import { JsonKind, JsonValue } from "./json";

@final
export class FieldErrors {
  error: string = "";

  get failed(): bool {
    return this.error.length > 0;
  }

  fail(message: string): void {
    if (this.error.length == 0) this.error = message;
  }
}

/** Checks that `v` is an object whose fields are all in `known`. */
export function checkObject(v: JsonValue, path: string, known: Array<string>, errors: FieldErrors): bool {
  if (v.kind != JsonKind.Object) {
    errors.fail("field '" + path + "' must be an object");
    return false;
  }
  for (let i = 0; i < v.keys.length; i++) {
    if (!known.includes(v.keys[i])) {
      errors.fail("unknown field '" + join(path, v.keys[i]) + "' (known: " + known.join(", ") + ")");
      return false;
    }
  }
  return true;
}

/** The field `key` of `obj`, of any kind; null, and an error naming it, when absent. */
export function requiredField(obj: JsonValue, key: string, path: string, errors: FieldErrors): JsonValue | null {
  const v = obj.get(key);
  if (v === null) errors.fail("field '" + join(path, key) + "' is required");
  return v;
}

/** A string field; "" when absent (and an error when `required`). */
export function stringField(obj: JsonValue, key: string, path: string, errors: FieldErrors, required: bool): string {
  const v = required ? requiredField(obj, key, path, errors) : obj.get(key);
  if (v === null) return "";
  if (v.kind != JsonKind.String || (required && v.string.length == 0)) {
    errors.fail("field '" + join(path, key) + "' must be a " + (required ? "non-empty " : "") + "string");
    return "";
  }
  return v.string;
}

export function boolField(obj: JsonValue, key: string, path: string, errors: FieldErrors, absent: bool): bool {
  const v = obj.get(key);
  if (v === null) return absent;
  if (v.kind != JsonKind.Bool) {
    errors.fail("field '" + join(path, key) + "' must be true or false");
    return absent;
  }
  return v.bool;
}

/** An integer field within [min, max]; `absent` when missing. */
export function integerField(obj: JsonValue, key: string, path: string, errors: FieldErrors, min: f64, max: f64, absent: f64): f64 {
  const v = obj.get(key);
  if (v === null) return absent;
  if (v.kind != JsonKind.Number || v.number != Math.floor(v.number) || v.number < min || v.number > max) {
    errors.fail("field '" + join(path, key) + "' must be an integer from " + (<i64>min).toString() + " to " + (<i64>max).toString());
    return absent;
  }
  return v.number;
}

/** The items of a list field (empty when absent). */
export function listField(obj: JsonValue, key: string, path: string, errors: FieldErrors): Array<JsonValue> {
  const v = obj.get(key);
  if (v === null) return [];
  if (v.kind != JsonKind.Array) {
    errors.fail("field '" + join(path, key) + "' must be a list");
    return [];
  }
  return v.items;
}

export function join(path: string, key: string): string {
  return path.length == 0 ? key : path + "." + key;
}

export function item(path: string, index: i32): string {
  return path + "[" + index.toString() + "]";
}

// Reading key/values to set, `[{"key": "...", "value": "..."}, ...]`, wherever the configuration has mutations.
import { checkObject, FieldErrors, item, requiredField, stringField } from "../lib/json_fields";
import { JsonValue } from "../lib/json";
import { Mutation } from "./mutation";

/** Reads `[{"key": "...", "value": "..."}, ...]` into `into`. */
export function readMutation(list: Array<JsonValue>, path: string, into: Mutation, errors: FieldErrors): void {
  for (let i = 0; i < list.length && !errors.failed; i++) {
    const at = item(path, i);
    if (!checkObject(list[i], at, ["key", "value"], errors)) return;
    const key = stringField(list[i], "key", at, errors, true);
    requiredField(list[i], "value", at, errors); // required, though it may be ""
    const value = stringField(list[i], "value", at, errors, false);
    if (!errors.failed) into.set(key, value);
  }
}

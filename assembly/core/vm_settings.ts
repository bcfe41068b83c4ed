// The VM configuration (Envoy's vm_config.configuration), which every plugin sharing the VM shares by definition (it
// is part of the VM key): settings that are the VM's, not any one plugin's. JSON, every field optional:
//   {"partial_frame_budget": 67108864}   bytes the VM's partial frames may hold (held_bytes.ts)
import { checkObject, FieldErrors, integerField } from "../lib/json_fields";
import { JsonKind, JsonParser } from "../lib/json";
import { DEFAULT_PARTIAL_FRAME_BUDGET, HeldBytes } from "./held_bytes";

const MIN_BUDGET: f64 = 1024 * 1024;
/** V8's limit of a module's memory in Envoy: a budget near it could not be kept anyway. */
const MAX_BUDGET: f64 = 512 * 1024 * 1024;

/** Applies the VM configuration `text` to `heldBytes`; returns "" or what is wrong, naming the field. */
export function applyVmSettings(text: string, heldBytes: HeldBytes): string {
  if (text.trim().length == 0) {
    heldBytes.budget = DEFAULT_PARTIAL_FRAME_BUDGET;
    return "";
  }
  const parser = new JsonParser();
  const root = parser.parse(text);
  if (root === null) return "VM configuration is not valid JSON: " + parser.error;
  if (root.kind != JsonKind.Object) return "VM configuration must be a JSON object";
  const errors = new FieldErrors();
  if (checkObject(root, "", ["partial_frame_budget"], errors)) {
    const budget = integerField(root, "partial_frame_budget", "", errors, MIN_BUDGET, MAX_BUDGET, <f64>DEFAULT_PARTIAL_FRAME_BUDGET);
    if (!errors.failed) heldBytes.budget = <i64>budget;
  }
  return errors.error;
}

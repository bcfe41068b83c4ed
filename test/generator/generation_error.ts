// The message of the InputError a generation throws; fails the test when it throws none or something else.
import assert from "node:assert/strict";
import { InputError } from "../../generator/index.ts";

export function generationError(generate: () => unknown): string {
  try {
    generate();
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  assert.fail("generated without an error");
}

// The repository needs nothing beside it: no tracked file of the code, the tests or the build names a path outside
// the checkout. Caught: the sibling `shared` folder by any relative route, a relative path that climbs above the
// repository from the file that holds it, and absolute paths into workspaces and home directories.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./third_party.ts";

const SCANNED = ["assembly", "filters", "generator", "test", "Makefile", ".ci"];
/** This file: its examples are outside references on purpose. */
const SELF = "test/validation/self_contained.test.ts";

/**
 * The sibling folder of reference material kept beside checkouts: `../shared`, `../../shared/...`, and a path that
 * starts at it (`shared/reference/...`), which no file of the repository's own answers either.
 */
const SIBLING_SHARED = /(?:\.\.\/)+shared(?![\w.-])|(?<![\w./-])shared\//g;
/** Workspace and home directories: never part of a checkout. */
const OUTSIDE_ROOTS = /(?<![\w.~-])\/(?:work|home|root|Users|mnt)\/[\w.-]/g;
/** A run of "../" starting a relative path. */
const CLIMB = /(?<![\w.])(?:\.\.\/)+/g;

function trackedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--", ...SCANNED], { cwd: REPO_ROOT, encoding: "utf8" });
  return out.split("\0").filter((f) => f !== "" && f !== SELF);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** "file:line: text" for each reference outside the repository in `file` (a path relative to the repository). */
function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  const report = (index: number, what: string) => found.push(`${file}:${lineOf(text, index)}: ${what}`);
  for (const m of text.matchAll(SIBLING_SHARED)) report(m.index!, m[0]);
  for (const m of text.matchAll(OUTSIDE_ROOTS)) report(m.index!, m[0]);
  const depth = path.dirname(file) === "." ? 0 : path.dirname(file).split("/").length;
  for (const m of text.matchAll(CLIMB)) {
    const ups = m[0].length / 3;
    if (ups > depth) report(m.index!, `${m[0]} climbs ${ups} folders from ${path.dirname(file)}/`);
  }
  return found;
}

describe("the repository is self-contained", () => {
  it("finds the tracked files to scan", () => {
    const files = trackedFiles();
    assert.ok(files.includes("Makefile") && files.includes("test/validation/envoy_proto.ts"), `${files.length} files`);
  });

  it("no tracked file under assembly/ filters/ generator/ test/ .ci/ or the Makefile names a path outside it", () => {
    const found = trackedFiles().flatMap((file) => outsideReferences(file, readFileSync(path.join(REPO_ROOT, file), "utf8")));
    assert.deepEqual(found, []);
  });

  it("recognises each kind of outside reference", () => {
    assert.equal(outsideReferences("test/x/y.ts", 'const dir = `${REPO}../shared/envoy-api`;').length, 1);
    assert.equal(outsideReferences("test/x/y.ts", 'readFileSync("/work/shared/schemas/crds.yaml")').length, 1);
    assert.equal(outsideReferences("test/x/y.ts", "// the semantics listed in shared/reference/notes.md").length, 1);
    assert.deepEqual(outsideReferences("test/x/y.ts", 'import "./wasm/shared/data.ts"; import "./shared_data.ts";'), []);
    assert.equal(outsideReferences("test/x/y.ts", 'import "../../../elsewhere/z.ts";').length, 1);
    assert.deepEqual(outsideReferences("test/x/y.ts", 'import { a } from "../../generator/index.ts"; import "../shared_data.ts";'), []);
    assert.deepEqual(outsideReferences("test/x/y.ts", 'code: { local: { filename: "/etc/istio/dubbo.wasm" } }'), []);
  });
});

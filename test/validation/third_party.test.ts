// The vendored third-party material is exactly what third_party/roots.txt needs, complete (every import found),
// nothing more, and each tree carries its licence and is described in third_party/README.md.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, it } from "node:test";
import protobuf from "protobufjs";
import { parseAllDocuments } from "yaml";
import { importsOf, protoClosure, protoFilesUnder } from "./proto_closure.ts";
import { ISTIO_CRDS, PROTO_TREES, readRoots, REPO_ROOT, RUNTIME_PROTO_PREFIX, THIRD_PARTY } from "./third_party.ts";

const roots = readRoots();

describe("third_party/", () => {
  it("lists proto roots and CRD kinds in roots.txt", () => {
    assert.ok(roots.protos.includes("envoy.config.bootstrap.v3.Bootstrap"), roots.protos.join());
    assert.ok(roots.crdKinds.includes("WasmPlugin") && roots.crdKinds.includes("EnvoyFilter"), roots.crdKinds.join());
  });

  it("holds exactly the .proto files that define the roots and everything they import", () => {
    const closure = protoClosure(PROTO_TREES, roots.protos, RUNTIME_PROTO_PREFIX);
    assert.deepEqual(closure.undefinedRoots, [], "roots no vendored file defines");
    assert.deepEqual(closure.missingImports, [], "imports no vendored file answers");
    for (const tree of PROTO_TREES) {
      const needed = closure.files.filter((f) => f.tree === tree).map((f) => f.importPath);
      assert.deepEqual(protoFilesUnder(tree), needed, `${path.relative(REPO_ROOT, tree)}: vendored files vs needed files`);
    }
  });

  it("leaves to protobufjs only the google/protobuf files it has", () => {
    const protobufjsDir = path.dirname(createRequire(path.join(REPO_ROOT, "package.json")).resolve("protobufjs/package.json"));
    const runtimeImports = new Set(
      PROTO_TREES.flatMap((tree) => protoFilesUnder(tree).flatMap((f) => importsOf(readFileSync(path.join(tree, f), "utf8"))))
        .filter((i) => i.startsWith(RUNTIME_PROTO_PREFIX)),
    );
    assert.ok(runtimeImports.size > 0);
    for (const file of runtimeImports) {
      const builtIn = (protobuf.common as unknown as Record<string, unknown>)[file] !== undefined;
      assert.ok(builtIn || existsSync(path.join(protobufjsDir, file)), `${file} is neither built into protobufjs nor shipped with it`);
    }
  });

  it("holds the Istio CRDs of the listed kinds, each with a served version, and no other", () => {
    const crds = parseAllDocuments(readFileSync(ISTIO_CRDS, "utf8")).map((d) => d.toJS());
    assert.deepEqual(crds.map((c) => c.spec.names.kind).sort(), [...roots.crdKinds].sort());
    for (const crd of crds) {
      assert.ok(crd.spec.versions.some((v: any) => v.served && v.schema?.openAPIV3Schema), crd.metadata.name);
    }
  });

  it("gives each vendored tree its licence and a line in third_party/README.md", () => {
    const readme = readFileSync(path.join(THIRD_PARTY, "README.md"), "utf8");
    for (const tree of [...PROTO_TREES, path.dirname(ISTIO_CRDS)]) {
      const name = path.basename(tree);
      assert.ok(existsSync(path.join(tree, "LICENSE")), `${name}/LICENSE`);
      assert.ok(readme.includes(`\`${name}/\``), `third_party/README.md describes ${name}/`);
    }
  });
});

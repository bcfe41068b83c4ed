// Regenerates the vendored third-party material from upstream sources (never needed to run the tests):
//
//   node --import tsx test/validation/update_third_party.ts <envoy-api> <xds-deps> <istio-crds.gen.yaml>
//
// <envoy-api>: a checkout of envoyproxy/data-plane-api (the folder holding envoy/). <xds-deps>: a folder holding
// xds/ (a cncf/xds checkout) and protoc-gen-validate/, e.g. node_modules/@grpc/grpc-js-xds/deps. The Istio file:
// kubernetes/customresourcedefinitions.gen.yaml of istio/api. It copies the .proto files third_party/roots.txt needs
// (proto_closure.ts), with CRLF line ends made LF, replacing the vendored ones, and the CRD documents of the listed
// kinds verbatim. Licences and third_party/README.md (upstream versions) are kept by hand.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { protoClosure, protoFilesUnder } from "./proto_closure.ts";
import { ISTIO_CRDS, PROTO_TREES, readRoots, RUNTIME_PROTO_PREFIX } from "./third_party.ts";

function usage(): never {
  console.error("usage: node --import tsx test/validation/update_third_party.ts <envoy-api> <xds-deps> <istio-crds.gen.yaml>");
  process.exit(2);
}

/** The documents of a multi-document YAML file (separated by "---" lines) that are CRDs of `kinds`, verbatim. */
function crdDocuments(text: string, kinds: readonly string[]): { kinds: string[]; text: string } {
  const kept: string[] = [];
  const found: string[] = [];
  for (const document of text.split(/^---\n/m)) {
    const crd = parse(document);
    const kind = crd?.kind === "CustomResourceDefinition" ? crd.spec?.names?.kind : undefined;
    if (!kinds.includes(kind)) continue;
    kept.push(document);
    found.push(kind);
  }
  return { kinds: found, text: kept.join("---\n") };
}

function main(): void {
  const [envoyApi, xdsDeps, istioCrds] = process.argv.slice(2);
  if (istioCrds === undefined) usage();
  // In the order of PROTO_TREES.
  const sources = [envoyApi, path.join(xdsDeps, "xds"), path.join(xdsDeps, "protoc-gen-validate")];
  for (const dir of sources) if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`no folder ${dir}`);
  const roots = readRoots();

  const closure = protoClosure(sources, roots.protos, RUNTIME_PROTO_PREFIX);
  if (closure.undefinedRoots.length > 0) throw new Error(`not defined in the sources: ${closure.undefinedRoots.join(", ")}`);
  if (closure.missingImports.length > 0) throw new Error(`imports not found:\n${closure.missingImports.join("\n")}`);

  for (const tree of PROTO_TREES) {
    for (const old of protoFilesUnder(tree)) rmSync(path.join(tree, old));
  }
  let bytes = 0;
  for (const file of closure.files) {
    const target = path.join(PROTO_TREES[sources.indexOf(file.tree)], file.importPath);
    const text = readFileSync(path.join(file.tree, file.importPath), "utf8").replaceAll("\r\n", "\n");
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    bytes += Buffer.byteLength(text);
  }
  // Folders left empty by files no longer needed.
  for (const tree of PROTO_TREES) if (statSync(tree, { throwIfNoEntry: false })) removeEmptyFolders(tree);

  mkdirSync(path.dirname(ISTIO_CRDS), { recursive: true });
  const crds = crdDocuments(readFileSync(istioCrds, "utf8"), roots.crdKinds);
  const absent = roots.crdKinds.filter((k) => !crds.kinds.includes(k));
  if (absent.length > 0) throw new Error(`no CRD of kind ${absent.join(", ")} in ${istioCrds}`);
  writeFileSync(ISTIO_CRDS, crds.text);

  for (const [i, tree] of PROTO_TREES.entries()) {
    const count = closure.files.filter((f) => f.tree === sources[i]).length;
    console.log(`${path.relative(process.cwd(), tree)}: ${count} .proto files`);
  }
  console.log(`${closure.files.length} .proto files, ${bytes} bytes; ${path.relative(process.cwd(), ISTIO_CRDS)}: ${crds.kinds.join(", ")}, ${Buffer.byteLength(crds.text)} bytes`);
}

/** Removes the folders under `dir` that hold no file; true when `dir` itself holds none. */
function removeEmptyFolders(dir: string): boolean {
  let empty = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && removeEmptyFolders(full)) rmSync(full, { recursive: true });
    else empty = false;
  }
  return empty;
}

main();

// Which .proto files a set of definitions needs: the file that defines each one, and every file those import,
// transitively. Used to vendor exactly those files (update_third_party.ts) and to check the vendored set
// (third_party.test.ts). Files are found in a list of tree directories, the first tree holding a path wins, as with
// protoc's include paths.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** A .proto file: its import path (e.g. envoy/config/core/v3/base.proto) and the tree directory holding it. */
export interface ProtoFile {
  readonly importPath: string;
  readonly tree: string;
}

const IMPORT = /^import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

export function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1]);
}

function find(trees: readonly string[], importPath: string): ProtoFile | undefined {
  const tree = trees.find((t) => existsSync(path.join(t, importPath)));
  return tree === undefined ? undefined : { importPath, tree };
}

function read(file: ProtoFile): string {
  return readFileSync(path.join(file.tree, file.importPath), "utf8");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The file defining `fullName` (a message, enum or service; a nested name such as Cluster.DiscoveryType is found by
 * its outermost message). Packages are folders: envoy.config.core.v3 is envoy/config/core/v3/*.proto.
 */
export function definingFile(trees: readonly string[], fullName: string): ProtoFile | undefined {
  const parts = fullName.split(".");
  for (let n = parts.length - 1; n > 0; n--) {
    const packageName = parts.slice(0, n).join(".");
    const folder = parts.slice(0, n).join("/");
    const declaration = new RegExp(`^(?:message|enum|service)\\s+${escape(parts[n])}\\s*\\{`, "m");
    const declaresPackage = new RegExp(`^package\\s+${escape(packageName)}\\s*;`, "m");
    for (const tree of trees) {
      const dir = path.join(tree, folder);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir).filter((f) => f.endsWith(".proto")).sort()) {
        const file = { importPath: `${folder}/${name}`, tree };
        const text = read(file);
        if (declaresPackage.test(text) && declaration.test(text)) return file;
      }
    }
  }
  return undefined;
}

export interface Closure {
  /** Every file needed, sorted by import path. */
  readonly files: ProtoFile[];
  /** Root names no file defines. */
  readonly undefinedRoots: string[];
  /** Imports found in no tree, as "importer -> import". */
  readonly missingImports: string[];
}

/**
 * The files defining `roots` and everything they import. Imports starting with `providedPrefix` are left to the
 * protobuf runtime (google/protobuf/* for protobufjs).
 */
export function protoClosure(trees: readonly string[], roots: readonly string[], providedPrefix: string): Closure {
  const undefinedRoots: string[] = [];
  const missingImports: string[] = [];
  const files = new Map<string, ProtoFile>();
  const pending: ProtoFile[] = [];
  const add = (file: ProtoFile) => {
    if (files.has(file.importPath)) return;
    files.set(file.importPath, file);
    pending.push(file);
  };
  for (const root of roots) {
    const file = definingFile(trees, root);
    if (file === undefined) undefinedRoots.push(root);
    else add(file);
  }
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const imported of importsOf(read(file))) {
      if (imported.startsWith(providedPrefix)) continue;
      const found = find(trees, imported);
      if (found === undefined) missingImports.push(`${file.importPath} -> ${imported}`);
      else add(found);
    }
  }
  const sorted = [...files.values()].sort((a, b) => (a.importPath < b.importPath ? -1 : 1));
  return { files: sorted, undefinedRoots, missingImports };
}

/** Every .proto file under `tree`, as import paths. */
export function protoFilesUnder(tree: string): string[] {
  if (!existsSync(tree)) return [];
  return (readdirSync(tree, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".proto"))
    .map((f) => f.split(path.sep).join("/"))
    .sort();
}

// Compiles the pass-through floor module (main.as), and other scratch entries (compileEntry: the HTTP/2 size probes
// of test/bench/http2.ts), with the same asc options as the protocol modules (asconfig.json, release target), through
// the assemblyscript JS API; cached in the OS temp dir by the hash of every source it uses.
// The framework (assembly/, asconfig.json) is read from the working tree, or from a git revision (`rev`) when the
// working tree is not the one build/*.wasm was made from (for example while someone is half-way through an edit).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SOURCE = fileURLToPath(new URL("./main.as", import.meta.url));
/** The entry file as asc sees it: main.as is served under this name. */
const ENTRY = "test/bench/passthrough/main.ts";

/** The framework's files (paths relative to the repository), from the working tree or from `rev`. */
function frameworkFiles(rev: string | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (rev === undefined) {
    for (const path of [...walk(join(ROOT, "assembly")), join(ROOT, "asconfig.json")]) files.set(relative(ROOT, path), readFileSync(path, "utf8"));
    return files;
  }
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  for (const path of git("ls-tree", "-r", "--name-only", rev, "assembly", "asconfig.json").split("\n").filter(Boolean)) {
    files.set(path, git("show", `${rev}:${path}`));
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The path of the compiled module (release options), compiling it when its sources changed. */
export async function passThroughModule(rev?: string): Promise<string> {
  return compileEntry(ENTRY, readFileSync(SOURCE, "utf8"), "passthrough", rev);
}

/**
 * Compiles `source`, served to asc as the repository file `entry`, with the modules' release options, against the
 * framework (assembly/, asconfig.json) of the working tree or of `rev`; other files (filters/, ...) come from the
 * working tree, and those under `readsFrom` count in the cache key. Cached in the OS temp dir as `<name>-<hash>.wasm`.
 */
export async function compileEntry(entry: string, source: string, name: string, rev?: string, readsFrom: readonly string[] = []): Promise<string> {
  const framework = frameworkFiles(rev);
  const hash = createHash("sha256").update(source);
  for (const path of [...framework.keys()].sort()) hash.update(path).update(framework.get(path)!);
  for (const path of readsFrom.flatMap((dir) => walk(join(ROOT, dir))).sort()) hash.update(path).update(readFileSync(path));
  const dir = join(tmpdir(), "wasm-metaprotocol-bench");
  const out = join(dir, `${name}-${hash.digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const { default: asc } = await import("assemblyscript/asc");
  const partial = `${out}.${process.pid}`;
  const stderr: string[] = [];
  const result = await asc.main([entry, "--config", "asconfig.json", "--target", "release", "-o", partial], {
    readFile: (filename: string, baseDir: string) => {
      const path = relative(ROOT, resolve(ROOT, baseDir, filename));
      if (path === entry) return source;
      if (path === "asconfig.json" || path.startsWith("assembly/")) return framework.get(path) ?? null;
      try {
        return readFileSync(join(ROOT, path), "utf8");
      } catch {
        return null;
      }
    },
    writeFile: (filename: string, contents: Uint8Array | string, baseDir: string) => {
      writeFileSync(resolve(ROOT, baseDir, filename), contents);
    },
    stdout: { write: () => true } as never,
    stderr: { write: (text: string) => (stderr.push(String(text)), true) } as never,
  });
  if (result.error) throw new Error(`asc failed on ${entry} (framework ${rev ?? "working tree"}): ${result.error.message}\n${stderr.join("")}`);
  renameSync(partial, out);
  return out;
}

/** The working tree's framework, or HEAD's when the working tree does not compile (someone is half-way through). */
export async function passThroughModuleOrHead(): Promise<{ path: string; source: string }> {
  try {
    return { path: await passThroughModule(), source: "assembly/ in the working tree" };
  } catch (error) {
    return { path: await passThroughModule("HEAD"), source: `assembly/ at HEAD (the working tree did not compile: ${(error as Error).message.split("\n")[0]})` };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(await passThroughModule(process.argv[2]));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

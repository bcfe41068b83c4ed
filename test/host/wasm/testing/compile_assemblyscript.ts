// Compiles AssemblyScript test modules (probes) in memory with the assemblyscript compiler API, caching the
// binaries in the OS temp dir by source hash so that repeated test runs skip the compiler.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CACHE_DIR = join(tmpdir(), "wasm-host-probes");

const OPTIONS = {
  runtime: "stub",
  exportStart: "_initialize",
  optimizeLevel: 0,
  noAssert: false,
} as const;

export interface CompiledModule {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * `source` is one AssemblyScript file. Its `abort` (if any) is `env.abort` unless the source says otherwise with a
 * `// use: abort=<file>/<function>` first line (asc's --use).
 */
export async function compileAssemblyScript(source: string): Promise<CompiledModule> {
  const key = createHash("sha256").update(source).update(JSON.stringify(OPTIONS)).digest("hex").slice(0, 16);
  const path = join(CACHE_DIR, `${key}.wasm`);
  try {
    return { path, bytes: readFileSync(path) };
  } catch {
    // not compiled yet
  }
  const use = /^\/\/ use: (\S+)/.exec(source)?.[1];
  const { default: asc } = await import("assemblyscript/asc"); // heavy (binaryen): loaded only on a cache miss
  const result = await asc.compileString({ "probe.ts": source }, { ...OPTIONS, ...(use ? { use: [use] } : {}) });
  if (result.error || !result.binary) throw new Error(`asc failed: ${result.error}\n${result.stderr.toString()}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, result.binary);
  renameSync(partial, path); // test files compile in parallel processes: never expose a half-written file
  return { path, bytes: result.binary };
}

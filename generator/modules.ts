// The filter modules the package ships: build/<protocol>.wasm next to generator/. They are the built-in protocols
// (a new filters/<protocol>/ folder becomes one once `make build` has built it: no list to edit), and the modules
// the generator checks plugin configurations with.
import { existsSync, readdirSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's build/ folder (the repository's, when run from a checkout). */
export const SHIPPED_MODULES_DIR = fileURLToPath(new URL("../build/", import.meta.url));

const MODULE_FILE = /^([a-z][a-z0-9_]*)\.wasm$/;

/** The protocols whose module the package ships, sorted. */
export function builtInProtocols(): string[] {
  if (!existsSync(SHIPPED_MODULES_DIR)) return [];
  return readdirSync(SHIPPED_MODULES_DIR)
    .map((file) => MODULE_FILE.exec(file)?.[1])
    .filter((protocol): protocol is string => protocol !== undefined)
    .sort();
}

export function isBuiltIn(protocol: string): boolean {
  return builtInProtocols().includes(protocol);
}

/** The shipped module of a built-in protocol, as an absolute path. */
export function shippedModule(protocol: string): string {
  return resolve(SHIPPED_MODULES_DIR, `${protocol}.wasm`);
}

/**
 * The shipped module as a path relative to the working directory (where a plain Envoy started here finds it):
 * `build/<protocol>.wasm` in a checkout, `node_modules/meta-protocol-wasm/build/<protocol>.wasm` in a project that
 * installed the package.
 */
export function shippedModuleFromHere(protocol: string): string {
  return relative(process.cwd(), shippedModule(protocol));
}

/** The built-in protocol `protocol` is most likely a typo of, if any. */
export function closestBuiltIn(protocol: string): string | undefined {
  return closestName(protocol, builtInProtocols());
}

/** The candidate closest to `name` if it is close enough to be meant (two edits at most, or one inside the other). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ candidate, distance }) => distance <= 2 || candidate.includes(name) || name.includes(candidate))
    .sort((a, b) => a.distance - b.distance)[0]?.candidate;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours ("dubob")
 * each count one.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

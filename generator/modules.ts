// The filter modules the package ships: build/<protocol>.wasm next to generator/. They are the built-in protocols
// (a new filters/<protocol>/ folder becomes one once `make build` has built it: no list to edit), and the modules
// the generator checks plugin configurations with.
import { existsSync, readdirSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { editDistance } from "./edit_distance.ts";

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

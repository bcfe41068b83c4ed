// Would a stock Envoy load this module? The checks Envoy's loader (proxy-wasm-cpp-host) makes, plus one it does
// not make but that hides real bugs: an export named like a proxy-wasm callback that Envoy never calls (a misnamed
// callback is silently dead code in Envoy).
import { ABI_VERSION_EXPORTS, type AbiVersion, HOST_FUNCTIONS, MODULE_EXPORTS, type Signature } from "./envoy_abi.ts";
import { editDistance } from "../../../generator/edit_distance.ts";
import { type ModuleInterface, readModuleInterface } from "./module_interface.ts";

/** The problems that keep Envoy from loading the module (or from ever calling part of it); empty when none. */
export function checkModule(bytes: Uint8Array): string[] {
  if (!WebAssembly.validate(new Uint8Array(bytes))) return ["not a valid WebAssembly module"];
  const module = readModuleInterface(bytes);
  const abi = declaredAbi(module);
  if (abi === undefined) {
    return ["no proxy_abi_version_0_2_0 or proxy_abi_version_0_2_1 export (Envoy: Missing or unknown Proxy-Wasm ABI version)"];
  }
  if (abi === "0.1.0") return ["ABI 0.1.0 (proxy_abi_version_0_1_0) is not served by this host"];
  return [...importProblems(module, abi), ...exportProblems(module)];
}

/** The ABI a module that passed checkModule declares. */
export function abiVersionOf(bytes: Uint8Array): AbiVersion {
  return declaredAbi(readModuleInterface(bytes)) as AbiVersion;
}

function declaredAbi(module: ModuleInterface): AbiVersion | "0.1.0" | undefined {
  let abi: AbiVersion | "0.1.0" | undefined;
  for (const e of module.exports) abi = ABI_VERSION_EXPORTS[e.name] ?? abi;
  return abi;
}

function importProblems(module: ModuleInterface, abi: AbiVersion): string[] {
  const problems: string[] = [];
  for (const imported of module.imports) {
    const name = `${imported.module}.${imported.name}`;
    if (imported.kind === "memory") {
      problems.push(`imports its memory (${name}); this host needs the module to define and export it`);
      continue;
    }
    if (imported.kind !== "function") {
      problems.push(`imports ${imported.kind} ${name}; Envoy links functions only (missing import: ${name})`);
      continue;
    }
    const provided = HOST_FUNCTIONS.find((f) => f.module === imported.module && f.name === imported.name);
    if (!provided || !provided.abi.includes(abi)) {
      const only = provided ? ` (Envoy provides it for ABI ${provided.abi.join(", ")} only)` : "";
      problems.push(`import ${name} is not provided by Envoy for ABI ${abi}${only}: missing import`);
    } else if (!sameSignature(imported.signature!, provided)) {
      problems.push(
        `import ${name} has type ${formatSignature(imported.signature!)} but Envoy provides ${formatSignature(provided)}`,
      );
    }
  }
  return problems;
}

function exportProblems(module: ModuleInterface): string[] {
  const problems: string[] = [];
  const names = new Set(module.exports.map((e) => e.name));
  if (!names.has("memory")) problems.push("no `memory` export");
  if (!names.has("malloc") && !names.has("proxy_on_memory_allocate")) {
    problems.push("no `malloc` or `proxy_on_memory_allocate` export (Envoy: Wasm module is missing malloc function)");
  }
  for (const exported of module.exports) {
    const expected = MODULE_EXPORTS[exported.name];
    if (expected && (exported.kind !== "function" || !sameSignature(exported.signature!, expected))) {
      const actual = exported.signature ? formatSignature(exported.signature) : exported.kind;
      problems.push(`export ${exported.name} is ${actual} but Envoy calls it as ${formatSignature(expected)}`);
    } else if (!expected && looksLikeCallback(exported.name)) {
      problems.push(`export ${exported.name} is never called by Envoy (did you mean ${closestCallback(exported.name)}?)`);
    }
  }
  return problems;
}

function looksLikeCallback(name: string): boolean {
  return name.startsWith("proxy_") && !(name in ABI_VERSION_EXPORTS);
}

function closestCallback(name: string): string {
  const candidates = Object.keys(MODULE_EXPORTS).filter((n) => n.startsWith("proxy_"));
  return candidates.reduce((best, c) => (editDistance(name, c) < editDistance(name, best) ? c : best));
}

function sameSignature(a: Signature, b: Signature): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

function formatSignature(s: Signature): string {
  return `(${s.params.join(", ")}) -> (${s.results.join(", ")})`;
}

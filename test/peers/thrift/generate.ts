// Generates the Thrift peers' code from demo.thrift at test time, with the system Thrift compiler (Debian
// thrift-compiler 0.17): Node (`js:node,es6`) into build/thrift-gen/js and Python into build/thrift-gen/py. Nothing
// generated is committed. Regeneration is skipped when the IDL and the compiler version are those of the last run.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const IDL_PATH = fileURLToPath(new URL("./demo.thrift", import.meta.url));
const REPO_ROOT = path.resolve(path.dirname(IDL_PATH), "../../..");
export const GEN_DIR = path.join(REPO_ROOT, "build", "thrift-gen");

export interface GeneratedCode {
  /** Folder of Calculator.js, Echo.js and demo_types.js (CommonJS). */
  readonly jsDir: string;
  /** Folder to put on Python's sys.path: it holds the `demo` package. */
  readonly pyDir: string;
}

export function thriftCompiler(): string {
  return process.env.THRIFT_BIN ?? "thrift";
}

/** Generates the code unless build/thrift-gen already holds code from this IDL and this compiler. */
export function generateThriftCode(): GeneratedCode {
  const result = { jsDir: path.join(GEN_DIR, "js"), pyDir: path.join(GEN_DIR, "py") };
  let version: string;
  try {
    version = execFileSync(thriftCompiler(), ["--version"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new Error(`the Thrift compiler is missing (apt-get install thrift-compiler): ${(error as Error).message}`);
  }
  const stamp = createHash("sha256").update(version).update("\0").update(readFileSync(IDL_PATH)).digest("hex");
  const stampPath = path.join(GEN_DIR, "stamp");
  if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) return result;

  // Generate into a fresh folder and swap it in, so a concurrent reader never sees half-written code.
  mkdirSync(path.dirname(GEN_DIR), { recursive: true });
  const staging = `${GEN_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, "js"), { recursive: true });
  mkdirSync(path.join(staging, "py"), { recursive: true });
  execFileSync(thriftCompiler(), ["--gen", "js:node,es6", "-out", path.join(staging, "js"), IDL_PATH], { stdio: "pipe" });
  execFileSync(thriftCompiler(), ["--gen", "py", "-out", path.join(staging, "py"), IDL_PATH], { stdio: "pipe" });
  writeFileSync(path.join(staging, "stamp"), stamp);
  const old = `${GEN_DIR}.old-${process.pid}`;
  if (existsSync(GEN_DIR)) renameSync(GEN_DIR, old);
  renameSync(staging, GEN_DIR);
  rmSync(old, { recursive: true, force: true });
  return result;
}

/** The generated Node modules (CommonJS, loaded with require; they require 'thrift' from the repository's node_modules). */
export interface GeneratedModules {
  readonly Calculator: any;
  readonly Echo: any;
  readonly types: any;
}

let loaded: GeneratedModules | undefined;

export function loadGeneratedModules(): GeneratedModules {
  if (loaded === undefined) {
    const { jsDir } = generateThriftCode();
    const require = createRequire(path.join(jsDir, "index.js"));
    loaded = {
      Calculator: require("./Calculator.js"),
      Echo: require("./Echo.js"),
      types: require("./demo_types.js"),
    };
  }
  return loaded;
}

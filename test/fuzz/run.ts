// `make fuzz`: fuzz every module for a bounded time with deterministic seeds; exits non-zero on a trap, unbounded
// memory, or a failed check.
//
//   node --import tsx test/fuzz/run.ts [--seconds N] [--seed S] [--modules awesomerpc,dubbo,thrift,http2,bridge] [--release]
//   node --import tsx test/fuzz/run.ts --replay test/fuzz/findings/<module>-<seed>.hex
//
// http2 is the HTTP/2 and HPACK library (build/test/http2_harness.wasm: test/fuzz/http2_fuzzer.ts), fuzzed beside
// the filter modules with the same budget share. bridge is bridge mode's two sides (test/fuzz/bridge_fuzzer.ts), each
// protocol module as a client-side and a server-side plugin, its share split equally among the three modules.
//
// --seconds: the total budget, shared equally by the modules (default 60, which fits CI; give more on demand).
// --seed: the run's seed (default 1); each case derives its own seed from it, the module and its index, so a run
// with the same seed, budget and machine speed replays the same cases (a slower machine runs a prefix of them).
// --release fuzzes build/<module>.wasm instead of the debug builds (which are also fuzzed instead of a debug build
// that does not start, with a warning). --build-dir takes the modules from another build directory.
import { readFileSync } from "node:fs";
import { MODULES, type ModuleName } from "./corpus.ts";
import { ModuleFuzzer, replay, type FuzzCounts } from "./harness.ts";
import { BridgeFuzzer } from "./bridge_fuzzer.ts";
import { Http2Fuzzer, replayHttp2 } from "./http2_fuzzer.ts";

type Fuzzed = ModuleName | "http2" | "bridge";
const FUZZED: readonly Fuzzed[] = [...MODULES, "http2", "bridge"];

/** What summarize prints of a fuzzing run (the modules' FuzzStats and the HTTP/2 library's Http2FuzzStats). */
export interface FuzzSummary extends FuzzCounts {
  readonly module: string;
  readonly findings: readonly { readonly config: { readonly name: string }; readonly seed: number; readonly kind: string; readonly message: string; readonly file?: string }[];
}

interface Options {
  seconds: number;
  seed: number;
  modules: Fuzzed[];
  release: boolean;
  buildDir: string;
  replay?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { seconds: 60, seed: 1, modules: [...FUZZED], release: false, buildDir: "build" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--seconds") options.seconds = Number(argv[++i]);
    else if (arg === "--seed") options.seed = Number(argv[++i]) >>> 0;
    else if (arg === "--modules") options.modules = argv[++i].split(",") as Fuzzed[];
    else if (arg === "--release") options.release = true;
    else if (arg === "--replay") options.replay = argv[++i];
    else if (arg === "--build-dir") options.buildDir = argv[++i];
    else throw new Error(`unknown argument ${arg} (see the top of test/fuzz/run.ts)`);
  }
  if (!(options.seconds > 0)) throw new Error("--seconds takes a positive number");
  for (const m of options.modules) if (!FUZZED.includes(m)) throw new Error(`unknown module ${m}`);
  return options;
}

export function summarize(all: readonly FuzzSummary[]): string[] {
  const lines: string[] = [];
  const header = ["module", "cases", "split inputs", "inputs", "traps", "closed (bad input)", "canaries", "max memory", "sequences split"];
  const rows = all.map((s) => [
    s.module,
    String(s.cases),
    String(s.splitInputs),
    String(s.cases + s.splitInputs),
    String(s.traps),
    String(s.closes),
    String(s.canaries),
    `${(s.maxMemoryBytes / 1024).toFixed(0)} KiB`,
    String(s.splitSequences),
  ]);
  const total = ["total", ...[1, 2, 3, 4, 5, 6].map((i) => String(rows.reduce((sum, r) => sum + Number(r[i]), 0))), "", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, total].map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  lines.push(line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), line(total));
  for (const s of all) {
    for (const f of s.findings) lines.push(`FINDING ${s.module} [${f.config.name}] seed ${f.seed} (${f.kind}): ${f.message}${f.file ? `\n  input: ${f.file}` : ""}`);
    for (const a of s.anomalies) lines.push(`CHECK FAILED ${s.module}: ${a}`);
    for (const r of s.rejectedPairs) lines.push(`note: ${s.module} closes on the well-formed corpus pair ${r}`);
  }
  return lines;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (options.replay) {
    const text = readFileSync(options.replay, "utf8");
    const result = /^# module: http2$/m.test(text) ? await replayHttp2(text) : await replay(text);
    console.log(result.log.join("\n"));
    console.log(`\ntrapped: ${result.trapped}; connection closed by the filter: ${result.closed}`);
    for (const e of result.errors) console.log(`error: ${e}`);
    return result.trapped ? 1 : 0;
  }
  const perModule = options.seconds / options.modules.length;
  console.log(`make fuzz: seed ${options.seed}, ${options.seconds} s over ${options.modules.join(", ")} (${perModule.toFixed(1)} s each), ${options.release ? "release" : "debug"} builds`);
  const all: FuzzSummary[] = [];
  const builds = { release: options.release, buildDir: options.buildDir };
  const fuzzers = options.modules.flatMap((module): (() => Promise<FuzzSummary>)[] =>
    module === "http2"
      ? [() => new Http2Fuzzer({ seed: options.seed, seconds: perModule }).run()]
      : module === "bridge"
        ? MODULES.map((m) => () => new BridgeFuzzer(m, { seed: options.seed, seconds: perModule / MODULES.length, ...builds }).run())
        : [() => new ModuleFuzzer(module, { seed: options.seed, seconds: perModule, ...builds }).run()],
  );
  for (const fuzz of fuzzers) {
    const started = Date.now();
    const stats = await fuzz();
    for (const note of stats.notes) console.log(`WARNING ${stats.module}: ${note}`);
    console.log(`${stats.module} (${stats.wasmPath}): ${stats.cases + stats.splitInputs} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${stats.traps} traps`);
    all.push(stats);
  }
  console.log("");
  for (const line of summarize(all)) console.log(line);
  const failed = all.some((s) => s.findings.length > 0 || s.anomalies.length > 0);
  console.log(failed ? "\nFAILED: see the findings and failed checks above" : "\nno trap, memory bounded, every check passed");
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exit(await main());
  } catch (error) {
    console.error(`fuzz failed: ${(error as Error).stack ?? error}`);
    process.exit(2);
  }
}

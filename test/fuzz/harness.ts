// The fuzzing harness: feeds one module (build/debug/<module>.wasm by default: assertions on, readable traps) what
// corpus.ts gives, mutated, cut, spliced and split, in both directions, on fresh and reused connections, and checks
// after every input that
//   - the VM did not trap (the plugin's trapCount stays 0),
//   - its linear memory stays under MEMORY_LIMIT,
//   - after a connection was closed for bad input, a well-formed exchange on a new connection still decodes (its
//     counters move and its access log line is written),
// and, in the split pass, that cutting a well-formed sequence at any byte gives exactly what it gives whole.
// A trap (or unbounded memory) is a finding: the input is written as hex to test/fuzz/findings/<module>-<seed>.hex,
// where <seed> is the case's own seed, and `run.ts --replay <file>` plays it again.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConnectionEvent, LogLevel } from "../host/api.ts";
import { DrivenPlugin, type DrivenConnection } from "../bench/driver.ts";
import { corpus, type FuzzConfig, type ModuleCorpus, type ModuleName, type Pair, type Sequence } from "./corpus.ts";
import { chunks, mutate, splice } from "./mutate.ts";
import { caseSeed, Prng } from "./prng.ts";

export const MEMORY_LIMIT = 16 * 1024 * 1024;
export const FINDINGS_DIR = new URL("./findings/", import.meta.url).pathname;

/** One delivery to the filter: downstream (client to server) or upstream data, possibly with end of stream. */
export interface Step {
  readonly dir: "down" | "up";
  readonly bytes: Buffer;
  readonly end?: boolean;
}

export interface Finding {
  readonly module: ModuleName;
  readonly config: FuzzConfig;
  readonly seed: number;
  readonly kind: string;
  readonly wasmPath: string;
  /** What went wrong: the trap message, the memory size, or the check that failed. */
  readonly message: string;
  /** Every step the connection got, from its start. */
  readonly steps: readonly Step[];
  /** What the findings file is named after when not the module alone (the bridge target: `bridge-<module>`). */
  readonly target?: string;
  file?: string;
}

/** What a fuzzing run counts, whatever it fuzzed (the modules here, the HTTP/2 library in http2_fuzzer.ts). */
export interface FuzzCounts {
  /** Random cases (mutated, random, truncated, spliced, sequences). */
  cases: number;
  /** Inputs of the split pass (every byte boundary, one byte at a time, fresh and reused connections). */
  splitInputs: number;
  /** Sequences split, per configuration (those well-formed under it). */
  splitSequences: number;
  traps: number;
  /** Connections closed for bad input (each followed by a well-formed exchange on a new connection). */
  closes: number;
  canaries: number;
  maxMemoryBytes: number;
  /** Checks that failed without a trap (a split that changed the outcome, a canary that did not decode, ...). */
  readonly anomalies: string[];
  /** Well-formed corpus inputs the target does not accept as such (reported, not fuzzed differently). */
  readonly rejectedPairs: string[];
  /** The module fuzzed, and why it is not the debug build when it is not. */
  wasmPath: string;
  readonly notes: string[];
}

export interface FuzzStats extends FuzzCounts {
  readonly module: ModuleName;
  readonly findings: Finding[];
}

export interface FuzzOptions {
  readonly seed: number;
  /**
   * Wall-clock budget for this module, split pass included. The split pass always completes, and random cases run
   * for at least a quarter of the budget after it.
   */
  readonly seconds: number;
  /** Where build/<module>.wasm and build/debug/<module>.wasm are (default "build"). */
  readonly buildDir?: string;
  /** Fuzz the release build instead of the debug one. */
  readonly release?: boolean;
  /** Another module than build/.../<module>.wasm, fed the module's corpus (the harness's self-test). */
  readonly wasmPath?: string;
  /** The protocol name in that module's metric names. */
  readonly protocol?: string;
  /** Other configurations than the corpus's. */
  readonly configs?: readonly FuzzConfig[];
  /** Write findings (default true), to `findingsDir` (default FINDINGS_DIR). */
  readonly writeFindings?: boolean;
  readonly findingsDir?: string;
  /** Skip the split pass (for short runs that only want random cases). */
  readonly skipSplits?: boolean;
  /** Random cases to run at least, however long they take (a deterministic floor on a loaded machine). */
  readonly minCases?: number;
}

const COUNTERS = [
  "request",
  "response",
  "response_success",
  "response_error",
  "request_decoding_error",
  "response_decoding_error",
  "response_unmatched",
  "request_untracked",
  "mutation_unsupported",
  "cx_incomplete_frame_at_close",
];

interface Target {
  readonly config: FuzzConfig;
  plugin: DrivenPlugin;
  reused?: { connection: DrivenConnection; steps: Step[]; cases: number };
}

interface Outcome {
  readonly closed: boolean;
  readonly counters: Record<string, number>;
  readonly accessLines: number;
  readonly forwarded: Buffer;
  readonly delivered: Buffer;
}

export class ModuleFuzzer {
  readonly stats: FuzzStats;
  private corpus: ModuleCorpus;
  private wasmPath: string;
  private targets: Target[] = [];

  constructor(
    readonly module: ModuleName,
    private readonly options: FuzzOptions,
  ) {
    this.corpus = corpus(module);
    const dir = options.buildDir ?? "build";
    this.wasmPath = options.wasmPath ?? (options.release ? `${dir}/${module}.wasm` : `${dir}/debug/${module}.wasm`);
    if (options.configs) this.corpus = { ...this.corpus, configs: options.configs };
    this.stats = { module, cases: 0, splitInputs: 0, splitSequences: 0, traps: 0, closes: 0, canaries: 0, maxMemoryBytes: 0, findings: [], anomalies: [], rejectedPairs: [], wasmPath: this.wasmPath, notes: [] };
  }

  private async loadAll(): Promise<Target[]> {
    const targets: Target[] = [];
    for (const config of this.corpus.configs) targets.push({ config, plugin: await this.load(config) });
    return targets;
  }

  private load(config: FuzzConfig): Promise<DrivenPlugin> {
    return DrivenPlugin.load({ wasmPath: this.wasmPath, protocol: this.options.protocol ?? this.module, configuration: JSON.stringify(config.json), logLevel: LogLevel.Info });
  }

  async run(): Promise<FuzzStats> {
    const deadline = Date.now() + this.options.seconds * 1000;
    try {
      this.targets = await this.loadAll();
    } catch (error) {
      if (this.options.release || this.options.wasmPath) throw error;
      // A debug build that cannot even start is a problem of its own (reported); the release build is fuzzed instead.
      const release = `${this.options.buildDir ?? "build"}/${this.module}.wasm`;
      this.stats.notes.push(`${this.wasmPath} does not start (${(error as Error).message.split("\n")[0]}): fuzzing ${release} instead`);
      this.wasmPath = this.stats.wasmPath = release;
      this.targets = await this.loadAll();
    }
    try {
      await this.checkPairs();
      if (!this.options.skipSplits) await this.splitPass();
      // Random cases get what is left, and at least a quarter of the budget however long the split pass took.
      const end = Math.max(deadline, Date.now() + this.options.seconds * 250);
      const minCases = this.options.minCases ?? 0;
      for (let index = 0; Date.now() < end || index < minCases; index++) await this.randomCase(index);
    } finally {
      for (const t of this.targets) {
        t.reused?.connection.closeRemote();
        await t.plugin.close();
      }
    }
    return this.stats;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Feeding and checking

  /** Runs `steps` on `c` until the filter closes it; returns the steps that were delivered. */
  private feed(c: DrivenConnection, steps: readonly Step[]): Step[] {
    const delivered: Step[] = [];
    for (const step of steps) {
      if (c.closed) break;
      delivered.push(step);
      if (step.dir === "down") c.send(step.bytes, step.end ?? false);
      else c.receiveBytes(step.bytes, step.end ?? false);
    }
    return delivered;
  }

  /** After an input: trap, memory, and (when the filter closed the connection) the canary on a new connection. */
  private async check(t: Target, seed: number, kind: string, c: DrivenConnection, history: Step[]): Promise<boolean> {
    const memory = t.plugin.memoryBytes();
    this.stats.maxMemoryBytes = Math.max(this.stats.maxMemoryBytes, memory);
    if (t.plugin.trapCount > 0) {
      this.stats.traps++;
      await this.record(t, seed, kind, `trap: ${t.plugin.errors.join(" | ") || t.plugin.recent.slice(-3).join(" | ")}`, history);
      return false;
    }
    if (memory > MEMORY_LIMIT) {
      await this.record(t, seed, kind, `linear memory ${memory} bytes > ${MEMORY_LIMIT}`, history);
      return false;
    }
    if (c.closed) {
      this.stats.closes++;
      c.event(ConnectionEvent.LocalClose); // what Envoy does once the filter has closed the connection
      const problem = this.canary(t);
      if (problem !== undefined) {
        if (t.plugin.trapCount > 0) {
          this.stats.traps++;
          await this.record(t, seed, `${kind}, then the canary`, `trap: ${t.plugin.errors.join(" | ")}`, history);
          return false;
        }
        this.anomaly(`${t.config.name}, case seed ${seed} (${kind}): after the close, ${problem}`);
      }
    }
    return true;
  }

  /** A well-formed exchange on a new connection; undefined when it decoded as it should. */
  private canary(t: Target): string | undefined {
    this.stats.canaries++;
    const { request, response } = t.config.canary;
    const before = this.snapshot(t.plugin);
    const c = t.plugin.connect();
    c.start();
    c.send(request);
    c.receiveBytes(response);
    const closed = c.closed;
    c.closeRemote();
    const delta = this.delta(t.plugin, before);
    if (closed) return "the canary's connection was closed";
    if (delta.counters.request !== 1 || delta.counters.response !== 1) return `the canary counted request +${delta.counters.request}, response +${delta.counters.response}`;
    if (delta.accessLines !== 1) return `the canary wrote ${delta.accessLines} access log lines`;
    return undefined;
  }

  private snapshot(p: DrivenPlugin): { counters: Record<string, number>; accessLines: number } {
    return { counters: Object.fromEntries(COUNTERS.map((name) => [name, p.counter(name)])), accessLines: p.accessLines };
  }

  private delta(p: DrivenPlugin, before: { counters: Record<string, number>; accessLines: number }): { counters: Record<string, number>; accessLines: number } {
    const now = this.snapshot(p);
    return {
      counters: Object.fromEntries(COUNTERS.map((name) => [name, now.counters[name] - before.counters[name]])),
      accessLines: now.accessLines - before.accessLines,
    };
  }

  private anomaly(text: string): void {
    if (this.stats.anomalies.length < 50) this.stats.anomalies.push(text);
  }

  private async record(t: Target, seed: number, kind: string, message: string, steps: readonly Step[]): Promise<void> {
    const finding: Finding = { module: this.module, config: t.config, seed, kind, wasmPath: this.wasmPath, message, steps: [...steps] };
    if (this.options.writeFindings !== false) finding.file = writeFinding(finding, this.options.findingsDir);
    this.stats.findings.push(finding);
    // The VM is gone (Envoy would fail every connection of this plugin): start a new one and go on.
    t.reused = undefined;
    await t.plugin.close();
    t.plugin = await this.load(t.config);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Every corpus pair alone, whole: a module that closes on one is reported (the corpus is real peers' traffic).

  private async checkPairs(): Promise<void> {
    const t = this.targets[0];
    for (const pair of this.corpus.pairs) {
      const c = t.plugin.connect();
      c.start();
      const history = this.feed(c, [{ dir: "down", bytes: pair.request }, ...(pair.response.length > 0 ? [{ dir: "up" as const, bytes: pair.response }] : [])]);
      if (c.closed) this.stats.rejectedPairs.push(`${pair.name}: ${t.plugin.recent.at(-1) ?? "closed"}`);
      if (!(await this.check(t, 0, `corpus pair ${pair.name}`, c, history))) continue;
      if (!c.closed) c.closeRemote();
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Split pass: every byte boundary of every sequence, both directions, fresh and reused connections; one byte at a
  // time. Each must give what the whole sequence gives.

  private exchange(p: DrivenPlugin, c: DrivenConnection, requests: Buffer[], responses: Buffer[]): Outcome {
    const before = this.snapshot(p);
    c.keep = true;
    c.forwarded.length = 0;
    c.delivered.length = 0;
    for (const piece of requests) if (!c.closed) c.send(piece);
    for (const piece of responses) if (!c.closed) c.receiveBytes(piece);
    const delta = this.delta(p, before);
    return { closed: c.closed, counters: delta.counters, accessLines: delta.accessLines, forwarded: c.forwardedBytes(), delivered: c.deliveredBytes() };
  }

  private differs(a: Outcome, b: Outcome): string | undefined {
    if (a.closed !== b.closed) return `closed ${b.closed} instead of ${a.closed}`;
    for (const name of COUNTERS) if (a.counters[name] !== b.counters[name]) return `${name} +${b.counters[name]} instead of +${a.counters[name]}`;
    if (a.accessLines !== b.accessLines) return `${b.accessLines} access log lines instead of ${a.accessLines}`;
    if (!a.forwarded.equals(b.forwarded)) return "different bytes forwarded upstream";
    if (!a.delivered.equals(b.delivered)) return "different bytes delivered downstream";
    return undefined;
  }

  private async splitPass(): Promise<void> {
    for (const t of this.targets) {
      for (const seq of this.corpus.sequences) await this.splitSequence(t, seq);
    }
  }

  private async splitSequence(t: Target, seq: Sequence): Promise<void> {
    const whole = (() => {
      const c = t.plugin.connect();
      c.start();
      const outcome = this.exchange(t.plugin, c, [seq.requests], [seq.responses]);
      if (!outcome.closed) c.closeRemote();
      return outcome;
    })();
    if (whole.closed || t.plugin.trapCount > 0) {
      if (t.plugin.trapCount > 0) {
        this.stats.traps++;
        await this.record(t, 0, `split baseline ${seq.name}`, `trap: ${t.plugin.errors.join(" | ")}`, [{ dir: "down", bytes: seq.requests }, { dir: "up", bytes: seq.responses }]);
      }
      return; // not a well-formed sequence for this configuration (for example another Thrift transport)
    }
    this.stats.splitSequences++;
    const cuts = (bytes: Buffer) => Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const bytewise = (bytes: Buffer) => Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    const variants: { name: string; requests: Buffer[]; responses: Buffer[] }[] = [
      ...cuts(seq.requests).map((i) => ({ name: `requests cut at ${i}`, requests: [seq.requests.subarray(0, i), seq.requests.subarray(i)], responses: [seq.responses] })),
      ...cuts(seq.responses).map((i) => ({ name: `responses cut at ${i}`, requests: [seq.requests], responses: [seq.responses.subarray(0, i), seq.responses.subarray(i)] })),
      { name: "one byte at a time", requests: bytewise(seq.requests), responses: bytewise(seq.responses) },
    ];
    const reused = t.plugin.connect();
    reused.start();
    for (const v of variants) {
      for (const fresh of [true, false]) {
        const c = fresh ? t.plugin.connect() : reused;
        if (fresh) c.start();
        const outcome = this.exchange(t.plugin, c, v.requests, v.responses);
        this.stats.splitInputs++;
        const history: Step[] = [...v.requests.map((bytes) => ({ dir: "down" as const, bytes })), ...v.responses.map((bytes) => ({ dir: "up" as const, bytes }))];
        if (!(await this.check(t, 0, `split: ${seq.name}, ${v.name}, ${fresh ? "fresh" : "reused"} connection`, c, history))) return;
        const problem = this.differs(whole, outcome);
        if (problem) this.anomaly(`${t.config.name}: ${seq.name}, ${v.name} (${fresh ? "fresh" : "reused"} connection): ${problem}`);
        if (fresh && !c.closed) c.closeRemote();
        if (!fresh && c.closed) return;
      }
    }
    reused.closeRemote();
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Random cases

  private async randomCase(index: number): Promise<void> {
    const seed = caseSeed(this.options.seed, this.module, index);
    const prng = new Prng(seed);
    const t = prng.pick(this.targets);
    const { kind, steps } = this.generate(prng);
    this.stats.cases++;

    let c: DrivenConnection;
    let history: Step[];
    const reuse = prng.chance(0.3);
    if (reuse) {
      if (!t.reused || t.reused.cases >= 40) {
        t.reused?.connection.closeRemote();
        const connection = t.plugin.connect();
        connection.start();
        t.reused = { connection, steps: [], cases: 0 };
      }
      c = t.reused.connection;
      t.reused.cases++;
      t.reused.steps.push(...this.feed(c, steps));
      history = t.reused.steps;
    } else {
      c = t.plugin.connect();
      c.start();
      history = this.feed(c, steps);
    }
    const ok = await this.check(t, seed, `${kind} (${reuse ? "reused" : "fresh"} connection)`, c, history);
    if (!ok) return;
    if (reuse) {
      if (c.closed) t.reused = undefined;
    } else if (!c.closed) {
      if (prng.chance(0.5)) c.closeRemote();
      else c.event(ConnectionEvent.LocalClose);
    }
  }

  private generate(prng: Prng): { kind: string; steps: Step[] } {
    const pairs = this.corpus.pairs;
    const pair = prng.pick(pairs);
    const upstream = pair.response.length > 0 && prng.chance(0.4);
    const frameOf = (p: Pair) => (upstream && p.response.length > 0 ? p.response : p.request);
    const dir = upstream ? ("up" as const) : ("down" as const);
    // Upstream cases start with the pair's request, so that the response has something to answer and Thrift's
    // connection has detected its transport from the client's bytes.
    const prelude: Step[] = upstream ? [{ dir: "down", bytes: pair.request }] : [];
    const { kind, bytes } = mutatedFrames(prng, this.corpus, pair, frameOf);
    const pieces = chunks(prng, bytes, prng.chance(0.3) ? 64 : 4);
    const steps: Step[] = [...prelude, ...pieces.map((piece) => ({ dir, bytes: piece }))];
    if (prng.chance(0.25)) steps.push({ dir, bytes: Buffer.alloc(0), end: true });
    return { kind: `${kind}, ${dir === "down" ? "downstream" : "upstream"}`, steps };
  }
}

/**
 * Frames of the corpus made malformed, one way picked at random: mutated (length field fixed or not), random bytes
 * after a frame start, truncated, spliced, or a sequence of frames some mutated. `frameOf` picks the frame of a pair
 * (its request or its response); `pair` is the one mutated.
 */
export function mutatedFrames(prng: Prng, corpus: ModuleCorpus, pair: Pair, frameOf: (p: Pair) => Buffer): { kind: string; bytes: Buffer } {
  const pairs = corpus.pairs;
  let kind: string;
  let bytes: Buffer;
  switch (prng.below(6)) {
    case 0:
    case 1: {
      const original = frameOf(pair);
      bytes = mutate(prng, original);
      const fixed = prng.chance(0.6);
      if (fixed) bytes = corpus.fixLength(bytes, original);
      kind = fixed ? "mutated frame, length fixed" : "mutated frame";
      break;
    }
    case 2:
      kind = "random bytes";
      bytes = Buffer.concat([prng.chance(0.7) ? prng.pick(corpus.prefixes) : Buffer.alloc(0), prng.bytes(prng.between(1, 300))]);
      break;
    case 3:
      kind = "truncated frame";
      bytes = frameOf(pair).subarray(0, prng.below(frameOf(pair).length));
      break;
    case 4:
      kind = "spliced frames";
      bytes = splice(prng, frameOf(pair), frameOf(prng.pick(pairs)));
      if (prng.chance(0.5)) bytes = mutate(prng, bytes, 2);
      break;
    default: {
      kind = "frame sequence";
      const frames: Buffer[] = [];
      for (let i = prng.between(2, 6); i > 0; i--) {
        const f = frameOf(prng.pick(pairs));
        frames.push(prng.chance(0.4) ? corpus.fixLength(mutate(prng, f, 3), f) : f);
      }
      bytes = Buffer.concat(frames);
    }
  }
  return { kind, bytes };
}

// --------------------------------------------------------------------------------------------------------------------
// Findings files

export function writeFinding(f: Finding, dir = FINDINGS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${f.target ?? f.module}-${f.seed}.hex`);
  const lines = [
    `# module: ${f.module}`,
    `# wasm: ${f.wasmPath}`,
    `# config: ${f.config.name}`,
    `# config-json: ${JSON.stringify(f.config.json)}`,
    `# case seed: ${f.seed}; kind: ${f.kind}`,
    `# ${f.message.replace(/\n/g, " ")}`,
    `# replay: node --import tsx test/fuzz/run.ts --replay ${path.includes("test/fuzz/") ? path.slice(path.indexOf("test/fuzz/")) : path}`,
    "# one line per delivery, in order: '>' downstream data (client to server), '<' upstream data; '|' = end of stream",
    ...f.steps.map((s) => `${s.dir === "down" ? ">" : "<"}${s.end ? "|" : ""} ${s.bytes.toString("hex")}`),
  ];
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

export function parseFinding(text: string): { module: ModuleName; wasmPath?: string; configJson: object; steps: Step[] } {
  const module = /^# module: (\S+)/m.exec(text)?.[1] as ModuleName | undefined;
  const wasmPath = /^# wasm: (\S+)/m.exec(text)?.[1];
  const json = /^# config-json: (.*)$/m.exec(text)?.[1];
  if (!module || json === undefined) throw new Error("not a findings file (no module or config-json line)");
  const steps: Step[] = [];
  for (const line of text.split("\n")) {
    const m = /^([<>])(\|?) ?([0-9a-f]*)$/.exec(line.trim());
    if (m) steps.push({ dir: m[1] === ">" ? "down" : "up", end: m[2] === "|", bytes: Buffer.from(m[3], "hex") });
  }
  return { module, wasmPath, configJson: JSON.parse(json), steps };
}

/** Plays a findings file on a fresh VM; returns what happened. */
export async function replay(text: string, wasmPath?: string): Promise<{ trapped: boolean; closed: boolean; errors: string[]; log: string[] }> {
  const finding = parseFinding(text);
  const { module, configJson, steps } = finding;
  const plugin = await DrivenPlugin.load({ wasmPath: wasmPath ?? finding.wasmPath ?? `build/debug/${module}.wasm`, protocol: module, configuration: JSON.stringify(configJson), logLevel: LogLevel.Debug, keepLogs: true });
  const c = plugin.connect();
  c.start();
  for (const s of steps) {
    if (c.closed) break;
    if (s.dir === "down") c.send(s.bytes, s.end ?? false);
    else c.receiveBytes(s.bytes, s.end ?? false);
  }
  const result = { trapped: plugin.trapCount > 0, closed: c.closed, errors: [...plugin.errors], log: [...plugin.lines] };
  if (!c.closed) c.closeRemote();
  await plugin.close();
  return result;
}

// Fuzzing the HTTP/2 library (build/test/http2_harness.wasm): its frame reader and connection in both roles, and
// its HPACK decoder, fed what Node sent (test/fuzz/http2_corpus.ts) mutated, truncated, spliced, reordered, and
// random bytes, cut at random; and, in the split pass, the conversation cut at every byte, which must give the same
// events and the same output as whole. After every input: no trap, linear memory under MEMORY_LIMIT; decoded
// header lists must survive an encode/decode round trip; after a connection the input broke, a clean conversation
// on a new connection must still give the baseline's events (the canary).
// A trap or a memory overrun is a finding, written to test/fuzz/findings/http2-<seed>.hex; `run.ts --replay` plays it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { splitFrames } from "../http2/wire.ts";
import { Http2Harness, HARNESS_PATH, type Http2Event, type Http2Limits } from "../http2/wasm_http2.ts";
import { FINDINGS_DIR, MEMORY_LIMIT, type FuzzCounts } from "./harness.ts";
import { captureHttp2Corpus, type Http2Corpus } from "./http2_corpus.ts";
import { chunks, mutate, splice } from "./mutate.ts";
import { caseSeed, Prng } from "./prng.ts";

export type Http2Target = "server" | "client" | "hpack";

interface LimitSet {
  readonly name: string;
  readonly limits: Http2Limits;
}

const LIMIT_SETS: readonly LimitSet[] = [
  { name: "default limits", limits: {} },
  {
    name: "tight limits",
    limits: {
      headerTableSize: 256,
      maxHeaderListSize: 1024,
      maxHeaderBlockSize: 2048,
      maxContinuations: 2,
      maxConcurrentStreams: 2,
      initialWindowSize: 1000,
      maxQueuedBytes: 4096,
      encoderTableSize: 256,
      rejectSurroundingWhitespace: true,
    },
  },
];

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const EMPTY_SETTINGS = Buffer.from("000000040000000000", "hex");
/** The request each replaying client opens per captured stream (what it sends does not matter to the server's bytes). */
const REQUEST: [string, string][] = [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "fuzz"]];

export interface Http2Finding {
  readonly config: { readonly name: string };
  readonly seed: number;
  readonly kind: string;
  readonly message: string;
  readonly target: Http2Target;
  readonly limits: Http2Limits;
  readonly requests: number;
  readonly steps: readonly Buffer[];
  file?: string;
}

export interface Http2FuzzStats extends FuzzCounts {
  readonly module: "http2";
  readonly findings: Http2Finding[];
}

export interface Http2FuzzOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly wasmPath?: string;
  readonly writeFindings?: boolean;
  readonly findingsDir?: string;
  readonly skipSplits?: boolean;
  readonly minCases?: number;
}

/** What one input gave: events (DATA of a stream joined), the output, whether the connection failed. */
interface Played {
  readonly events: string;
  readonly output: Buffer;
  readonly failed: boolean;
  /** A round trip of a decoded header list that did not give the list back. */
  readonly roundTripBroken: boolean;
}

/** Plays `steps` on a fresh connection (or HPACK decoder) of `h`. Throws what the VM throws (a trap). */
export function play(h: Http2Harness, target: Http2Target, limits: Http2Limits, requests: number, steps: readonly Buffer[]): Played {
  if (target === "hpack") {
    const decoder = h.exports.hpackOpen(limits.maxHeaderListSize ?? 65536, 4096);
    const results: number[] = [];
    for (const block of steps) {
      h.write(block);
      results.push(h.exports.hpackDecode(decoder, block.length));
    }
    h.exports.hpackCloseAll();
    return { events: results.join(","), output: Buffer.alloc(0), failed: results.some((r) => (r & 15) === 1), roundTripBroken: results.includes(-1) };
  }
  const c = h.open(target, limits);
  const outputs: Buffer[] = [];
  const events: Http2Event[] = [];
  try {
    if (target === "client") for (let i = 0; i < requests; i++) c.submitRequest(REQUEST, true);
    outputs.push(c.takeOutput());
    for (const step of steps) {
      const ok = c.receive(step);
      outputs.push(c.takeOutput());
      events.push(...c.takeEvents());
      if (!ok) break;
    }
    return { events: canonical(events), output: Buffer.concat(outputs), failed: c.errorCode !== 0, roundTripBroken: false };
  } finally {
    c.close();
  }
}

/** Events as text, a stream's consecutive DATA joined (how the bytes were cut does not show). */
function canonical(events: readonly Http2Event[]): string {
  const lines: string[] = [];
  let data: { stream: number; bytes: Buffer[]; end: boolean } | undefined;
  const flush = () => {
    if (data) lines.push(`data ${data.stream} ${Buffer.concat(data.bytes).toString("hex")}${data.end ? " end" : ""}`);
    data = undefined;
  };
  for (const e of events) {
    if (e.kind === "data" && data?.stream === e.stream && !data.end) {
      data.bytes.push(e.data);
      data.end = e.end;
      continue;
    }
    flush();
    if (e.kind === "data") data = { stream: e.stream, bytes: [e.data], end: e.end };
    else lines.push(JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? String(v) : Buffer.isBuffer(v) ? v.toString("hex") : v)));
  }
  flush();
  return lines.join("\n");
}

export class Http2Fuzzer {
  readonly stats: Http2FuzzStats;
  private h!: Http2Harness;
  private corpus!: Http2Corpus;
  private readonly wasmPath: string;
  /** The clean conversations' outcomes, per target and limit set. */
  private readonly baselines = new Map<string, Played>();

  constructor(private readonly options: Http2FuzzOptions) {
    this.wasmPath = options.wasmPath ?? HARNESS_PATH;
    this.stats = { module: "http2", cases: 0, splitInputs: 0, splitSequences: 0, traps: 0, closes: 0, canaries: 0, maxMemoryBytes: 0, findings: [], anomalies: [], rejectedPairs: [], wasmPath: this.wasmPath, notes: [] };
  }

  async run(): Promise<Http2FuzzStats> {
    const deadline = Date.now() + this.options.seconds * 1000;
    this.corpus = await captureHttp2Corpus();
    this.h = await Http2Harness.load(this.wasmPath);
    for (const target of ["server", "client", "hpack"] as const) {
      for (const set of LIMIT_SETS) {
        const baseline = play(this.h, target, set.limits, this.corpus.requests, this.cleanSteps(target));
        this.baselines.set(`${target}|${set.name}`, baseline);
        if (set.name === "default limits" && (baseline.failed || baseline.roundTripBroken)) this.stats.rejectedPairs.push(`${target}: the clean conversation fails`);
      }
    }
    if (!this.options.skipSplits) await this.splitPass();
    const end = Math.max(deadline, Date.now() + this.options.seconds * 250);
    const minCases = this.options.minCases ?? 0;
    for (let index = 0; Date.now() < end || index < minCases; index++) await this.randomCase(index);
    return this.stats;
  }

  private cleanSteps(target: Http2Target): Buffer[] {
    if (target === "hpack") return [...this.corpus.clientBlocks];
    return [target === "server" ? this.corpus.clientBytes : this.corpus.serverBytes];
  }

  // ----------------------------------------------------------------------------------------------------------------

  /** Plays an input and checks it; false when it was a finding (the VM was replaced). */
  private async check(seed: number, kind: string, target: Http2Target, set: LimitSet, steps: readonly Buffer[], splitOf?: Played): Promise<boolean> {
    let played: Played;
    try {
      played = play(this.h, target, set.limits, this.corpus.requests, steps);
    } catch (error) {
      this.stats.traps++;
      await this.record(seed, kind, target, set, steps, `trap: ${(error as Error).message}`);
      return false;
    }
    const memory = this.h.memoryBytes;
    this.stats.maxMemoryBytes = Math.max(this.stats.maxMemoryBytes, memory);
    if (memory > MEMORY_LIMIT) {
      await this.record(seed, kind, target, set, steps, `linear memory ${memory} bytes > ${MEMORY_LIMIT}`);
      return false;
    }
    if (played.roundTripBroken) this.anomaly(`${target} [${set.name}] case seed ${seed} (${kind}): a decoded header list did not survive encoding and decoding again`);
    if (splitOf) {
      if (played.events !== splitOf.events) this.anomaly(`${target} [${set.name}] ${kind}: different events than whole`);
      else if (!played.output.equals(splitOf.output)) this.anomaly(`${target} [${set.name}] ${kind}: different output than whole`);
    }
    if (played.failed && target !== "hpack" && !splitOf) {
      this.stats.closes++;
      this.stats.canaries++;
      // The clean conversation on a new connection gives the baseline: the VM still works after a broken input.
      const baseline = this.baselines.get(`${target}|default limits`)!;
      try {
        const again = play(this.h, target, {}, this.corpus.requests, this.cleanSteps(target));
        if (again.events !== baseline.events || !again.output.equals(baseline.output)) this.anomaly(`${target} [${set.name}] case seed ${seed} (${kind}): the canary after it differs from the baseline`);
      } catch (error) {
        this.stats.traps++;
        await this.record(seed, `${kind}, then the canary`, target, set, steps, `trap: ${(error as Error).message}`);
        return false;
      }
    }
    return true;
  }

  private anomaly(text: string): void {
    if (this.stats.anomalies.length < 50) this.stats.anomalies.push(text);
  }

  private async record(seed: number, kind: string, target: Http2Target, set: LimitSet, steps: readonly Buffer[], message: string): Promise<void> {
    const finding: Http2Finding = { config: { name: `${target}, ${set.name}` }, seed, kind, message, target, limits: set.limits, requests: this.corpus.requests, steps: [...steps] };
    if (this.options.writeFindings !== false) finding.file = writeHttp2Finding(finding, this.wasmPath, this.options.findingsDir);
    this.stats.findings.push(finding);
    this.h = await Http2Harness.load(this.wasmPath); // the VM trapped: a new one, as Envoy would start
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Split pass: the clean conversation of each role cut at every byte, and one byte at a time

  private async splitPass(): Promise<void> {
    for (const target of ["server", "client"] as const) {
      for (const set of LIMIT_SETS) {
        const bytes = this.cleanSteps(target)[0];
        const whole = this.baselines.get(`${target}|${set.name}`)!;
        this.stats.splitSequences++;
        for (let cut = 1; cut < bytes.length; cut++) {
          this.stats.splitInputs++;
          if (!(await this.check(0, `cut at ${cut}`, target, set, [bytes.subarray(0, cut), bytes.subarray(cut)], whole))) return;
        }
        this.stats.splitInputs++;
        await this.check(0, "one byte at a time", target, set, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)), whole);
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Random cases

  private async randomCase(index: number): Promise<void> {
    const seed = caseSeed(this.options.seed, "http2", index);
    const prng = new Prng(seed);
    const target = prng.pick(["server", "server", "client", "client", "hpack"] as const);
    const set = prng.pick(LIMIT_SETS);
    const { kind, steps } = target === "hpack" ? this.hpackCase(prng) : this.connectionCase(prng, target);
    this.stats.cases++;
    await this.check(seed, `${kind} (${target})`, target, set, steps);
  }

  private connectionCase(prng: Prng, target: "server" | "client"): { kind: string; steps: Buffer[] } {
    const base = target === "server" ? this.corpus.clientBytes : this.corpus.serverBytes;
    const other = target === "server" ? this.corpus.serverBytes : this.corpus.clientBytes;
    const start = target === "server" ? Buffer.concat([PREFACE, EMPTY_SETTINGS]) : EMPTY_SETTINGS;
    const frames = splitFrames(base);
    let kind: string;
    let bytes: Buffer;
    switch (prng.below(7)) {
      case 0:
        kind = "mutated conversation";
        bytes = mutate(prng, base, 8);
        break;
      case 1:
      case 2: {
        kind = "mutated frames, lengths fixed";
        const chosen = frames.map((f) => (prng.chance(0.15) ? mutateFrame(prng, f) : encode(f)));
        bytes = Buffer.concat([target === "server" ? PREFACE : Buffer.alloc(0), ...chosen]);
        break;
      }
      case 3:
        kind = "truncated conversation";
        bytes = base.subarray(0, prng.below(base.length));
        break;
      case 4:
        kind = "random bytes";
        bytes = Buffer.concat([prng.chance(0.8) ? start : Buffer.alloc(0), prng.bytes(prng.between(1, 400))]);
        break;
      case 5: {
        kind = "frames reordered";
        const soup: Buffer[] = [];
        for (let i = prng.between(1, 20); i > 0; i--) {
          const f = prng.pick(frames);
          soup.push(prng.chance(0.3) ? mutateFrame(prng, f) : encode(f));
        }
        bytes = Buffer.concat([start, ...soup]);
        break;
      }
      default:
        kind = "spliced conversations";
        bytes = splice(prng, base, prng.chance(0.5) ? other : base);
    }
    return { kind, steps: chunks(prng, bytes, prng.chance(0.3) ? 64 : 4) };
  }

  private hpackCase(prng: Prng): { kind: string; steps: Buffer[] } {
    const blocks = [...(prng.chance(0.5) ? this.corpus.clientBlocks : this.corpus.serverBlocks)];
    switch (prng.below(4)) {
      case 0: {
        const at = prng.below(blocks.length);
        blocks[at] = mutate(prng, blocks[at], 4);
        return { kind: "one block mutated", steps: blocks };
      }
      case 1:
        return { kind: "blocks mutated", steps: blocks.map((b) => (prng.chance(0.5) ? mutate(prng, b, 3) : b)) };
      case 2:
        return { kind: "blocks reordered", steps: Array.from({ length: prng.between(1, 8) }, () => prng.pick(blocks)) };
      default:
        return { kind: "random blocks", steps: Array.from({ length: prng.between(1, 4) }, () => prng.bytes(prng.between(1, 120))) };
    }
  }
}

export function encode(f: { type: number; flags: number; stream: number; payload: Buffer }): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(f.payload.length, 0, 3);
  header[3] = f.type;
  header[4] = f.flags;
  header.writeUInt32BE(f.stream, 5);
  return Buffer.concat([header, f.payload]);
}

/** A frame with its payload mutated, or its type, flags or stream changed; its length field right. */
export function mutateFrame(prng: Prng, f: { type: number; flags: number; stream: number; payload: Buffer }): Buffer {
  switch (prng.below(4)) {
    case 0:
      return encode({ ...f, type: prng.below(12) });
    case 1:
      return encode({ ...f, flags: prng.u32() & 0xff });
    case 2:
      return encode({ ...f, stream: prng.pick([0, 1, 2, 3, 0x7fffffff, f.stream + 2, prng.below(20)]) });
    default:
      return encode({ ...f, payload: mutate(prng, f.payload, 4) });
  }
}

// --------------------------------------------------------------------------------------------------------------------
// Findings files

export function writeHttp2Finding(f: Http2Finding, wasmPath: string, dir = FINDINGS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `http2-${f.seed}.hex`);
  const lines = [
    "# module: http2",
    `# wasm: ${wasmPath}`,
    `# target: ${f.target}`,
    `# limits: ${JSON.stringify(f.limits)}`,
    `# requests: ${f.requests}`,
    `# case seed: ${f.seed}; kind: ${f.kind}`,
    `# ${f.message.replace(/\n/g, " ")}`,
    `# replay: node --import tsx test/fuzz/run.ts --replay ${path.includes("test/fuzz/") ? path.slice(path.indexOf("test/fuzz/")) : path}`,
    "# one line per delivery (for hpack, per header block), in order",
    ...f.steps.map((s) => `> ${s.toString("hex")}`),
  ];
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** Plays an http2 findings file on a fresh harness. */
export async function replayHttp2(text: string): Promise<{ trapped: boolean; closed: boolean; errors: string[]; log: string[] }> {
  const field = (name: string) => new RegExp(`^# ${name}: (.*)$`, "m").exec(text)?.[1];
  const target = field("target") as Http2Target | undefined;
  if (!target) throw new Error("not an http2 findings file (no target line)");
  const steps = text
    .split("\n")
    .map((line) => /^> ([0-9a-f]*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Buffer.from(m[1], "hex"));
  const h = await Http2Harness.load(field("wasm") ?? HARNESS_PATH);
  try {
    const played = play(h, target, JSON.parse(field("limits") ?? "{}"), Number(field("requests") ?? 0), steps);
    return { trapped: false, closed: played.failed, errors: [], log: played.events.split("\n") };
  } catch (error) {
    return { trapped: true, closed: false, errors: [(error as Error).message], log: [] };
  }
}

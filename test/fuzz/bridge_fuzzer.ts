// Fuzzing bridge mode: each protocol module loaded as a client-side plugin and as a server-side plugin (default
// settings, and tight limits), each fed what its peers would send, made malformed:
//   client side  read path: the corpus's requests, mutated (harness.ts mutatedFrames);
//                write path: the HTTP/2 a server sends (the server side's own answers to the client side's
//                requests), mutated frame by frame, duplicated, reordered, random frame types, truncated, spliced;
//   server side  read path: the HTTP/2 a client sends (the client side's output: preface, SETTINGS, HEADERS, DATA),
//                mutated the same ways, or its DATA replaced by a mutated request frame;
//                write path: the corpus's responses with the stream's id, mutated.
// The valid bytes are recorded first by chaining the two sides (client side -> server side -> a stand-in server that
// answers each call with the pair's response -> server side -> client side), which must give the client its
// responses. After every input: no trap, linear memory under MEMORY_LIMIT, no exception out of the host's ABI, and a
// connection the filter closed was stopped (StopIteration) when it closed; then a clean exchange on a new connection
// of the same plugin (the canary) must give exactly the recorded bytes. The split pass cuts each recorded exchange
// at every byte of each path, which must give the bytes the whole exchange gives.
// A trap is a finding, written to test/fuzz/findings/bridge-<module>-<seed>.hex; `run.ts --replay` plays it.
import { ConnectionEvent, FilterStatus, LogLevel } from "../host/api.ts";
import { DrivenPlugin, type DrivenConnection } from "../bench/driver.ts";
import { splitFrames } from "../http2/wire.ts";
import { corpus, type ModuleCorpus, type ModuleName, type Pair } from "./corpus.ts";
import { MEMORY_LIMIT, mutatedFrames, writeFinding, type Finding, type FuzzCounts, type Step } from "./harness.ts";
import { encode, mutateFrame } from "./http2_fuzzer.ts";
import { chunks, mutate, splice } from "./mutate.ts";
import { caseSeed, Prng } from "./prng.ts";

type Side = "client" | "server";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const DATA = 0;
const CLIENT_SIDE = { mode: "bridge", bridge: { side: "client", authority: "a.b" } };
const SERVER_SIDE = { mode: "bridge", bridge: { side: "server" } };
const SETTINGS_SETS = [
  { name: "default", json: { stat_prefix: "fuzz" } },
  { name: "tight limits", json: { stat_prefix: "fuzz", max_frame_size: 1024, max_pending_requests: 3 } },
];

/** One exchange through both sides, clean: what each path carried. */
interface Recorded {
  readonly name: string;
  /** The client's protocol bytes (the client side's read path). */
  readonly requests: Buffer;
  /** The client side's HTTP/2 (the server side's read path). */
  readonly clientHttp2: Buffer;
  /** What the server side handed the server (its requests with stream ids, carriers). */
  readonly toServer: Buffer;
  /** The server's answers, with stream ids (the server side's write path). */
  readonly answers: Buffer;
  /** The server side's HTTP/2 (the client side's write path). */
  readonly serverHttp2: Buffer;
  /** What the client got (the client side's write output). */
  readonly toClient: Buffer;
}

interface Target {
  readonly name: string;
  readonly side: Side;
  readonly json: object;
  plugin: DrivenPlugin;
  /** Clean exchanges recorded with this target's settings on both sides; the first is the canary. */
  readonly recorded: Recorded[];
}

export interface BridgeFuzzStats extends FuzzCounts {
  readonly module: string;
  readonly findings: Finding[];
}

export interface BridgeFuzzOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly buildDir?: string;
  readonly release?: boolean;
  readonly writeFindings?: boolean;
  readonly findingsDir?: string;
  readonly skipSplits?: boolean;
  readonly minCases?: number;
}

/** Both sides' outputs after `steps`: what went on towards the server and towards the client. */
interface Played {
  readonly closed: boolean;
  readonly forwarded: Buffer;
  readonly delivered: Buffer;
  /** Set when the host's ABI threw, or the filter closed the connection and let the data through. */
  readonly problem?: string;
}

export class BridgeFuzzer {
  readonly stats: BridgeFuzzStats;
  private readonly corpus: ModuleCorpus;
  private wasmPath: string;
  private targets: Target[] = [];

  constructor(
    readonly module: ModuleName,
    private readonly options: BridgeFuzzOptions,
  ) {
    this.corpus = corpus(module);
    const dir = options.buildDir ?? "build";
    this.wasmPath = options.release ? `${dir}/${module}.wasm` : `${dir}/debug/${module}.wasm`;
    this.stats = { module: `bridge ${module}`, cases: 0, splitInputs: 0, splitSequences: 0, traps: 0, closes: 0, canaries: 0, maxMemoryBytes: 0, findings: [], anomalies: [], rejectedPairs: [], wasmPath: this.wasmPath, notes: [] };
  }

  async run(): Promise<BridgeFuzzStats> {
    const deadline = Date.now() + this.options.seconds * 1000;
    try {
      await this.loadAll();
    } catch (error) {
      if (this.options.release) throw error;
      const release = `${this.options.buildDir ?? "build"}/${this.module}.wasm`;
      this.stats.notes.push(`${this.wasmPath} does not start (${(error as Error).message.split("\n")[0]}): fuzzing ${release} instead`);
      this.wasmPath = this.stats.wasmPath = release;
      await this.loadAll();
    }
    try {
      if (!this.options.skipSplits) await this.splitPass();
      const end = Math.max(deadline, Date.now() + this.options.seconds * 250);
      const minCases = this.options.minCases ?? 0;
      for (let index = 0; Date.now() < end || index < minCases; index++) await this.randomCase(index);
    } finally {
      for (const t of this.targets) await t.plugin.close();
    }
    return this.stats;
  }

  private load(json: object): Promise<DrivenPlugin> {
    return DrivenPlugin.load({ wasmPath: this.wasmPath, protocol: this.module, configuration: JSON.stringify(json), logLevel: LogLevel.Warn });
  }

  /** Both sides per settings set, and the clean exchanges through them (the bytes the cases mutate). */
  private async loadAll(): Promise<void> {
    for (const t of this.targets) await t.plugin.close();
    this.targets = [];
    for (const set of SETTINGS_SETS) {
      const client = await this.load({ ...set.json, ...CLIENT_SIDE });
      const server = await this.load({ ...set.json, ...SERVER_SIDE });
      const recorded = this.record(set.name, client, server);
      this.targets.push({ name: `client side, ${set.name}`, side: "client", json: { ...set.json, ...CLIENT_SIDE }, plugin: client, recorded });
      this.targets.push({ name: `server side, ${set.name}`, side: "server", json: { ...set.json, ...SERVER_SIDE }, plugin: server, recorded });
    }
  }

  /** Each answered pair alone, then the corpus's bridge sequence answered in reverse, through both sides. */
  private record(setName: string, client: DrivenPlugin, server: DrivenPlugin): Recorded[] {
    const answered = this.corpus.pairs.filter((p) => this.corpus.responseWithId(p, 1) !== undefined);
    const sequence = this.corpus.bridgeSequence.map((name) => this.corpus.pairs.find((p) => p.name === name)!);
    const exchanges = [...answered.map((p) => ({ name: p.name, pairs: [p] })), { name: "sequence answered in reverse", pairs: sequence }];
    const recorded: Recorded[] = [];
    for (const { name, pairs } of exchanges) {
      const r = chain(this.corpus, client, server, name, pairs);
      const expected = Buffer.concat(pairs.map((p) => p.response).reverse());
      if (typeof r === "string" || !r.toClient.equals(expected)) {
        this.stats.rejectedPairs.push(`${setName}: ${name}: ${typeof r === "string" ? r : "the client did not get its responses"}`);
      } else recorded.push(r);
    }
    if (recorded.length === 0) throw new Error(`bridge ${this.module} (${setName}): no clean exchange goes through both sides: ${this.stats.rejectedPairs.join("; ")}`);
    return recorded;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Feeding and checking

  /** Runs `steps` on a new connection of `t` until the filter closes it. */
  private play(t: Target, steps: readonly Step[]): { played: Played; delivered: Step[]; connection: DrivenConnection } {
    const c = t.plugin.connect();
    c.keep = true;
    const delivered: Step[] = [];
    let problem: string | undefined;
    try {
      c.start();
      for (const step of steps) {
        if (c.closed) break;
        delivered.push(step);
        const status = step.dir === "down" ? c.send(step.bytes, step.end ?? false) : c.receiveBytes(step.bytes, step.end ?? false);
        if (c.closed && status !== FilterStatus.StopIteration) problem = `the filter closed the connection but let the ${step.dir === "down" ? "read" : "write"} path continue`;
      }
    } catch (error) {
      problem = `the host threw: ${(error as Error).message}`;
    }
    return { played: { closed: c.closed, forwarded: c.forwardedBytes(), delivered: c.deliveredBytes(), problem }, delivered, connection: c };
  }

  /** After an input: trap, memory, the host's ABI, and (when the filter closed the connection) the canary. */
  private async check(t: Target, seed: number, kind: string, steps: readonly Step[]): Promise<Played | undefined> {
    const { played, delivered, connection } = this.play(t, steps);
    const memory = t.plugin.memoryBytes();
    this.stats.maxMemoryBytes = Math.max(this.stats.maxMemoryBytes, memory);
    if (t.plugin.trapCount > 0) {
      this.stats.traps++;
      await this.recordFinding(t, seed, kind, `trap: ${t.plugin.errors.join(" | ") || t.plugin.recent.slice(-3).join(" | ")}`, delivered);
      return undefined;
    }
    if (memory > MEMORY_LIMIT) {
      await this.recordFinding(t, seed, kind, `linear memory ${memory} bytes > ${MEMORY_LIMIT}`, delivered);
      return undefined;
    }
    if (played.problem) this.anomaly(`${t.name}, case seed ${seed} (${kind}): ${played.problem}`);
    endConnection(connection);
    if (played.closed && seed !== 0) {
      this.stats.closes++;
      const problem = this.canary(t);
      if (t.plugin.trapCount > 0) {
        this.stats.traps++;
        await this.recordFinding(t, seed, `${kind}, then the canary`, `trap: ${t.plugin.errors.join(" | ")}`, delivered);
        return undefined;
      }
      if (problem) this.anomaly(`${t.name}, case seed ${seed} (${kind}): after the close, ${problem}`);
    }
    return played;
  }

  /** The target's first recorded exchange on a new connection: undefined when it gave the recorded bytes. */
  private canary(t: Target): string | undefined {
    this.stats.canaries++;
    const r = t.recorded[0];
    const { played, connection } = this.play(t, cleanSteps(t.side, r));
    endConnection(connection);
    const expected = expectedOutput(t.side, r);
    if (played.problem) return `the canary: ${played.problem}`;
    if (played.closed) return "the canary's connection was closed";
    if (!played.forwarded.equals(expected.forwarded)) return "the canary forwarded other bytes than recorded";
    if (!played.delivered.equals(expected.delivered)) return "the canary delivered other bytes than recorded";
    return undefined;
  }

  private anomaly(text: string): void {
    if (this.stats.anomalies.length < 50) this.stats.anomalies.push(text);
  }

  private async recordFinding(t: Target, seed: number, kind: string, message: string, steps: readonly Step[]): Promise<void> {
    const finding: Finding = { module: this.module, target: `bridge-${this.module}`, config: { name: t.name, json: t.json, canary: { name: "", request: Buffer.alloc(0), response: Buffer.alloc(0) } }, seed, kind, wasmPath: this.wasmPath, message, steps: [...steps] };
    if (this.options.writeFindings !== false) finding.file = writeFinding(finding, this.options.findingsDir);
    this.stats.findings.push(finding);
    // The VM is gone (Envoy would fail every connection of this plugin): start a new one and go on.
    await t.plugin.close();
    t.plugin = await this.load(t.json);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Split pass: each recorded exchange, each path cut at every byte and fed one byte at a time, on each target.

  private async splitPass(): Promise<void> {
    for (const t of this.targets) {
      for (const r of t.recorded) {
        this.stats.splitSequences++;
        const whole = cleanSteps(t.side, r);
        const expected = expectedOutput(t.side, r);
        for (let at = 0; at < whole.length; at++) {
          const bytes = whole[at].bytes;
          const variants: { name: string; pieces: Buffer[] }[] = [
            ...Array.from({ length: bytes.length - 1 }, (_, i) => ({ name: `cut at ${i + 1}`, pieces: [bytes.subarray(0, i + 1), bytes.subarray(i + 1)] })),
            { name: "one byte at a time", pieces: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) },
          ];
          for (const v of variants) {
            const steps = [...whole.slice(0, at), ...v.pieces.map((piece) => ({ dir: whole[at].dir, bytes: piece })), ...whole.slice(at + 1)];
            const kind = `split: ${r.name}, ${whole[at].dir === "down" ? "read" : "write"} path ${v.name}`;
            this.stats.splitInputs++;
            const played = await this.check(t, 0, kind, steps);
            if (!played) return;
            if (played.closed) this.anomaly(`${t.name}: ${kind}: the connection was closed`);
            else if (!sameForwarded(t.side, played.forwarded, expected.forwarded)) this.anomaly(`${t.name}: ${kind}: other bytes forwarded than whole`);
            else if (!played.delivered.equals(expected.delivered)) this.anomaly(`${t.name}: ${kind}: other bytes delivered than whole`);
          }
        }
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Random cases

  private async randomCase(index: number): Promise<void> {
    const seed = caseSeed(this.options.seed, `bridge-${this.module}`, index);
    const prng = new Prng(seed);
    const t = prng.pick(this.targets);
    const r = prng.pick(t.recorded);
    const { kind, steps } = prng.chance(0.5) ? this.readPathCase(prng, t.side, r) : this.writePathCase(prng, t.side, r);
    this.stats.cases++;
    await this.check(t, seed, `${kind} (${t.name})`, steps);
  }

  /** Malformed bytes on the read path; on the client side, the server's clean answer may follow. */
  private readPathCase(prng: Prng, side: Side, r: Recorded): { kind: string; steps: Step[] } {
    let kind: string;
    let bytes: Buffer;
    if (side === "client") {
      ({ kind, bytes } = mutatedFrames(prng, this.corpus, prng.pick(this.corpus.pairs), (p) => p.request));
    } else if (prng.chance(0.2)) {
      kind = "HTTP/2 request whose body is a mutated request frame";
      bytes = withBody(r.clientHttp2, this.mutatedRequest(prng));
    } else {
      ({ kind, bytes } = mutatedHttp2(prng, r.clientHttp2, prng.pick(this.targets).recorded[0].clientHttp2));
    }
    const steps: Step[] = chunks(prng, bytes, prng.chance(0.3) ? 64 : 4).map((piece) => ({ dir: "down", bytes: piece }));
    if (prng.chance(0.25)) steps.push({ dir: "down", bytes: Buffer.alloc(0), end: true });
    if (side === "client" && prng.chance(0.5)) steps.push({ dir: "up", bytes: r.serverHttp2 });
    return { kind: `${kind}, read path`, steps };
  }

  /** The clean read path of `r`, then malformed bytes on the write path. */
  private writePathCase(prng: Prng, side: Side, r: Recorded): { kind: string; steps: Step[] } {
    let kind: string;
    let bytes: Buffer;
    if (side === "client") {
      ({ kind, bytes } = mutatedHttp2(prng, r.serverHttp2, prng.pick(this.targets).recorded[0].serverHttp2));
    } else {
      const pair = prng.pick(this.corpus.pairs);
      ({ kind, bytes } = mutatedFrames(prng, this.corpus, pair, (p) => this.corpus.responseWithId(p, 1) ?? p.response));
    }
    const steps: Step[] = [
      { dir: "down", bytes: side === "client" ? r.requests : r.clientHttp2 },
      ...chunks(prng, bytes, prng.chance(0.3) ? 64 : 4).map((piece) => ({ dir: "up" as const, bytes: piece })),
    ];
    if (prng.chance(0.25)) steps.push({ dir: "up", bytes: Buffer.alloc(0), end: true });
    return { kind: `${kind}, write path`, steps };
  }

  private mutatedRequest(prng: Prng): Buffer {
    const pair = prng.pick(this.corpus.pairs);
    return this.corpus.fixLength(mutate(prng, pair.request, 3), pair.request);
  }
}

/**
 * Whether a cut exchange forwarded what the whole one did. The server side's carrier goes out as soon as its SETTINGS
 * wait with no answer due, so on a cut read path it may come before later calls instead of after them: there the
 * same frames in another order are right (the same bytes, counted).
 */
function sameForwarded(side: Side, cut: Buffer, whole: Buffer): boolean {
  if (side === "client") return cut.equals(whole);
  return cut.length === whole.length && Buffer.from(cut).sort().equals(Buffer.from(whole).sort());
}

/** Envoy's close event: the filter's own close (LocalClose), or the peer going away. */
function endConnection(c: DrivenConnection): void {
  if (c.closed) c.event(ConnectionEvent.LocalClose);
  else c.closeRemote();
}

/** The steps of a clean exchange as one side sees it. */
function cleanSteps(side: Side, r: Recorded): Step[] {
  return side === "client"
    ? [{ dir: "down", bytes: r.requests }, { dir: "up", bytes: r.serverHttp2 }]
    : [{ dir: "down", bytes: r.clientHttp2 }, { dir: "up", bytes: r.answers }];
}

function expectedOutput(side: Side, r: Recorded): { forwarded: Buffer; delivered: Buffer } {
  return side === "client" ? { forwarded: r.clientHttp2, delivered: r.toClient } : { forwarded: r.toServer, delivered: r.serverHttp2 };
}

/**
 * `pairs` sent back to back through a client side and a server side (new connections), the server answering the
 * calls in reverse order with the stream ids the server side gave them (1, 3, 5, ...); a string says what failed.
 */
function chain(corpus: ModuleCorpus, clientPlugin: DrivenPlugin, serverPlugin: DrivenPlugin, name: string, pairs: readonly Pair[]): Recorded | string {
  const client = clientPlugin.connect();
  const server = serverPlugin.connect();
  for (const c of [client, server]) {
    c.keep = true;
    c.start();
  }
  try {
    const requests = Buffer.concat(pairs.map((p) => p.request));
    client.send(requests);
    const clientHttp2 = client.forwardedBytes();
    server.send(clientHttp2);
    const toServer = server.forwardedBytes();
    const answers = Buffer.concat(pairs.map((p, i) => corpus.responseWithId(p, 1 + 2 * i)!).reverse());
    server.receiveBytes(answers);
    const serverHttp2 = server.deliveredBytes();
    client.receiveBytes(serverHttp2);
    if (client.closed || server.closed) return `the ${client.closed ? "client" : "server"} side closed the connection`;
    return { name, requests, clientHttp2, toServer, answers, serverHttp2, toClient: client.deliveredBytes() };
  } finally {
    client.closeRemote();
    server.closeRemote();
  }
}

/**
 * HTTP/2 bytes made malformed: mutated bytes, frames mutated with their lengths right (type, flags, stream, payload),
 * frames duplicated and reordered, frames of random types inserted, truncated, or spliced with `other`.
 */
function mutatedHttp2(prng: Prng, bytes: Buffer, other: Buffer): { kind: string; bytes: Buffer } {
  const preface = bytes.subarray(0, PREFACE.length).equals(PREFACE) ? PREFACE : Buffer.alloc(0);
  const frames = splitFrames(bytes);
  switch (prng.below(7)) {
    case 0:
      return { kind: "mutated HTTP/2 bytes", bytes: mutate(prng, bytes, 8) };
    case 1:
    case 2:
      return { kind: "mutated HTTP/2 frames, lengths right", bytes: Buffer.concat([preface, ...frames.map((f) => (prng.chance(0.2) ? mutateFrame(prng, f) : encode(f)))]) };
    case 3: {
      const soup = Array.from({ length: prng.between(1, 20) }, () => prng.pick(frames));
      return { kind: "HTTP/2 frames duplicated and reordered", bytes: Buffer.concat([preface, ...soup.map((f) => (prng.chance(0.2) ? mutateFrame(prng, f) : encode(f)))]) };
    }
    case 4: {
      const out = frames.map(encode);
      for (let i = prng.between(1, 4); i > 0; i--) {
        const random = encode({ type: prng.below(256), flags: prng.below(256), stream: prng.pick([0, 1, 2, 3, prng.u32() >>> 1]), payload: prng.bytes(prng.below(40)) });
        out.splice(prng.below(out.length + 1), 0, random);
      }
      return { kind: "HTTP/2 frames of random types inserted", bytes: Buffer.concat([preface, ...out]) };
    }
    case 5:
      return { kind: "truncated HTTP/2", bytes: bytes.subarray(0, prng.below(bytes.length)) };
    default:
      return { kind: "spliced HTTP/2", bytes: splice(prng, bytes, other) };
  }
}

/** `http2` with its first DATA frame's payload replaced by `body` (the frame's length set to match). */
function withBody(http2: Buffer, body: Buffer): Buffer {
  const preface = http2.subarray(0, PREFACE.length).equals(PREFACE) ? PREFACE : Buffer.alloc(0);
  let replaced = false;
  const frames = splitFrames(http2).map((f) => {
    if (f.type !== DATA || replaced) return encode(f);
    replaced = true;
    return encode({ ...f, payload: body });
  });
  return Buffer.concat([preface, ...frames]);
}

// `make bench`: what the filters cost, measured on this machine in one run, printed as tables with the product's targets
// beside the numbers. Nothing is written to disk.
//
//   node --import tsx test/bench/run.ts [--quick] [--only a,b,c,d] [--rounds N] [--seconds N]
//                                       [--loopback awesomerpc,dubbo,thrift] [--framework-rev REV]
//
//   A  in-process cost per request of each module, and of the pass-through floor (in_process.ts)
//   B  the same bytes through the peers' own JavaScript decoders (js_reference.ts)
//   C  through the bundled host over loopback with the real peers, wasm vs plain tcp_proxy (loopback.ts)
//   D  memory and module sizes (memory.ts)
//   E  the HTTP/2 library: header decode and encode, an exchange per request, idle connections, size added (http2.ts)
//   F  bridge mode in process: a Dubbo call through the client side and the server side, beside tcp mode (bridge_in_process.ts)
//   G  bridge mode through the bundled host over loopback, beside tcp mode, the same Dubbo load (loopback.ts)
//
// --quick shortens every timing (for a smoke run; numbers get noisier). --rounds: A, B and F measure every scenario
// that many times, spread over the run, and keep the fastest (default 3). --seconds sets C's measured window per run
// (and G's; default 3); --loopback picks C's protocols. --framework-rev compiles the pass-through floor against assembly/ at a git revision instead of the
// working tree (by default the working tree is used, and HEAD when the working tree does not compile).
import { readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import v8 from "node:v8";
import { measureBridge, type BridgeResult } from "./bridge_in_process.ts";
import { closePlugins, measureFloor, measureModule, METHOD_ROUTES, RATE_LIMIT, ROUTES, type Extra, type FloorResult, type InProcessResult } from "./in_process.ts";
import { measureHttp2Memory, measureHttp2Sizes, measureHttp2Timing } from "./http2.ts";
import { measureReference, type ReferenceResult } from "./js_reference.ts";
import { runLoad, startBridgeLoopback, startLoopback, type LoopbackProtocol, type LoopbackResult } from "./loopback.ts";
import { measureMemory, moduleSizes, type MemoryResult } from "./memory.ts";
import { passThroughModule, passThroughModuleOrHead } from "./passthrough/compile.ts";
import { DEFAULT_TIMING, type TimingOptions } from "./timing.ts";
import { workloads, type Workload } from "./workloads.ts";

interface Options {
  quick: boolean;
  only: Set<string>;
  seconds: number;
  rounds: number;
  loopback: LoopbackProtocol[];
  frameworkRev?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, only: new Set(["a", "b", "c", "d", "e", "f", "g"]), seconds: 3, rounds: 3, loopback: ["awesomerpc", "dubbo", "thrift"] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--only") options.only = new Set(argv[++i].toLowerCase().split(","));
    else if (arg === "--seconds") options.seconds = Number(argv[++i]);
    else if (arg === "--rounds") options.rounds = Number(argv[++i]);
    else if (arg === "--framework-rev") options.frameworkRev = argv[++i];
    else if (arg === "--loopback") options.loopback = argv[++i].split(",") as LoopbackProtocol[];
    else throw new Error(`unknown argument ${arg} (see the top of test/bench/run.ts)`);
  }
  if (!(options.seconds > 0)) throw new Error("--seconds takes a positive number");
  if (!(options.rounds >= 1)) throw new Error("--rounds takes a positive integer");
  if (options.quick) options.rounds = 1;
  return options;
}

// ------------------------------------------------------------------------------------------------------------------
// Formatting

function ns(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} µs`;
  return `${value.toFixed(0)} ns`;
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

function bytes(value: number): string {
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MiB`;
  if (value >= 1 << 10) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(0)} B`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function mark(ok: boolean): string {
  return ok ? "✓" : "✗";
}

function heading(text: string): void {
  console.log(`\n${text}\n${"=".repeat(Math.min(text.length, 118))}`);
}

// ------------------------------------------------------------------------------------------------------------------

async function floorModule(rev: string | undefined): Promise<{ path: string; source: string }> {
  if (rev !== undefined) return { path: await passThroughModule(rev), source: `assembly/ at ${rev}` };
  return passThroughModuleOrHead();
}

/** The round with the fastest sample; its median replaced by the median of every round's median. */
function fastest<T extends { nsPerRequest: number; medianNsPerRequest: number }>(rounds: T[]): T {
  const best = rounds.reduce((a, b) => (b.nsPerRequest < a.nsPerRequest ? b : a));
  const medians = rounds.map((r) => r.medianNsPerRequest).sort((a, b) => a - b);
  return { ...best, medianNsPerRequest: medians[medians.length >> 1] };
}

/** Adds one round's result of scenario `key`. */
function add<K, T>(map: Map<K, T[]>, key: K, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

interface Collected {
  modules: InProcessResult[];
  floors: FloorResult[];
  references: ReferenceResult[];
  loopback: LoopbackResult[];
  memory: MemoryResult[];
  sizes: { path: string; bytes: number }[];
  bridge: BridgeResult[];
  /** Section F's tcp-mode rows, measured beside the bridge's. */
  bridgeTcp: InProcessResult[];
  bridgeLoopback: LoopbackResult[];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // Compile wasm with TurboFan straight away: V8 otherwise starts a module in Liftoff and tiers hot functions up in
  // the background, and a scenario timed before its tier-up finished measured the baseline compiler.
  v8.setFlagsFromString("--no-liftoff");
  const timing: TimingOptions = options.quick ? { sampleMs: 15, samples: 3 } : { ...DEFAULT_TIMING, samples: 5 };
  const all = workloads();
  const matrix = all.filter((w) => w.name !== "dubbo sayHello (captured)");
  const collected: Collected = { modules: [], floors: [], references: [], loopback: [], memory: [], sizes: [], bridge: [], bridgeTcp: [], bridgeLoopback: [] };

  console.log(`make bench: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on this machine makes the numbers noisier)`);
  console.log(`timing: ${options.rounds} round(s) over every scenario, each ${timing.samples} samples of ${timing.sampleMs} ms after calibration and warm-up;`);
  console.log("the fastest sample is reported, the median of the rounds' medians beside it;");
  console.log("one thread, so per core = 1e9 / ns. Targets are checked on the fastest samples. On this VM the same scenario");
  console.log("runs at two speeds ~1.7x apart from one process to the next (a pure CPU loop does not; the memory-heavy runs do):");
  console.log("a median far above the fastest sample shows it.");
  console.log("wasm compiled by TurboFan up front (--no-liftoff): steady-state code from the first sample");
  console.log("\nTraffic:");
  for (const w of all) console.log(`  ${w.name.padEnd(26)} request ${String(w.request.length).padStart(3)} B, response ${String(w.response.length).padStart(3)} B: ${w.note}`);

  if (options.only.has("a")) {
    const floor = await floorModule(options.frameworkRev);
    heading("A. In-process filter cost per request (its request + its response), build/<module>.wasm via FakeConnection");
    console.log("Host: test/host's wasm side (V8, the JS side of every ABI call included). Floor: test/bench/passthrough/main.as,");
    console.log(`the same framework and entry points with a codec that only finds frame ends (${floor.source}), access log off.`);
    console.log("request/response split: measured at 64 per event only (a timer costs ~150 ns here). routes: three routes (a");
    console.log("canary on an absent key, a regex on the method, a catch-all), connection routing off; method routes: the");
    console.log("same without the canary; rate limit: a local");
    console.log("token bucket that never runs out (shared data compare-and-swap per request). What is read: with the access log");
    console.log("off and no routes nothing reads a key/value but service and method, so codecs stop there (Dubbo skips the");
    console.log("arguments and attachments, Thrift the THeader info headers: the filters declare what they read); the access log");
    console.log("line and the canary route (an attachment) make them read everything; method routes do not.\n");
    const floorRounds = new Map<string, FloorResult[]>();
    const moduleRounds = new Map<string, InProcessResult[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const w of all) {
        for (const perEvent of [1, 64]) {
          add(floorRounds, `${w.name}|${perEvent}`, await measureFloor(w, floor.path, perEvent, timing));
          const configs: [boolean, boolean, Extra | undefined][] = matrix.includes(w)
            ? [[false, false, undefined], [false, true, undefined], [true, false, undefined], [true, true, undefined], [false, false, ROUTES], [false, false, METHOD_ROUTES], [false, false, RATE_LIMIT]]
            : [[false, false, undefined]];
          for (const [mutation, accessLog, extra] of configs) {
            const key = `${w.name}|${perEvent}|${mutation}|${accessLog}|${extra?.label}`;
            add(moduleRounds, key, await measureModule(w, `build/${w.module}.wasm`, perEvent, mutation, accessLog, timing, extra));
          }
        }
      }
    }
    collected.floors = [...floorRounds.values()].map(fastest);
    collected.modules = [...moduleRounds.values()].map(fastest);
    await closePlugins();
    const rows = collected.modules.map((r) => {
      const f = collected.floors.find((x) => x.workload === r.workload && x.perEvent === r.perEvent)!;
      return [
        r.workload,
        String(r.perEvent),
        r.accessLog ? "on" : "off",
        r.mutation ? "x-mesh" : "-",
        r.extra || "-",
        ns(r.nsPerRequest),
        ns(r.medianNsPerRequest),
        rate(1e9 / r.nsPerRequest),
        ns(r.requestNs),
        ns(r.responseNs),
        ns(f.nsPerRequest),
        `${(r.nsPerRequest / f.nsPerRequest).toFixed(1)}x`,
        r.note,
      ];
    });
    console.log(table(["workload", "per event", "access log", "mutation", "routing/limit", "per request", "(median)", "per core", "request", "response", "floor", "vs floor", "check"], rows));
  }

  if (options.only.has("b")) {
    heading("B. The same bytes through the peers' own JavaScript decoders (request + response per request)");
    const rows: string[][] = [];
    for (const w of all) {
      for (const perEvent of [1, 64]) {
        const r = fastest(Array.from({ length: options.rounds }, () => measureReference(w, perEvent, timing)));
        collected.references.push(r);
        const filter = collected.modules.find((m) => m.workload === w.name && m.perEvent === perEvent && !m.mutation && !m.accessLog && !m.extra);
        rows.push([
          w.name,
          String(perEvent),
          ns(r.nsPerRequest),
          ns(r.medianNsPerRequest),
          rate(1e9 / r.nsPerRequest),
          filter ? ns(filter.nsPerRequest) : "-",
          filter ? `${(r.nsPerRequest / filter.nsPerRequest).toFixed(2)}x` : "-",
          r.decoder,
        ]);
      }
    }
    console.log(table(["workload", "per event", "JS decoder", "(median)", "per core", "filter", "filter speed-up", "decoder"], rows));
    console.log("(filter: section A, access log off, no mutation; the JS decoders build the values, the filter skips arguments in place)");
  }

  if (options.only.has("c")) {
    heading(`C. Through the bundled host over loopback, real peers: wasm filter vs plain tcp_proxy (${options.quick ? 1 : options.seconds} s each)`);
    console.log("Processes: sample server, host (test/host/main.ts --concurrency 1 -l info, access log to a file), client (this one).");
    console.log("Closed loop: N calls always in flight. awesomerpc: sample client, 24-byte echo, min(N, 8) connections; dubbo:");
    console.log("sofa-rpc-node consumer, echoUser (envoy/dubbo.yaml adds the x-mesh attachment), one connection; thrift: npm thrift,");
    console.log("framed binary calculate(Work), one connection. The clients are JavaScript too: they share the 2 cores.\n");
    for (const protocol of options.loopback) {
      const setup = await startLoopback(protocol);
      try {
        for (const concurrency of [1, 32, 256]) {
          for (const listener of ["wasm", "plain"] as const) {
            const port = listener === "wasm" ? setup.wasmPort : setup.plainPort;
            collected.loopback.push(await runLoad(protocol, port, listener, concurrency, options.quick ? 1 : options.seconds, options.quick ? 200 : 500));
          }
        }
      } finally {
        await setup.stop();
      }
    }
    const rows = collected.loopback.map((r) => {
      const plain = collected.loopback.find((p) => p.protocol === r.protocol && p.listener === "plain" && p.concurrency === r.concurrency)!;
      return [
        r.protocol,
        r.listener === "wasm" ? "wasm filter + tcp_proxy" : "plain tcp_proxy",
        String(r.concurrency),
        String(r.connections),
        String(r.calls),
        rate(r.callsPerSecond),
        `${r.p50Us.toFixed(0)} µs`,
        `${r.p99Us.toFixed(0)} µs`,
        r.listener === "wasm" ? `${((100 * r.callsPerSecond) / plain.callsPerSecond).toFixed(0)}% of plain` : "",
      ];
    });
    console.log(table(["protocol", "listener", "in flight", "connections", "calls", "throughput", "p50", "p99", ""], rows));
  }

  if (options.only.has("d")) {
    heading("D. Memory (wasm linear memory, the plugin's memoryBytes()) and module sizes");
    for (const w of all.filter((x) => !x.name.includes("compact"))) collected.memory.push(await measureMemory(w, `build/${w.module}.wasm`));
    const rows = collected.memory.map((m) => [
      m.workload,
      bytes(m.baseBytes),
      bytes(m.afterIdleBytes),
      m.bytesPerIdleConnection === undefined ? "-" : bytes(m.bytesPerIdleConnection),
      bytes(m.afterInFlightBytes),
      m.bytesPerInFlightRequest === undefined ? "-" : bytes(m.bytesPerInFlightRequest),
      `${m.activeGauge} / ${m.activeAfterResponses}`,
    ]);
    console.log(table(["module (traffic)", "fresh VM", "10,000 idle conns", "per idle conn", "10,000 in flight", "per request", "request_active in flight / after"], rows));
    console.log("(per idle conn / per request: estimated where the allocator doubled the memory, see memory.ts; the memory");
    console.log(" size itself only ever doubles, so 16 MiB means between 8 and 16 MiB in use. Compact Thrift: same module as binary.)");
    const paths = [
      ...readdirSync("build").filter((f) => f.endsWith(".wasm")).map((f) => `build/${f}`),
      ...readdirSync("build/debug").filter((f) => f.endsWith(".wasm")).map((f) => `build/debug/${f}`),
    ].sort();
    collected.sizes = moduleSizes(paths);
    console.log("\n" + table(["module", "size"], collected.sizes.map((s) => [s.path, bytes(s.bytes)])));
  }

  if (options.only.has("e")) await printHttp2(timing, collected);
  const dubbo = all.find((w) => w.name === "dubbo")!;
  if (options.only.has("f")) await printBridgeInProcess(dubbo, timing, options.rounds, collected);
  if (options.only.has("g")) await printBridgeLoopback(options, collected);

  printTargets(collected, all);
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

async function printHttp2(timing: TimingOptions, c: Collected): Promise<void> {
  heading("E. The HTTP/2 library (assembly/lib/http2, assembly/lib/hpack), in build/test/http2_harness.wasm");
  console.log("Called in wasm loops (test/http2/harness.ts), so these are the library's own costs, without a host call.");
  console.log("Envoy's response headers: recorded from Node's http2 server (nghttp2, as in Envoy) answering with Envoy's");
  console.log("typical headers; the exchange runs a library client and a library server against each other.\n");
  const rows = await measureHttp2Timing(timing);
  console.log(table(["operation", "per op", "(median)", "per core", "what"], rows.map((r) => [r.name, ns(r.nsPerOp), ns(r.medianNs), rate(1e9 / r.nsPerOp), r.note])));
  const codecs = c.modules.filter((m) => m.perEvent === 64 && !m.mutation && !m.accessLog && !m.extra);
  if (codecs.length > 0) {
    console.log(`\nBeside the codecs (section A, 64 per event, a request and its response): ${codecs.map((m) => `${m.workload} ${ns(m.nsPerRequest)}`).join(", ")}`);
  }
  const memory = await measureHttp2Memory();
  console.log(
    `\nIdle connection after the SETTINGS exchange (default configuration, ${memory[0].connections.toLocaleString("en")} of each, linear memory growth): ` +
      memory.map((m) => `${m.role} ${m.bytesPerConnection === undefined ? "-" : bytes(m.bytesPerConnection)}`).join(", "),
  );
  const sizes = await measureHttp2Sizes(["awesomerpc", "dubbo", "thrift"]);
  console.log("\nModule sizes with the library's client and server paths linked in (a scratch entry per module, release options):");
  console.log(table(["module", "alone", "with the library", "added"], sizes.map((s) => [s.module, String(s.alone), String(s.withLibrary), `+${s.withLibrary - s.alone} B`])));
}

async function printBridgeInProcess(w: Workload, timing: TimingOptions, rounds: number, c: Collected): Promise<void> {
  heading("F. Bridge mode in process: one Dubbo call through the client side and the server side (build/dubbo.wasm)");
  console.log("A client-side plugin turns the requests into HTTP/2 (read path), a server-side plugin turns that HTTP/2 into");
  console.log("requests with the stream ids as ids (read path); the server's responses, ids set per iteration, go back through");
  console.log("the server side (HTTP/2 out, write path) and the client side (the client's ids restored, write path): four data");
  console.log("events per batch, per call both sides' request and response. In Envoy the HTTP connection manager and router sit");
  console.log("between the sides (HPACK decoded and re-encoded, headers added): here the client side's HTTP/2 goes straight into");
  console.log("the server side, so this is the wasm's cost (and the host's ABI calls), not Envoy's HTTP/2 work. Bridge mode's");
  console.log("codec reads every attachment (each becomes a header), like tcp mode with the access log or an attachment route.");
  console.log("Checked before and after timing: ids, bytes, request/response_success on both sides +1 per call.\n");
  const bridgeRounds = new Map<number, BridgeResult[]>();
  const tcpRounds = new Map<string, InProcessResult[]>();
  for (let round = 0; round < rounds; round++) {
    for (const perEvent of [1, 64]) {
      for (const extra of [undefined, ROUTES]) add(tcpRounds, `${perEvent}|${extra?.label}`, await measureModule(w, `build/${w.module}.wasm`, perEvent, false, false, timing, extra));
      add(bridgeRounds, perEvent, await measureBridge(w, perEvent, timing));
    }
  }
  await closePlugins();
  c.bridgeTcp = [...tcpRounds.values()].map(fastest);
  c.bridge = [...bridgeRounds.values()].map(fastest);
  const rows: string[][] = [];
  for (const b of c.bridge) {
    const tcp = c.bridgeTcp.find((t) => t.perEvent === b.perEvent && !t.extra)!;
    for (const t of c.bridgeTcp.filter((x) => x.perEvent === b.perEvent)) {
      const what = t.extra ? "tcp mode, routes (every attachment read)" : "tcp mode (section A's row)";
      rows.push([w.name, String(t.perEvent), what, ns(t.nsPerRequest), ns(t.medianNsPerRequest), rate(1e9 / t.nsPerRequest), ns(t.requestNs), ns(t.responseNs), "", "", ""]);
    }
    rows.push([
      w.name, String(b.perEvent), "bridge: client side + server side", ns(b.nsPerRequest), ns(b.medianNsPerRequest), rate(1e9 / b.nsPerRequest), "", "",
      ns(b.clientNs), ns(b.serverNs), `${(b.nsPerRequest / tcp.nsPerRequest).toFixed(1)}x tcp mode`,
    ]);
  }
  console.log(table(["workload", "per event", "mode", "per call", "(median)", "per core", "request", "response", "client side", "server side", ""], rows));
  const carriers = c.bridge.reduce((sum, b) => sum + b.carriers, 0);
  console.log("(client side / server side: 64 per event only, from a loop of its own with a timer around each data event; its mean");
  console.log(" runs above the fastest sample, so read the split as the sides' shares. Carriers the server side sent: " + `${carriers}, one per connection pair, for the SETTINGS exchange)`);
}

async function printBridgeLoopback(options: Options, c: Collected): Promise<void> {
  const seconds = options.quick ? 1 : options.seconds;
  heading(`G. Bridge mode through the bundled host over loopback, Dubbo: bridge vs tcp mode vs plain tcp_proxy (${seconds} s each)`);
  console.log("Processes: two sample Dubbo providers; host 1 runs envoy/dubbo.yaml (wasm filter + tcp_proxy, and plain tcp_proxy);");
  console.log("host 2 runs what the generator writes for a bridge-mode service (test/bench/loopback.ts bridgeService: client side +");
  console.log("HTTP connection manager + router, an HTTP/2 cluster, server side + tcp_proxy), --concurrency 1, -l info, logs to");
  console.log("files; the client (this process): the sofa-rpc-node consumer, echoUser, one connection, N calls in flight, as in C.");
  console.log("Same request_mutation x-mesh on both; tcp mode's filter also writes an access log line per call, bridge mode none.\n");
  const tcp = await startLoopback("dubbo");
  const bridge = await startBridgeLoopback();
  try {
    for (const concurrency of [1, 32, 256]) {
      for (const [listener, port] of [["plain", tcp.plainPort], ["wasm", tcp.wasmPort], ["bridge", bridge.port]] as const) {
        c.bridgeLoopback.push(await runLoad("dubbo", port, listener, concurrency, seconds, options.quick ? 200 : 500));
      }
    }
  } finally {
    await Promise.all([tcp.stop(), bridge.stop()]);
  }
  const label = { plain: "plain tcp_proxy", wasm: "tcp mode: wasm filter + tcp_proxy", bridge: "bridge: client side + HCM + server side" };
  const rows = c.bridgeLoopback.map((r) => {
    const tcpMode = c.bridgeLoopback.find((p) => p.listener === "wasm" && p.concurrency === r.concurrency)!;
    return [
      label[r.listener], String(r.concurrency), String(r.calls), rate(r.callsPerSecond), `${r.p50Us.toFixed(0)} µs`, `${r.p99Us.toFixed(0)} µs`,
      r.listener === "bridge" ? `${((100 * r.callsPerSecond) / tcpMode.callsPerSecond).toFixed(0)}% of tcp mode` : "",
    ];
  });
  console.log(table(["listener", "in flight", "calls", "throughput", "p50", "p99", ""], rows));
}

function printTargets(c: Collected, all: Workload[]): void {
  heading("Targets");
  const lines: string[] = [];
  const dubbo = (perEvent: number, mutation = false, accessLog = false, extra = "") =>
    c.modules.find((m) => m.workload === "dubbo" && m.perEvent === perEvent && m.mutation === mutation && m.accessLog === accessLog && m.extra === extra);
  const d64 = dubbo(64);
  if (d64) {
    const share = d64.requestNs! / (d64.requestNs! + d64.responseNs!);
    lines.push(
      `${mark(d64.nsPerRequest < 1000)} < 1 µs of filter time per typical Dubbo request decoded (and routed: see "with routes"), 64 per event: ` +
        `${ns(d64.nsPerRequest)} with its response, of which ~${(100 * share).toFixed(0)}% in the request direction (split columns); ` +
        `${ns(dubbo(64, true, true)?.nsPerRequest)} with access log and mutation; ${ns(dubbo(64, false, false, "method routes")?.nsPerRequest)} with routes on the method, ` +
        `${ns(dubbo(64, false, false, "routes")?.nsPerRequest)} with routes (one on an attachment), ` +
        `${ns(dubbo(64, false, false, "rate limit")?.nsPerRequest)} with the rate limit`,
    );
    const floor = c.floors.find((f) => f.workload === "dubbo" && f.perEvent === 64)!;
    lines.push(`${mark(d64.nsPerRequest <= 2 * floor.nsPerRequest)} at most 2x the pass-through floor (Dubbo, 64 per event): ${ns(d64.nsPerRequest)} vs ${ns(floor.nsPerRequest)} = ${(d64.nsPerRequest / floor.nsPerRequest).toFixed(1)}x`);
    for (const w of all.filter((x) => x.name !== "dubbo")) {
      const m = c.modules.find((x) => x.workload === w.name && x.perEvent === 64 && !x.mutation && !x.accessLog && !x.extra);
      const f = c.floors.find((x) => x.workload === w.name && x.perEvent === 64);
      if (m && f) lines.push(`    ${w.name}: ${(m.nsPerRequest / f.nsPerRequest).toFixed(1)}x the floor`);
    }
  }
  const ref = c.references.find((r) => r.workload === "dubbo" && r.perEvent === 64);
  if (ref && d64) {
    const speedup = ref.nsPerRequest / d64.nsPerRequest;
    lines.push(`${mark(speedup >= 5)} at least 5x faster than the peers' JS decoder on the same bytes (Dubbo, 64 per event): ${ns(d64.nsPerRequest)} vs ${ns(ref.nsPerRequest)} = ${speedup.toFixed(2)}x`);
    const full = dubbo(64, false, false, "routes");
    if (full) lines.push(`    dubbo with every argument and attachment read (the routes row): ${(ref.nsPerRequest / full.nsPerRequest).toFixed(2)}x`);
    for (const w of all.filter((x) => x.name !== "dubbo")) {
      const m = c.modules.find((x) => x.workload === w.name && x.perEvent === 64 && !x.mutation && !x.accessLog && !x.extra);
      const r = c.references.find((x) => x.workload === w.name && x.perEvent === 64);
      if (m && r) lines.push(`    ${w.name}: ${(r.nsPerRequest / m.nsPerRequest).toFixed(2)}x`);
    }
  }
  for (const m of c.memory) {
    if (m.bytesPerIdleConnection !== undefined) {
      lines.push(`${mark(m.bytesPerIdleConnection < 1024)} < 1 KiB of wasm memory per idle connection (${m.workload}): ~${bytes(m.bytesPerIdleConnection)}`);
      break; // the same for every module: the framework's Connection
    }
  }
  for (const s of c.sizes.filter((x) => !x.path.includes("/debug/"))) {
    lines.push(`${mark(s.bytes < 100 * 1024)} optimised module under 100 KiB (tcp mode's target): ${s.path} ${bytes(s.bytes)}`);
    lines.push(`${mark(s.bytes < 128 * 1024)} optimised module under 128 KiB (with bridge mode and its HTTP/2 library): ${s.path} ${bytes(s.bytes)}`);
  }
  const b64 = c.bridge.find((b) => b.perEvent === 64);
  if (b64) {
    const tcp = c.bridgeTcp.find((t) => t.perEvent === 64 && !t.extra)!;
    lines.push(
      `${mark(b64.nsPerRequest < 3000)} < 3 µs of wasm time per Dubbo call in bridge mode (client side + server side, request + response), 64 per event: ` +
        `${ns(b64.nsPerRequest)} (client side ${ns(b64.clientNs)}, server side ${ns(b64.serverNs)}); tcp mode ${ns(tcp.nsPerRequest)}`,
    );
  }
  console.log(lines.length > 0 ? lines.join("\n") : "(no section measured a target)");
}

try {
  await main();
} catch (error) {
  // Printed by hand: an uncaught error would go through binaryen's handler (loaded by the asc compiler), which prints
  // a minified line of several megabytes.
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
}

// The fuzzing harness under `make test`: every module, the HTTP/2 library and bridge mode's two sides for a few
// seconds (deterministic seed), and the harness's own check that it finds a planted trap, writes the input and
// replays it. `make fuzz` runs it longer.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { passThroughModuleOrHead } from "../bench/passthrough/compile.ts";
import { corpus, MODULES } from "./corpus.ts";
import { BridgeFuzzer } from "./bridge_fuzzer.ts";
import { ModuleFuzzer, replay } from "./harness.ts";
import { Http2Fuzzer } from "./http2_fuzzer.ts";
import { summarize, type FuzzSummary } from "./run.ts";

const SECONDS_PER_MODULE = 4;

/**
 * A short run found nothing: no trap, no failed check, over 100 random cases, at least `minSplitInputs` split inputs,
 * and malformed inputs closed connections, each followed by a canary; with `pairsAccepted`, every well-formed corpus
 * input was accepted.
 */
function assertClean(stats: FuzzSummary, minSplitInputs: number, pairsAccepted: boolean): void {
  const report = summarize([stats]).join("\n");
  console.log(report);
  assert.equal(stats.traps, 0, report);
  assert.deepEqual(stats.findings, [], report);
  assert.deepEqual(stats.anomalies, [], report);
  if (pairsAccepted) assert.deepEqual(stats.rejectedPairs, [], report);
  assert.ok(stats.cases > 100, `only ${stats.cases} cases ran`);
  assert.ok(stats.splitInputs >= minSplitInputs, `the split pass ran ${stats.splitInputs} inputs`);
  assert.ok(stats.closes > 0 && stats.canaries === stats.closes, "malformed inputs closed connections, each followed by a canary");
}

describe("fuzzing", { timeout: 120_000 }, () => {
  for (const module of MODULES) {
    it(`${module}: no trap, bounded memory, splits and canaries as expected (${SECONDS_PER_MODULE} s)`, async () => {
      assertClean(await new ModuleFuzzer(module, { seed: 7, seconds: SECONDS_PER_MODULE }).run(), 1, false);
    });
  }

  it(`http2 (the HTTP/2 and HPACK library): no trap, bounded memory, splits and canaries as expected (${SECONDS_PER_MODULE} s)`, async () => {
    assertClean(await new Http2Fuzzer({ seed: 7, seconds: SECONDS_PER_MODULE }).run(), 1001, true);
  });

  for (const module of MODULES) {
    it(`bridge mode, ${module} as client side and server side: no trap, bounded memory, splits and canaries as expected (${SECONDS_PER_MODULE} s)`, async () => {
      assertClean(await new BridgeFuzzer(module, { seed: 7, seconds: SECONDS_PER_MODULE }).run(), 1001, true);
    });
  }

  it("finds a planted trap, writes the input, goes on with a new VM, and the input replays", async () => {
    const { path: wasmPath } = await passThroughModuleOrHead();
    const findingsDir = mkdtempSync(join(tmpdir(), "fuzz-self-test-"));
    const echo = corpus("awesomerpc").pairs[0];
    const stats = await new ModuleFuzzer("awesomerpc", {
      seed: 3,
      seconds: 0,
      minCases: 10_000, // the seed reaches the planted byte well within this, however loaded the machine
      wasmPath,
      protocol: "passthrough",
      skipSplits: true,
      writeFindings: true,
      findingsDir,
      configs: [{ name: "planted trap", json: { stat_prefix: "fuzz", codec: { framing: "awesomerpc", trap_on_byte: 0xee } }, canary: echo }],
    }).run();
    assert.ok(stats.traps > 0, `the planted trap was not found in ${stats.cases} cases`);
    const finding = stats.findings[0];
    assert.match(finding.message, /trap: .*unreachable/);
    assert.ok(finding.file && existsSync(finding.file));
    assert.ok(stats.cases > stats.traps, "the harness went on after the trap");
    const text = readFileSync(finding.file!, "utf8");
    rmSync(findingsDir, { recursive: true, force: true });
    const replayed = await replay(text);
    assert.equal(replayed.trapped, true);
  });
});

// The meta-protocol-wasm command as users run it: through the bin launcher (generator/bin/meta-protocol-wasm.js).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";

const LAUNCHER = "generator/bin/meta-protocol-wasm.js";

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("meta-protocol-wasm", () => {
  const dir = mkdtempSync(join(tmpdir(), "generator-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its usage with --help", () => {
    const { status, stdout } = run("--help");
    assert.equal(status, 0);
    assert.match(stdout, /meta-protocol-wasm istio -f FILE\.\.\. \[-o OUT\] \[--envoyfilter\]/);
    assert.match(stdout, /meta-protocol-wasm envoy -f FILE\.\.\./);
  });

  it("writes Istio resources to stdout", () => {
    const { status, stdout, stderr } = run("istio", "-f", "istio/examples/dubbo-outbound/services.yaml");
    assert.equal(stderr, "");
    assert.equal(status, 0);
    assert.equal(stdout, readFileSync("istio/examples/dubbo-outbound/expected.yaml", "utf8"));
  });

  it("writes an Envoy bootstrap to a file with -o, with --admin", () => {
    const out = join(dir, "bootstrap.yaml");
    const { status } = run("envoy", "-f", "envoy/services/dubbo.yaml", "-o", out, "--admin", "127.0.0.1:19000");
    assert.equal(status, 0);
    assert.equal(parse(readFileSync(out, "utf8")).admin.address.socket_address.port_value, 19000);
  });

  it("reads several files into one output", () => {
    const { status, stdout } = run("istio", "-f", "istio/examples/dubbo-outbound/services.yaml", "-f", "istio/examples/thrift-inbound-ratelimit/services.yaml");
    assert.equal(status, 0);
    assert.equal(parseAllDocuments(stdout).length, 3); // dubbo: WasmPlugin + early data; thrift: WasmPlugin
  });

  it("prints the pod annotation that exposes the metrics", () => {
    const { status, stdout } = run("pod-annotation");
    assert.equal(status, 0);
    const config = parse(parse(stdout).metadata.annotations["proxy.istio.io/config"]);
    assert.deepEqual(config, { proxyStatsMatcher: { inclusionPrefixes: ["meta_protocol.", "wasmcustom.meta_protocol."] }, extraStatTags: ["protocol", "stat_prefix", "service", "method", "route", "cluster"] });
  });

  it("exits with 2 and the error on stderr for bad input", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "kind: MetaProtocolService\nname: Demo\n");
    const { status, stdout, stderr } = run("istio", "-f", file);
    assert.equal(status, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, `meta-protocol-wasm: ${file}:2:7: name: expected a DNS label (lower case letters, digits and '-', at most 63), got "Demo"\n`);
  });

  it("exits with 2 for a missing file and for bad usage", () => {
    assert.equal(run("envoy", "-f", join(dir, "none.yaml")).status, 2);
    assert.match(run("envoy", "-f", join(dir, "none.yaml")).stderr, /none\.yaml: cannot read the file/);
    assert.equal(run("envoy").status, 2);
    assert.equal(run("nonsense").status, 2);
    assert.equal(run("envoy", "--envoyfilter", "-f", "envoy/services/dubbo.yaml").status, 2);
    assert.match(run("istio", "--bogus").stderr, /Unknown option '--bogus'/);
  });
});

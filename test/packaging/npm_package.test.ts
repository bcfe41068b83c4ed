// The npm package as users get it: `npm pack` here, `npm install <tarball>` into an empty folder (its dependencies
// come from the registry or npm's cache, none of the repository's), then `npx meta-protocol-wasm` there: --version,
// --help, and generations that use the modules the package ships. Needs `make build` and the registry or a warm cache.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";

const VERSION = JSON.parse(readFileSync("package.json", "utf8")).version;

const SERVICE = `kind: MetaProtocolService
name: demo
protocol: dubbo
module: { url: "oci://registry.example/meta-protocol-wasm/dubbo:${VERSION}" }
host: provider.demo.svc.cluster.local
port: 20880
clientSelector: { app: consumer }
serverSelector: { app: provider }
routes:
- match: { attributes: { method: { regex: "say.*" } } }
  route: [{ destination: { subset: v2 } }]
`;

describe("the npm package, installed from its tarball into an empty folder", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "npm-package-"));
  const project = join(dir, "project");
  let files: string[] = [];

  /** npx as a user runs it in the project (--no: never fetch a package of that name from the registry). */
  const npx = (...args: string[]) => spawnSync("npx", ["--no", "--", "meta-protocol-wasm", ...args], { cwd: project, encoding: "utf8" });

  before(() => {
    // --ignore-scripts: `prepare` patches the repository's own node_modules, nothing the package needs.
    const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { encoding: "utf8" }));
    files = packed[0].files.map((file: { path: string }) => file.path);
    mkdirSync(project);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, packed[0].filename)], { cwd: project, stdio: "ignore" });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ships the generator and the optimised modules, not the sources, tests or debug builds", () => {
    for (const file of ["generator/bin/meta-protocol-wasm.js", "generator/cli.ts", "build/awesomerpc.wasm", "build/dubbo.wasm", "build/thrift.wasm", "package.json"]) {
      assert.ok(files.includes(file), `${file} is not in the package`);
    }
    // Of the modules' sources, only the metric naming the generator shares with them (stat tags).
    assert.deepEqual(files.filter((file) => /^(assembly|filters|test|patches)\/|^build\/debug\//.test(file)), ["assembly/core/stats/stat_tags.ts"]);
  });

  it("installs with its runtime dependencies only", () => {
    assert.ok(existsSync(join(project, "node_modules/meta-protocol-wasm/build/dubbo.wasm")));
    for (const devOnly of ["assemblyscript", "@solo-io/proxy-runtime", "typescript", "patch-package"]) {
      assert.ok(!existsSync(join(project, "node_modules", devOnly)), `${devOnly} was installed`);
    }
  });

  it("npx meta-protocol-wasm --version", () => {
    const result = npx("--version");
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, `meta-protocol-wasm ${VERSION}\n`);
  });

  it("npx meta-protocol-wasm --help names the built-in protocols it ships", () => {
    const result = npx("--help");
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage:\n  meta-protocol-wasm istio -f FILE\.\.\./);
    assert.match(result.stdout, /built-in protocol \(awesomerpc, dubbo, thrift\)/);
  });

  it("npx meta-protocol-wasm istio and envoy generate, with the shipped module as the Envoy module", () => {
    writeFileSync(join(project, "services.yaml"), SERVICE);
    const istio = npx("istio", "-f", "services.yaml");
    assert.equal(istio.stderr, "");
    assert.deepEqual(parseAllDocuments(istio.stdout).map((d) => `${d.get("kind")}/${(d.toJS() as any).metadata.name}`), [
      "WasmPlugin/demo-outbound",
      "WasmPlugin/demo-inbound",
      "EnvoyFilter/demo-early-data",
    ]);
    const envoy = npx("envoy", "-f", "services.yaml", "-o", "envoy.yaml");
    assert.equal(envoy.status, 0, envoy.stderr);
    const wasm = parse(readFileSync(join(project, "envoy.yaml"), "utf8")).static_resources.listeners[0].filter_chains[0].filters[0];
    assert.equal(wasm.typed_config.config.vm_config.code.local.filename, "node_modules/meta-protocol-wasm/build/dubbo.wasm");
  });

  it("refuses what the shipped module refuses, exit status 2", () => {
    writeFileSync(join(project, "bad.yaml"), SERVICE.replace('"say.*"', '"say(.*"'));
    const result = npx("istio", "-f", "bad.yaml");
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^meta-protocol-wasm: bad\.yaml:10:43: routes\[0\]\.match\.attributes\.method\.regex: refused by the dubbo filter \(.*node_modules\/meta-protocol-wasm\/build\/dubbo\.wasm\): field 'routes\[0\]\.match\.metadata\[0\]\.safe_regex_match\.regex': missing \)/);
  });
});

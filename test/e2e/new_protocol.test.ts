// The documented recipe for adding a protocol (docs/architecture.md, "Adding a protocol"), followed on a scratch
// protocol in a copy of the repository, so that the recipe cannot rot: copy filters/awesomerpc/ to
// filters/<name>/, rename the protocol in codec.ts, describe the service in envoy/services/<name>.yaml, then
// `make build` and `make envoy-config`, and proxy a call through the generated bootstrap on the bundled host.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { AwesomeRpcClient } from "../peers/awesomerpc/client.ts";
import { Command, startAwesomeRpcServer, type AwesomeRpcServer } from "../peers/awesomerpc/server.ts";
import { bootstrapFor, startTestHost, type RunningHost, total } from "./host_fixture.ts";

const NAME = "scratchrpc";
/** What a copy of the repository needs for the recipe (the build's outputs too, so that only the new module builds). */
const COPIED = ["Makefile", "asconfig.json", "package.json", "package-lock.json", "patches", "assembly", "filters", "envoy", "generator", "build"];

describe("adding a protocol, as the docs say", { timeout: 240_000 }, () => {
  let repo: string;
  let server: AwesomeRpcServer;
  let host: RunningHost | undefined;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), "new-protocol-"));
    // cp -a semantics (timestamps kept): make then sees everything but the new protocol as up to date.
    for (const entry of COPIED) cpSync(entry, join(repo, entry), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(process.cwd(), "node_modules"), join(repo, "node_modules"));
    server = await startAwesomeRpcServer();
  });
  after(async () => {
    await host?.stop();
    await server?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it("one folder and a service description give a module, a bootstrap, and a working proxy", async () => {
    cpSync(join(repo, "filters/awesomerpc"), join(repo, `filters/${NAME}`), { recursive: true });
    const codec = join(repo, `filters/${NAME}/codec.ts`);
    const renamed = readFileSync(codec, "utf8").replace('return "awesomerpc";', `return "${NAME}";`);
    assert.ok(renamed.includes(`return "${NAME}";`), "the protocol's name is where the recipe says");
    writeFileSync(codec, renamed);
    const service = readFileSync(join(repo, "envoy/services/awesomerpc.yaml"), "utf8")
      .replace(/^name: awesomerpc$/m, `name: ${NAME}`)
      .replace(/^protocol: awesomerpc$/m, `protocol: ${NAME}`);
    writeFileSync(join(repo, `envoy/services/${NAME}.yaml`), service);

    execFileSync("make", ["build", "envoy-config"], { cwd: repo, stdio: "pipe" });
    assert.ok(existsSync(join(repo, `build/${NAME}.wasm`)));
    const bootstrap = join(repo, `envoy/${NAME}.yaml`);
    const wasm = parse(readFileSync(bootstrap, "utf8")).static_resources.listeners[0].filter_chains[0].filters[0];
    assert.equal(wasm.typed_config.config.vm_config.code.local.filename, `build/${NAME}.wasm`);

    const config = bootstrapFor(bootstrap, server.port);
    config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code.local.filename = join(repo, `build/${NAME}.wasm`);
    host = await startTestHost(config, config.static_resources.listeners[0].name);
    const client = await AwesomeRpcClient.connect(host.port);
    assert.deepEqual(await client.call(Command.Upper, "new"), { responseCode: 0, body: "NEW" });
    client.close();
    assert.equal(total(await host.prometheus(), { protocol: NAME, statPrefix: "demo" }, "request"), 1);
  });
});

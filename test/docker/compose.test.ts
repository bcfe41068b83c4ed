// The docker-compose scenarios (test/docker/<protocol>/): no Docker engine exists here, so this checks what can be
// checked without one, and runs the scenario itself on the bundled host.
// - `docker-compose config` (Debian's docker-compose 1.29, which needs no engine for `config`) accepts the file; the
//   Envoy image is a pinned 1.37+ release; every mounted file exists; the peers' entry points exist.
// - The mounted Envoy bootstrap passes the Envoy proto validator, is envoy/<protocol>.yaml with only its addresses
//   changed, points at the compose services, and is accepted by the bundled host's bootstrap reader.
// - The same provider and consumer commands as in the compose file (same entry points and options: only the
//   addresses are local), through the same bootstrap on the bundled host, with the consumer's exit code and summary
//   line checked against the same test/docker/<protocol>/expected_output that test/docker/run.sh uses.
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { loadBootstrap } from "../host/proxy/bootstrap.ts";
import { startHost } from "../host/proxy/server.ts";
import { LogLevel } from "../host/api.ts";
import { validateEnvoyMessage } from "../validation/envoy_proto.ts";

const REPO = realpathSync(path.resolve(import.meta.dirname, "../.."));
const ENVOY_IMAGE = /^envoyproxy\/envoy:v1\.(3[7-9]|[4-9]\d)\.\d+$/;

interface Mount {
  readonly source: string;
  readonly target: string;
}

interface ComposeService {
  readonly image?: string;
  readonly build?: { context: string; dockerfile: string };
  readonly command?: string[];
  readonly volumes?: (string | { source: string; target: string })[];
}

function composeConfig(file: string): { services: Record<string, ComposeService> } {
  let output: string;
  try {
    output = execFileSync("docker-compose", ["-f", file, "config"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error("docker-compose is missing (make system-packages installs Debian's docker-compose)");
    throw new Error(`docker-compose config refused ${file}: ${e.stderr ?? e.message}`);
  }
  return parse(output);
}

/** docker-compose prints absolute paths as it found them; compare them with symbolic links resolved. */
function real(file: string): string {
  return existsSync(file) ? realpathSync(file) : file;
}

function mounts(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== "string") return { source: real(volume.source), target: volume.target };
    const [source, target] = volume.split(":");
    return { source: real(source), target };
  });
}

/** The value after `--name` in a command. */
function option(command: string[], name: string): string {
  const at = command.indexOf(name);
  assert.ok(at >= 0 && at + 1 < command.length, `${name} in ${command.join(" ")}`);
  return command[at + 1];
}

/** A copy of `command` with the value after `--name` replaced. */
function withOption(command: string[], name: string, value: string): string[] {
  option(command, name);
  const copy = [...command];
  copy[copy.indexOf(name) + 1] = value;
  return copy;
}

function socketAddress(address: any): { address: string; port_value: number } {
  return address.socket_address;
}

/** Runs `node --import tsx <command>` from the repository root (the image's entry point and working directory). */
function runPeer(command: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", ...command], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForLine(peer: ReturnType<typeof runPeer>, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(peer.output());
    if (match !== null) return match;
    if (peer.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matching ${pattern} from ${peer.child.spawnargs.join(" ")}:\n${peer.output()}`);
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

for (const [protocol, listenerName] of [["dubbo", "dubbo"], ["thrift", "thrift"]] as const) {
  describe(`docker-compose scenario: ${protocol}`, { timeout: 30_000 }, () => {
    const dir = path.join(REPO, "test/docker", protocol);
    const composeFile = path.join(dir, "docker-compose.yaml");
    const expected = new RegExp(readFileSync(path.join(dir, "expected_output"), "utf8").trim(), "m");
    let services: Record<string, ComposeService>;
    let bootstrap: any;
    let wasmMount: Mount;

    it("docker-compose config accepts the file: provider, Envoy and consumer; a pinned Envoy 1.37+ release", () => {
      services = composeConfig(composeFile).services;
      assert.deepEqual(Object.keys(services).sort(), ["consumer", "envoy", "provider"]);
      assert.match(services.envoy.image ?? "", ENVOY_IMAGE);
      for (const name of ["provider", "consumer"]) {
        const service = services[name];
        assert.equal(real(service.build?.context ?? ""), REPO, `${name} builds from the repository root`);
        assert.equal(service.build?.dockerfile, "test/docker/Dockerfile");
        assert.ok(existsSync(path.join(REPO, "test/docker/Dockerfile")));
        const script = service.command?.[0] ?? "";
        assert.match(script, new RegExp(`^test/peers/${protocol}/(provider|consumer)_main\\.ts$`));
        assert.ok(existsSync(path.join(REPO, script)), `${script} exists`);
      }
    });

    it("mounts files that exist: the bootstrap and build/<protocol>.wasm where the bootstrap loads it", () => {
      const envoyMounts = mounts(services.envoy);
      assert.equal(envoyMounts.length, 2);
      for (const mount of envoyMounts) {
        assert.ok(existsSync(mount.source) && statSync(mount.source).isFile(), `mounted file ${mount.source} exists (make build for the .wasm)`);
      }
      const bootstrapMount = envoyMounts.find((m) => m.target === "/etc/envoy/envoy.yaml");
      assert.ok(bootstrapMount, "the bootstrap is mounted at /etc/envoy/envoy.yaml");
      assert.equal(option(services.envoy.command ?? [], "-c"), bootstrapMount.target);
      assert.equal(bootstrapMount.source, path.join(dir, "envoy.yaml"));
      bootstrap = parse(readFileSync(bootstrapMount.source, "utf8"));
      const filename = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code.local.filename;
      wasmMount = envoyMounts.find((m) => m.target === filename)!;
      assert.ok(wasmMount, `${filename} is mounted`);
      assert.equal(wasmMount.source, path.join(REPO, "build", `${protocol}.wasm`));
    });

    it("the compose bootstrap passes the Envoy proto validator and the bundled host's bootstrap reader", () => {
      assert.deepEqual(validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", bootstrap), []);
      assert.doesNotThrow(() => loadBootstrap(structuredClone(bootstrap)));
    });

    it(`is envoy/${protocol}.yaml with compose addresses, pointing at the compose services`, () => {
      const repo = parse(readFileSync(path.join(REPO, "envoy", `${protocol}.yaml`), "utf8"));
      const listener = bootstrap.static_resources.listeners[0];
      const cluster = bootstrap.static_resources.clusters[0];
      const endpoint = socketAddress(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address);
      // What compose networking needs: every interface, the provider by its service name.
      assert.equal(socketAddress(listener.address).address, "0.0.0.0");
      assert.equal(socketAddress(bootstrap.admin.address).address, "0.0.0.0");
      assert.equal(cluster.type, "STRICT_DNS");
      assert.equal(endpoint.address, "provider");
      assert.equal(String(endpoint.port_value), option(services.provider.command!, "--port"));
      const consumer = services.consumer.command!;
      assert.equal(option(consumer, "--target"), `envoy:${socketAddress(listener.address).port_value}`);
      assert.equal(option(consumer, "--admin"), `envoy:${socketAddress(bootstrap.admin.address).port_value}`);
      // Everything else is the repository's bootstrap.
      const normalized = structuredClone(bootstrap);
      const repoListener = repo.static_resources.listeners[0];
      const repoCluster = repo.static_resources.clusters[0];
      normalized.admin = repo.admin;
      normalized.static_resources.listeners[0].address = repoListener.address;
      normalized.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code =
        repoListener.filter_chains[0].filters[0].typed_config.config.vm_config.code;
      const normalizedCluster = normalized.static_resources.clusters[0];
      normalizedCluster.type = repoCluster.type;
      delete normalizedCluster.dns_lookup_family;
      normalizedCluster.load_assignment = repoCluster.load_assignment;
      assert.deepEqual(normalized, repo);
    });

    it("the same provider and consumer commands through the same bootstrap on the bundled host", async () => {
      const providerCommand = withOption(withOption(services.provider.command!, "--host", "127.0.0.1"), "--port", "0");
      const provider = runPeer(providerCommand);
      children.push(provider.child);
      const [, port] = await waitForLine(provider, /listening on 127\.0\.0\.1:(\d+)/, 15_000);

      // The compose bootstrap, with local addresses: the listener and admin on free loopback ports, the cluster
      // (still STRICT_DNS) resolving localhost instead of the provider service, the module from the mount's source.
      const config = structuredClone(bootstrap);
      config.admin.address.socket_address = { address: "127.0.0.1", port_value: 0 };
      const listener = config.static_resources.listeners[0];
      listener.address.socket_address = { address: "127.0.0.1", port_value: 0 };
      listener.filter_chains[0].filters[0].typed_config.config.vm_config.code.local.filename = wasmMount.source;
      const endpoint = config.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint;
      endpoint.address.socket_address = { address: "localhost", port_value: Number(port) };
      const logs: string[] = [];
      const host = await startHost({ config, concurrency: 1, logLevel: LogLevel.Info, log: (_level, line) => logs.push(line) });
      try {
        let consumerCommand = services.consumer.command!;
        consumerCommand = withOption(consumerCommand, "--target", `127.0.0.1:${host.listenerPort(listenerName)}`);
        consumerCommand = withOption(consumerCommand, "--admin", `127.0.0.1:${host.adminPort}`);
        const consumer = runPeer(consumerCommand);
        children.push(consumer.child);
        const code = await consumer.exited;
        assert.equal(code, 0, `the consumer failed:\n${consumer.output()}`);
        assert.match(consumer.output(), expected);
        const calls = Number(option(consumerCommand, "--calls"));
        assert.equal(logs.filter((l) => l.includes(`access protocol=${protocol}`)).length >= calls, true, "an access log line per call");
      } finally {
        await host.stop();
      }
      provider.child.kill("SIGTERM");
      assert.equal(await provider.exited, 0, provider.output());
      if (protocol === "dubbo") {
        // The filter added its attachment to every call the provider received.
        const [, received, tagged] = await waitForLine(provider, /(\d+) calls received, (\d+) with attachment x-mesh=wasm/, 1000);
        assert.equal(tagged, received);
        assert.ok(Number(received) >= Number(option(services.consumer.command!, "--calls")));
      }
    });
  });
}

// The generator refuses a plugin configuration its filter module would refuse: it runs the module's own
// proxy_on_configure (generator/configure_check/) on every configuration it writes, and names the input field the
// module's complaint comes from. Its minimal host must judge as the bundled Envoy-compatible host does.
// Needs `make build`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { runConfigure } from "../../generator/configure_check/proxy_wasm_configure.ts";
import { envoyBootstrap, generateEnvoyBootstrap, generateIstio, istioResources, readServices } from "../../generator/index.ts";
import { builtInProtocols } from "../../generator/modules.ts";
import { configureError } from "./filter_check.ts";
import { generationError } from "./generation_error.ts";

const SERVICE = `kind: MetaProtocolService
name: demo
protocol: dubbo
module: { url: "oci://registry.example/dubbo:1" }
host: demo.default.svc.cluster.local
port: 20880
`;

function routeOnMethod(regex: string): string {
  return `routes:
- name: first
  match: { attributes: { interface: { exact: com.example.Demo } } }
  route: [{ destination: { subset: v1 } }]
- name: second
  match: { attributes: { interface: { prefix: com. }, method: { regex: ${JSON.stringify(regex)} } } }
  route: [{ destination: { subset: v2 } }]
`;
}


const REGEX_FIELD = "in.yaml:12:72: routes[1].match.attributes.method.regex";
const FILTER_REGEX_FIELD = "field 'routes[1].match.metadata[1].safe_regex_match.regex'";

describe("the generator refuses what the filter module refuses, naming the input field", () => {
  const cases: [string, string, string][] = [
    ["an unbalanced regex", routeOnMethod("create(Order"), `${REGEX_FIELD}: refused by the dubbo filter (MODULE): ${FILTER_REGEX_FIELD}: missing ) at offset 12 (group opened at offset 6)`],
    ["a lookahead", routeOnMethod("(?=say)say.*"), `${REGEX_FIELD}: refused by the dubbo filter (MODULE): ${FILTER_REGEX_FIELD}: lookaround is not supported (RE2 has none): '(?=' at offset 0`],
    ["a back-reference", routeOnMethod("(a)\\1"), `${REGEX_FIELD}: refused by the dubbo filter (MODULE): ${FILTER_REGEX_FIELD}: backreferences are not supported (RE2 has none): '\\1' at offset 3`],
    ["a Unicode class", routeOnMethod("\\p{Lu}.*"), `${REGEX_FIELD}: refused by the dubbo filter (MODULE): ${FILTER_REGEX_FIELD}: Unicode character classes are not supported: '\\p' at offset 0`],
    [
      "an unknown access log command",
      'filter: { accessLogFormat: "%PROTOCOL% %FOO%" }\n',
      "in.yaml:7:28: filter.accessLogFormat: refused by the dubbo filter (MODULE): field 'access_log.format': unknown command %FOO% (known: PROTOCOL, CONNECTION_ID, " +
        "REQUEST_ID, SERVICE, METHOD, MESSAGE_TYPE, ROUTE, CLUSTER, RESPONSE_STATUS, RESPONSE_CODE, RESPONSE_CODE_DETAILS, DURATION, DURATION_US, " +
        "REQUEST_BYTES, RESPONSE_BYTES, START_TIME, METADATA(key), RESPONSE_METADATA(key), ALL_METADATA, %%)",
    ],
    ["a codec option the codec does not have", "filter: { codec: { transport: framed } }\n", "in.yaml:7:18: filter.codec: refused by the dubbo filter (MODULE): field 'codec': the dubbo codec takes no options"],
    [
      "a regex in a rate limit condition",
      "localRateLimit:\n  conditions:\n  - match: { attributes: { method: { regex: 'a[' } } }\n    tokenBucket: { maxTokens: 1, fillInterval: 1s }\n",
      "in.yaml:9:45: localRateLimit.conditions[0].match.attributes.method.regex: refused by the dubbo filter (MODULE): " +
        "field 'local_ratelimit.conditions[0].match.metadata[0].safe_regex_match.regex': missing ] at offset 2 (class opened at offset 1)",
    ],
  ];
  for (const [what, extra, message] of cases) {
    it(`${what}: Istio resources, legacy EnvoyFilter and Envoy bootstrap alike`, () => {
      const [service] = readServices("in.yaml", SERVICE + extra);
      const expected = message.replace("MODULE", join(process.cwd(), "build/dubbo.wasm"));
      assert.equal(generationError(() => istioResources([service])), expected);
      const file = readServices("in.yaml", SERVICE.replace(/module:.*\n/, "module: { url: 'file:///opt/dubbo.wasm' }\n") + extra);
      assert.equal(generationError(() => istioResources(file, { envoyFilter: true })), expected);
      assert.equal(generationError(() => envoyBootstrap([service])), expected.replace(join(process.cwd(), "build/dubbo.wasm"), "build/dubbo.wasm"));
    });
  }

  it("names the MetaRouter's field for Aeraki input", () => {
    const aeraki = `apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: ApplicationProtocol
metadata: { name: dubbo, annotations: { meta-protocol-wasm/module-url: "oci://registry.example/dubbo:1" } }
spec: { protocol: dubbo, codec: aeraki.meta_protocol.codec.dubbo }
---
apiVersion: v1
kind: Service
metadata: { name: provider, namespace: shop }
spec: { selector: { app: provider }, ports: [{ name: tcp-metaprotocol-dubbo-x, port: 20880 }] }
---
apiVersion: metaprotocol.aeraki.io/v1alpha1
kind: MetaRouter
metadata: { name: router, namespace: shop }
spec:
  hosts: [provider.shop.svc.cluster.local]
  routes:
  - match: { attributes: { method: { regex: "get(" } } }
    route: [{ destination: { subset: v1 } }]
`;
    assert.match(
      generationError(() => generateIstio(readServices("aeraki.yaml", aeraki))),
      /^aeraki\.yaml:17:45: spec\.routes\[0\]\.match\.attributes\.method\.regex: refused by the dubbo filter \(.*build\/dubbo\.wasm\): field 'routes\[0\]\.match\.metadata\[0\]\.safe_regex_match\.regex': missing \)/,
    );
  });

  it("exits 2 from the command line with the error on stderr and nothing on stdout", () => {
    const dir = mkdtempSync(join(tmpdir(), "configure-check-"));
    try {
      const file = join(dir, "services.yaml");
      writeFileSync(file, SERVICE + routeOnMethod("create(Order"));
      const result = spawnSync(process.execPath, ["generator/bin/meta-protocol-wasm.js", "istio", "-f", file], { encoding: "utf8" });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, new RegExp(`^meta-protocol-wasm: ${file.replaceAll(".", "\\.")}:12:72: routes\\[1\\]\\.match\\.attributes\\.method\\.regex: refused by the dubbo filter`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("custom modules", () => {
  const dir = mkdtempSync(join(tmpdir(), "custom-module-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const custom = (url: string, extra = "") => SERVICE.replace("protocol: dubbo", "protocol: myrpc").replace(/module:.*\n/, `module: { url: "${url}" }\n`) + extra;

  it("are checked with their local file", () => {
    const module = join(dir, "myrpc.wasm");
    copyFileSync("build/awesomerpc.wasm", module);
    const services = readServices("in.yaml", custom(`file://${module}`, 'filter: { accessLogFormat: "%BAR%" }\n'));
    assert.match(generationError(() => istioResources(services)), new RegExp(`^in\\.yaml:7:28: filter\\.accessLogFormat: refused by the myrpc filter \\(${module.replaceAll(".", "\\.")}\\): field 'access_log\\.format': unknown command %BAR%`));
  });

  it("without a local file are written unchecked, with a warning", () => {
    const warnings: string[] = [];
    const services = readServices("in.yaml", custom("oci://registry.example/myrpc:1", 'filter: { accessLogFormat: "%BAR%" }\n'));
    generateIstio(services, { warn: (message) => warnings.push(message) });
    assert.deepEqual([...new Set(warnings)], [
      "in.yaml: service demo: plugin configuration not checked: no local file of the myrpc module (give a file:// module URL of a file that exists here)",
    ]);
    const file = join(dir, "unchecked.yaml");
    writeFileSync(file, custom("oci://registry.example/myrpc:1"));
    const result = spawnSync(process.execPath, ["generator/bin/meta-protocol-wasm.js", "istio", "-f", file], { encoding: "utf8" });
    assert.equal(result.status, 0);
    assert.equal(result.stderr, `meta-protocol-wasm: warning: ${file}: service demo: plugin configuration not checked: no local file of the myrpc module (give a file:// module URL of a file that exists here)\n`);
  });
});

/**
 * A module whose proxy_on_configure calls proxy_get_property, which configuring does not need: the smallest module
 * that asks the check for more than it provides.
 */
function moduleCallingGetProperty(): Uint8Array {
  const text = (s: string) => [s.length, ...Buffer.from(s)];
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  const [I32, FUNC, CALL, DROP, END] = [0x7f, 0x60, 0x10, 0x1a, 0x0b];
  const i32Const = (n: number) => [0x41, n];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [2, FUNC, 4, I32, I32, I32, I32, 1, I32, FUNC, 2, I32, I32, 1, I32]), // types: get_property, on_configure
    ...section(2, [1, ...text("env"), ...text("proxy_get_property"), 0x00, 0]), // import function 0
    ...section(3, [1, 1]), // function 1 has type 1
    ...section(5, [1, 0x00, 1]), // one page of memory
    ...section(7, [2, ...text("memory"), 0x02, 0, ...text("proxy_on_configure"), 0x00, 1]),
    ...section(10, [1, 15, 0, ...i32Const(0), ...i32Const(0), ...i32Const(0), ...i32Const(0), CALL, 0, DROP, ...i32Const(1), END]),
  ]);
}

describe("a module that needs more than configuring takes", () => {
  it("stops the generator with one line naming the call, exit status 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "unsupported-call-"));
    try {
      const module = join(dir, "needy.wasm");
      writeFileSync(module, moduleCallingGetProperty());
      const services = join(dir, "services.yaml");
      writeFileSync(services, SERVICE.replace("protocol: dubbo", "protocol: needy").replace(/module:.*\n/, `module: { url: "file://${module}" }\n`));
      const result = spawnSync(process.execPath, ["generator/bin/meta-protocol-wasm.js", "istio", "-f", services], { encoding: "utf8" });
      assert.equal(result.status, 1);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        `meta-protocol-wasm: cannot check the plugin configuration: ${module} called env.proxy_get_property in proxy_on_configure, which the generator's configuration check does not provide\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("built-in protocols are the modules the build made from filters/<protocol>/", () => {
  it("one per filters/ folder with a main.ts", () => {
    const folders = readdirSync("filters", { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && readdirSync(join("filters", entry.name)).includes("main.ts"))
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual(builtInProtocols(), folders);
  });

  it("a module added to build/ is built in: no module URL needed, its file in the bootstrap, its configuration checked", () => {
    const scratch = "build/scratchrpc.wasm";
    copyFileSync("build/awesomerpc.wasm", scratch);
    try {
      const text = SERVICE.replace("protocol: dubbo", "protocol: scratchrpc").replace(/module:.*\n/, "");
      const bootstrap = parse(generateEnvoyBootstrap(readServices("in.yaml", text)));
      assert.equal(bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code.local.filename, scratch);
      const refused = readServices("in.yaml", text + 'filter: { accessLogFormat: "%BAR%" }\n');
      assert.match(generationError(() => envoyBootstrap(refused)), /refused by the scratchrpc filter \(build\/scratchrpc\.wasm\)/);
    } finally {
      rmSync(scratch);
    }
  });
});

describe("the generator's minimal host judges as the bundled Envoy-compatible host", () => {
  const regex = (r: string) => ({ routes: [{ match: { metadata: [{ name: "method", safe_regex_match: { regex: r } }] }, route: { cluster: "c" } }] });
  const configurations: Record<string, unknown>[] = [
    {},
    { stat_prefix: "a", max_frame_size: 4096, frame_timeout: "1s", request_id: { generate: true }, access_log: { format: "%METHOD% %DURATION%" } },
    { local_ratelimit: { token_bucket: { max_tokens: 1, fill_interval: "1s" } } },
    { ratelimit: { domain: "d", descriptors: [{ property: "method", descriptor_key: "m" }], rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: "rls" } } } } },
    regex("say.*|echo.*"),
    regex("create(Order"),
    regex("(?<=a)b"),
    { stat_prefix: "a.b" },
    { frame_timeout: "0.1s" },
    { codec: { transport: "nope" } },
    { unknown: 1 },
    { access_log: { format: "%FOO%" } },
  ];
  for (const protocol of builtInProtocols()) {
    for (const configuration of configurations) {
      const text = JSON.stringify(configuration);
      it(`${protocol} ${text}`, async () => {
        const hostError = await configureError(protocol, text);
        const { accepted, log } = runConfigure(`build/${protocol}.wasm`, text);
        assert.equal(accepted, hostError === undefined, `minimal host: ${accepted ? "accepted" : log.join("; ")}; bundled host: ${hostError ?? "accepted"}`);
        // The bundled host prints the module's line as Envoy does: "wasm log <root_id> <vm_id>: <message>".
        for (const line of log.filter((l) => l.startsWith("critical: "))) assert.ok(hostError?.includes(line.slice("critical: ".length)), `${line} not in ${hostError}`);
      });
    }
  }
});

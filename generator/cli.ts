// The meta-protocol-wasm command: reads service files, writes Istio resources or a plain Envoy bootstrap; packs a
// filter module as an OCI image.
// Exit codes: 0 done, 2 bad input or usage (the error on stderr), 1 anything else (a module whose configuration
// cannot be checked: one line on stderr).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { UnsupportedHostCall } from "./configure_check/proxy_wasm_configure.ts";
import { generateEnvoyBootstrap } from "./envoy_bootstrap.ts";
import { loadServices } from "./input/load.ts";
import { InputError } from "./input/reader.ts";
import type { UncheckedWarning } from "./plugin_check.ts";
import { generateIstio } from "./istio.ts";
import { builtInProtocols } from "./modules.ts";
import { OciLayoutError, writeModuleImage } from "./oci/image_layout.ts";
import { podAnnotationSnippet } from "./stats.ts";

function usage(): string {
  return `Usage:
  meta-protocol-wasm istio -f FILE... [-o OUT] [--envoyfilter]
  meta-protocol-wasm envoy -f FILE... [-o OUT] [--admin ADDRESS:PORT]
  meta-protocol-wasm pod-annotation [-o OUT]
  meta-protocol-wasm oci-image -f MODULE.wasm -o DIR [--tag TAG]

Reads MetaProtocolService documents (or Aeraki MetaRouter + ApplicationProtocol resources with their Kubernetes
Services) and writes YAML to OUT, or to stdout. Every plugin configuration written is first checked by the filter
module's own proxy_on_configure: the module this package ships for a built-in protocol (${builtInProtocols().join(", ")}),
or a custom module's local file.

  istio            Istio resources: a WasmPlugin (type NETWORK) per side, and an EnvoyFilter that lets tcp_proxy
                   take early data when the filter routes connections (Istio 1.20+, Envoy 1.37+ for routing)
  envoy            one Envoy bootstrap with a listener per service (wasm filter, then tcp_proxy) and its clusters
  pod-annotation   the proxy.istio.io/config annotation that keeps the filters' metrics, with their tags
                   (protocol, stat_prefix, service, method, route, cluster) as labels
  oci-image        the module as an OCI image (the layout Istio's WasmPlugin oci:// URLs fetch) in the OCI image
                   layout directory DIR, tagged TAG (default: this version); prints DIR:TAG and the image digest,
                   which is the WasmPlugin's sha256. Push it with skopeo copy oci:DIR:TAG docker://REGISTRY/REPO:TAG

Options:
  -f, --file FILE        input file (repeat for several)
  -o, --output OUT       write to OUT instead of stdout
      --envoyfilter      istio: EnvoyFilters that insert the wasm filter, for Istio before 1.20 (no WasmPlugin)
      --admin ADDR:PORT  envoy: the admin address (default: the services' envoy.admin, else 127.0.0.1:9901)
      --tag TAG          oci-image: the image's tag
  -h, --help             this text
      --version          the package version (the generator and the modules it ships are released together)

Exit status: 0 on success, 2 on bad input or usage (the error, with file, line and field, on stderr).`;
}

class UsageError extends Error {}

export function main(argv: readonly string[]): number {
  try {
    const { command, files, output, envoyFilter, admin, tag } = parseCommandLine(argv);
    if (command === "help") {
      process.stdout.write(usage() + "\n");
      return 0;
    }
    if (command === "version") {
      process.stdout.write(`meta-protocol-wasm ${packageVersion()}\n`);
      return 0;
    }
    if (command === "oci-image") {
      process.stdout.write(ociImage(files, output, tag ?? packageVersion()));
      return 0;
    }
    const warnings = new Set<string>();
    const text = generateFromFiles(command, files, { envoyFilter, admin, warn: (message) => warnings.add(message) });
    for (const warning of warnings) process.stderr.write(`meta-protocol-wasm: warning: ${warning}\n`);
    if (output === undefined) process.stdout.write(text);
    else writeFileSync(output, text);
    return 0;
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError || error instanceof OciLayoutError) {
      process.stderr.write(`meta-protocol-wasm: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write("Run meta-protocol-wasm --help for usage.\n");
      return 2;
    }
    if (error instanceof UnsupportedHostCall) {
      process.stderr.write(`meta-protocol-wasm: cannot check the plugin configuration: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export interface GenerateOptions {
  readonly envoyFilter?: boolean;
  readonly admin?: { readonly address: string; readonly port: number };
  readonly warn?: UncheckedWarning;
}

/** The package's version: the generator and the modules it ships are released together. */
export function packageVersion(): string {
  return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
}

/** What the command prints for `files` (paths as given: they appear in the generated header). */
export function generateFromFiles(command: Exclude<Command, "oci-image">, files: readonly string[], options: GenerateOptions = {}): string {
  if (command === "pod-annotation") return podAnnotationSnippet();
  if (files.length === 0) throw new UsageError(`${command}: at least one -f FILE is required`);
  const services = loadServices(...files);
  const header = `Generated by meta-protocol-wasm ${command} from ${files.join(", ")}. Do not edit: change the input and regenerate.`;
  if (command === "istio") return generateIstio(services, { envoyFilter: options.envoyFilter ?? false, header, warn: options.warn });
  const envoyOptions = { header: envoyHeader(header, services.map((s) => s.description)), admin: options.admin, warn: options.warn };
  return generateEnvoyBootstrap(services, envoyOptions);
}

/** Writes the module `files[0]` as an image into the layout directory `output`; says where and its digest. */
function ociImage(files: readonly string[], output: string | undefined, tag: string): string {
  if (files.length !== 1) throw new UsageError("oci-image: expected one -f MODULE.wasm");
  if (output === undefined) throw new UsageError("oci-image: expected -o DIR, the OCI image layout directory to write");
  const { manifestDigest } = writeModuleImage(files[0], output, tag);
  return `${output}:${tag} ${manifestDigest}\n`;
}

/** The generated-by line, then the services' descriptions. */
function envoyHeader(generated: string, descriptions: (string | undefined)[]): string {
  return [...descriptions.filter((d) => d !== undefined).map((d) => d.trimEnd()), generated].join("\n");
}

function parseCommandLine(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f", multiple: true },
        output: { type: "string", short: "o" },
        envoyfilter: { type: "boolean" },
        admin: { type: "string" },
        tag: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || (positionals.length === 0 && !values.version)) return { command: "help" as const, files: [], envoyFilter: false };
  if (values.version) return { command: "version" as const, files: [], envoyFilter: false };
  const command = positionals[0];
  if (!isCommand(command)) throw new UsageError(`unknown command ${command}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  if (values.envoyfilter && command !== "istio") throw new UsageError("--envoyfilter applies to the istio command");
  if (values.admin !== undefined && command !== "envoy") throw new UsageError("--admin applies to the envoy command");
  if (values.tag !== undefined && command !== "oci-image") throw new UsageError("--tag applies to the oci-image command");
  return {
    command,
    files: values.file ?? [],
    output: values.output,
    envoyFilter: values.envoyfilter ?? false,
    admin: values.admin === undefined ? undefined : parseAdmin(values.admin),
    tag: values.tag,
  };
}

const COMMANDS = ["istio", "envoy", "pod-annotation", "oci-image"] as const;
type Command = (typeof COMMANDS)[number];

function isCommand(text: string): text is Command {
  return (COMMANDS as readonly string[]).includes(text);
}

function parseAdmin(text: string): { address: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  if (match === null || Number(match[2]) > 65535) throw new UsageError(`--admin: expected ADDRESS:PORT, got ${text}`);
  return { address: match[1].replace(/^\[(.*)\]$/, "$1"), port: Number(match[2]) };
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));

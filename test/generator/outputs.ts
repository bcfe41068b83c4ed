// Every output the repository keeps generated: envoy/<protocol>.yaml from envoy/services/<protocol>.yaml, and the
// Istio examples' expected files from their input (istio/examples/<name>/: one input YAML, and
// expected.yaml (WasmPlugin), expected.envoyfilter.yaml (--envoyfilter) and/or expected.envoy.yaml (envoy)).
// equivalent*.yaml files are hand-written Envoy configurations, neither input nor output of the generator.
import { existsSync, readdirSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { GenerateOptions } from "../../generator/cli.ts";

export interface GeneratedOutput {
  readonly command: "istio" | "envoy";
  readonly input: string;
  readonly output: string;
  readonly options: GenerateOptions;
}

const EXAMPLE_OUTPUTS = [
  { file: "expected.yaml", command: "istio", options: {} },
  { file: "expected.envoyfilter.yaml", command: "istio", options: { envoyFilter: true } },
  { file: "expected.envoy.yaml", command: "envoy", options: {} },
] as const;

export function envoyConfigs(): GeneratedOutput[] {
  return readdirSync("envoy/services")
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => ({ command: "envoy", input: `envoy/services/${file}`, output: `envoy/${file}`, options: {} }));
}

export function istioExamples(): GeneratedOutput[] {
  return readdirSync("istio/examples").flatMap((example) => {
    const dir = `istio/examples/${example}`;
    const inputs = readdirSync(dir).filter((file) => file.endsWith(".yaml") && !file.startsWith("expected") && !file.startsWith("equivalent"));
    const outputs = EXAMPLE_OUTPUTS.filter(({ file }) => existsSync(`${dir}/${file}`));
    if (inputs.length === 0 && outputs.length === 0) return []; // hand-written configurations only
    if (inputs.length !== 1) throw new Error(`${dir}: expected one input YAML besides expected*.yaml, got ${inputs.join(", ")}`);
    return outputs.map(({ file, command, options }) => ({
      command,
      input: `${dir}/${inputs[0]}`,
      output: `${dir}/${file}`,
      options,
    }));
  });
}

/** The plugin configurations in a generated YAML text, with the protocol (module) they are for. */
export function pluginConfigurations(text: string): { protocol: string; configuration: string }[] {
  const found: { protocol: string; configuration: string }[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const object = value as Record<string, any>;
    if (object.kind === "WasmPlugin") found.push({ protocol: object.spec.pluginName, configuration: JSON.stringify(object.spec.pluginConfig) });
    if (typeof object.root_id === "string" && object.configuration?.value !== undefined) {
      found.push({ protocol: object.root_id, configuration: object.configuration.value });
    }
    Object.values(object).forEach(visit);
  };
  parseAllDocuments(text).forEach((document) => {
    if ("toJS" in document) visit(document.toJS());
  });
  return found;
}

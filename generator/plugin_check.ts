// Every plugin configuration the generator writes is checked by the filter module it is for, with the module's own
// proxy_on_configure (generator/configure_check/): the filters stay the one place that knows what a configuration
// may hold (regex syntax, access log commands, codec options, ...). A refusal is an input error that names the
// field the user wrote, found by tracing the field the filter names back to the input (plugin_config.ts).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runConfigure } from "./configure_check/proxy_wasm_configure.ts";
import type { Node } from "./input/reader.ts";
import type { ServiceSpec } from "./model.ts";
import { isBuiltIn, shippedModule } from "./modules.ts";
import { type BridgeSide, type ConfigOrigins, type Side, tracedBridgeConfig, tracedPluginConfig } from "./plugin_config.ts";

/** Told about services whose configuration could not be checked (a custom module with no file here). */
export type UncheckedWarning = (message: string) => void;

/** The output a configuration is written for: the module that will load it is found differently. */
export type Output = "istio" | "envoy";

/** The plugin configuration of `service` on `side`, once its module accepted it; else an InputError. */
export function checkedPluginConfig(service: ServiceSpec, side: Side, output: Output, warn?: UncheckedWarning): Record<string, unknown> {
  return checked(service, tracedPluginConfig(service, side), output, warn);
}

/** The configuration of one side of a bridge-mode service, once its module accepted it; else an InputError. */
export function checkedBridgeConfig(service: ServiceSpec, side: BridgeSide, warn?: UncheckedWarning, output: Output = "envoy"): Record<string, unknown> {
  return checked(service, tracedBridgeConfig(service, side), output, warn);
}

function checked(service: ServiceSpec, { json, origins }: { json: Record<string, unknown>; origins: ConfigOrigins }, output: Output, warn?: UncheckedWarning): Record<string, unknown> {
  const module = moduleToCheck(service, output);
  if (module === undefined) {
    warn?.(
      `${service.origin.source.file}: service ${service.name}: plugin configuration not checked: no local file of the ` +
        `${service.protocol} module (give ${output === "envoy" ? "envoy.module" : "a file:// module URL"} of a file that exists here)`,
    );
    return json;
  }
  const { accepted, log } = runConfigure(module, JSON.stringify(json));
  if (accepted) return json;
  const reason = refusalReason(log);
  const field = /field '([^']*)'/.exec(reason)?.[1];
  const node = (field !== undefined && closestOrigin(origins, field)) || service.origin;
  return node.fail(`refused by the ${service.protocol} filter (${module}): ${reason}`);
}

/**
 * The file of the module that will load the configuration, when it is here: the Envoy bootstrap's module file, or
 * an Istio file:// URL; else, for a built-in protocol, the module this package ships.
 */
export function moduleToCheck(service: ServiceSpec, output: Output): string | undefined {
  const url = service.module.url;
  const local = output === "envoy" ? service.envoy.module : url?.startsWith("file://") ? fileURLToPath(url) : undefined;
  if (local !== undefined && existsSync(local)) return local;
  return isBuiltIn(service.protocol) ? shippedModule(service.protocol) : undefined;
}

/** The filters log why they refuse at critical level: "<protocol>: invalid plugin configuration: <reason>". */
function refusalReason(log: readonly string[]): string {
  const line = log.find((l) => l.startsWith("critical: ")) ?? log.find((l) => l.startsWith("error: "));
  if (line === undefined) return "proxy_on_configure returned false without saying why";
  const message = line.slice(line.indexOf(": ") + 2);
  const marker = "invalid plugin configuration: ";
  return message.includes(marker) ? message.slice(message.indexOf(marker) + marker.length) : message;
}

/** The input node of `field`, or of its closest traced parent (`a.b[2].c` -> `a.b[2]` -> `a.b` -> `a`). */
function closestOrigin(origins: ConfigOrigins, field: string): Node | undefined {
  const parts = field.match(/[^.[]+|\[\d+\]/g) ?? [];
  for (let length = parts.length; length > 0; length--) {
    const node = origins.get(parts.slice(0, length).join(".").replaceAll(".[", "["));
    if (node !== undefined) return node;
  }
  return undefined;
}

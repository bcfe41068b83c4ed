// Reading input files: YAML streams of MetaProtocolService documents and/or Aeraki resources (MetaRouter,
// ApplicationProtocol, with their Kubernetes Services), also inside a `kind: List` as kubectl prints them.
import { readFileSync } from "node:fs";
import type { ServiceSpec } from "../model.ts";
import { readAerakiResources } from "./aeraki.ts";
import { InputError, type Node, parseYamlDocuments } from "./reader.ts";
import { readService, SERVICE_KIND } from "./services.ts";

/** Aeraki's resources and what Aeraki reads with them: Services (ports), DestinationRules (subsets). */
const AERAKI_KINDS = ["MetaRouter", "ApplicationProtocol", "Service", "DestinationRule"];
const KINDS = [SERVICE_KIND, ...AERAKI_KINDS, "List"];

/** Every service described by the files, in file and document order. Throws InputError on bad input. */
export function loadServices(...files: string[]): ServiceSpec[] {
  const services = files.flatMap((file) => readServices(file, readText(file)));
  refuseDuplicateNames(services);
  return services;
}

/** The services of one file's text (`file` names it in errors). */
export function readServices(file: string, text: string): ServiceSpec[] {
  const documents = parseYamlDocuments(file, text)
    .map((document) => document.root())
    .filter((root) => root.value !== null && root.value !== undefined)
    .flatMap(expandList);
  const ours = documents.filter((document) => kindOf(document) === SERVICE_KIND).map(readService);
  const aeraki = readAerakiResources(documents.filter((document) => AERAKI_KINDS.includes(kindOf(document))));
  if (ours.length + aeraki.length === 0) {
    throw new InputError(file, "", `no services: expected ${SERVICE_KIND} documents, or Aeraki MetaRouters`);
  }
  const services = [...ours, ...aeraki];
  refuseDuplicateNames(services);
  return services;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(file, "", `cannot read the file: ${(error as Error).message}`);
  }
}

function kindOf(document: Node): string {
  if (typeof document.value !== "object" || Array.isArray(document.value)) document.expected(`a map with kind`);
  const kind = (document.value as { kind?: unknown }).kind;
  if (typeof kind !== "string" || !KINDS.includes(kind)) {
    document.child("kind", kind).expected(`one of ${KINDS.join(", ")}`);
  }
  return kind as string;
}

/** A `kind: List` stands for its items. */
function expandList(document: Node): Node[] {
  if (kindOf(document) !== "List") return [document];
  const items = (document.value as { items?: unknown }).items;
  return document.child("items", items ?? []).list().flatMap(expandList);
}

function refuseDuplicateNames(services: readonly ServiceSpec[]): void {
  const seen = new Map<string, ServiceSpec>();
  for (const service of services) {
    const key = `${service.namespace ?? ""}/${service.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      service.origin.child("name", service.name).fail(`expected a name not used already; ${service.name} is also defined in ${first.origin.source.file}`);
    }
    seen.set(key, service);
  }
}

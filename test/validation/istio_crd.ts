// Validates an Istio resource (a parsed YAML document: apiVersion, kind, metadata, spec) against the structural schema
// of its CustomResourceDefinition, as the Kubernetes API server does with strict field validation: unknown fields are
// refused except under x-kubernetes-preserve-unknown-fields (e.g. WasmPlugin's pluginConfig, EnvoyFilter's patch
// value), types, enums, patterns, lengths, ranges, required fields and oneOf / anyOf as the schema gives them.
//
// The CRDs: third_party/istio/crds.gen.yaml (the kinds of third_party/roots.txt), the openAPIV3Schema of the served
// version named by apiVersion. Not checked: x-kubernetes-validations (CEL rules, e.g. "only one of targetRefs or
// selector"), list-map key uniqueness (x-kubernetes-list-type: map), and the API server's own defaulting and pruning.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { ISTIO_CRDS } from "./third_party.ts";

type Schema = Record<string, any>;

interface CrdVersion {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Schema;
}

/** DNS-1123 subdomain: what metadata.name must be for these kinds. */
const DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const STRING_MAP = { type: "object", additionalProperties: { type: "string" } };

/** ObjectMeta fields a client may write; anything else under metadata is refused. */
const METADATA_SCHEMA: Schema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN },
    namespace: { type: "string", minLength: 1, maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    generateName: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: ["string", "null"] },
    deletionTimestamp: { type: "string" },
    deletionGracePeriodSeconds: { type: "integer" },
    finalizers: { type: "array", items: { type: "string" } },
    ownerReferences: { type: "array", items: { type: "object" } },
    managedFields: { type: "array", items: { type: "object" } },
  },
};

let versions: CrdVersion[] | undefined;
const compiled = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

function crdVersions(): CrdVersion[] {
  if (versions !== undefined) return versions;
  const documents = parseAllDocuments(readFileSync(ISTIO_CRDS, "utf8")).map((d) => d.toJS());
  versions = [];
  for (const crd of documents) {
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const version of crd.spec.versions ?? []) {
      if (!version.served || version.schema?.openAPIV3Schema === undefined) continue;
      versions.push({ group: crd.spec.group, kind: crd.spec.names.kind, version: version.name, schema: version.schema.openAPIV3Schema });
    }
  }
  return versions;
}

function validator(): Ajv {
  if (ajv === undefined) {
    // strict off: the schemas carry Kubernetes keywords (x-kubernetes-*) that are not JSON Schema.
    ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
    const int = (bits: number) => (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1);
    ajv.addFormat("int32", { type: "number", validate: int(32) });
    ajv.addFormat("int64", { type: "number", validate: int(64) });
    ajv.addFormat("double", { type: "number", validate: () => true });
    ajv.addFormat("byte", { type: "string", validate: (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 });
    ajv.addFormat("date-time", { type: "string", validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  }
  return ajv;
}

/**
 * A structural schema as the API server applies it: objects with `properties` refuse other fields unless they preserve
 * unknown fields; int-or-string takes an integer or a string.
 */
function structural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(structural);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description" || key === "x-kubernetes-validations") continue;
    // `properties` and `additionalProperties` values are schemas, but `properties` itself is a map of names.
    out[key] = key === "properties"
      ? Object.fromEntries(Object.entries(value as Schema).map(([name, s]) => [name, structural(s)]))
      : structural(value);
  }
  if (out["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    if (out.anyOf === undefined && out.oneOf === undefined) out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (out.properties !== undefined && out["x-kubernetes-preserve-unknown-fields"] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** The ajv validator of one kind's served version, with apiVersion, kind and metadata checked as well. */
function compiledFor(crd: CrdVersion): ValidateFunction {
  const key = `${crd.group}/${crd.version}/${crd.kind}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    const schema = structural(crd.schema) as Schema;
    schema.properties = {
      ...schema.properties,
      apiVersion: { const: `${crd.group}/${crd.version}` },
      kind: { const: crd.kind },
      metadata: METADATA_SCHEMA,
    };
    schema.required = [...new Set(["apiVersion", "kind", "metadata", ...(schema.required ?? [])])];
    schema.additionalProperties = false;
    validate = validator().compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** "/spec/match/0/mode" as "spec.match[0].mode". */
function dotted(pointer: string): string {
  let out = "";
  for (const part of pointer.split("/").slice(1)) {
    const name = part.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(name) ? `[${name}]` : out === "" ? name : `.${name}`;
  }
  return out;
}

function describe(error: ErrorObject): string {
  const at = dotted(error.instancePath);
  const join = (name: string) => (at === "" ? name : `${at}.${name}`);
  switch (error.keyword) {
    case "additionalProperties":
      return `${join(String(error.params.additionalProperty))}: unknown field`;
    case "required":
      return `${join(String(error.params.missingProperty))}: required field is missing`;
    case "oneOf": {
      // Kubernetes oneOfs are lists of `required: [field]` choices (plus "none of them"): name the fields.
      const fields = ((error.parentSchema?.oneOf ?? []) as Schema[]).flatMap((branch) => branch.required ?? []);
      const passing = error.params.passingSchemas;
      const choices = fields.length > 0 ? ` (${fields.join(", ")})` : "";
      return passing === null ? `${at || "(root)"}: matches none of the oneOf choices${choices}` : `${at || "(root)"}: at most one of ${fields.join(", ") || "the oneOf choices"} may be set`;
    }
    case "enum":
      return `${at}: must be one of ${(error.params.allowedValues as unknown[]).join(", ")}`;
    default:
      return `${at || "(root)"}: ${error.message}`;
  }
}

/**
 * Checks `resource` against the CRD of its apiVersion and kind. Returns one line per problem, "path: what is wrong"
 * (paths like spec.match[0].mode), empty when valid.
 */
export function validateIstioResource(resource: unknown): string[] {
  if (typeof resource !== "object" || resource === null || Array.isArray(resource)) return ["(root): expected an object"];
  const { apiVersion, kind } = resource as Record<string, unknown>;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["(root): apiVersion and kind are required strings"];
  const [group, version] = apiVersion.split("/");
  const crds = crdVersions();
  const crd = crds.find((c) => c.group === group && c.version === version && c.kind === kind);
  if (crd === undefined) {
    const served = crds.filter((c) => c.kind === kind).map((c) => `${c.group}/${c.version}`);
    return [
      served.length === 0
        ? `kind: no Istio CRD has kind ${kind} (the vendored CRDs are the kinds of third_party/roots.txt)`
        : `apiVersion: ${kind} is served as ${served.join(", ")}, not ${apiVersion}`,
    ];
  }
  const validate = compiledFor(crd);
  if (validate(resource)) return [];
  const errors = validate.errors ?? [];
  // A failed oneOf/anyOf also reports why each of its branches failed: keep the oneOf/anyOf line only.
  const combinators = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf").map((e) => `${e.schemaPath}/`);
  const kept = errors.filter((e) => !combinators.some((prefix) => e.schemaPath.startsWith(prefix)));
  return [...new Set(kept.map(describe))];
}

// The third-party material the validators and the rate limit peer read, all under third_party/ in the repository:
// where each tree lives, and the list of what must be vendored (third_party/roots.txt).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const THIRD_PARTY = path.join(REPO_ROOT, "third_party");

/**
 * The vendored proto trees, in the order imports are looked up: the Envoy API (envoy/), cncf/xds (xds/, udpa/) and
 * protoc-gen-validate (validate/). google/protobuf/* are not vendored: the protobuf runtime (protobufjs, and
 * @grpc/proto-loader on top of it) brings its own.
 */
export const PROTO_TREE_NAMES = ["envoy-api", "xds", "protoc-gen-validate"] as const;
export const PROTO_TREES = PROTO_TREE_NAMES.map((name) => path.join(THIRD_PARTY, name));
export const RUNTIME_PROTO_PREFIX = "google/protobuf/";

/** Istio's CustomResourceDefinitions, the kinds of roots.txt only. */
export const ISTIO_CRDS = path.join(THIRD_PARTY, "istio", "crds.gen.yaml");

export const ROOTS_FILE = path.join(THIRD_PARTY, "roots.txt");

export interface Roots {
  /** Full names of the proto messages, enums and services used (e.g. envoy.config.bootstrap.v3.Bootstrap). */
  readonly protos: string[];
  /** Kinds of the Istio CRDs used (e.g. WasmPlugin). */
  readonly crdKinds: string[];
}

/** roots.txt: "proto <full name>" and "crd <kind>" lines; "#" starts a comment. */
export function readRoots(file = ROOTS_FILE): Roots {
  const protos: string[] = [];
  const crdKinds: string[] = [];
  readFileSync(file, "utf8").split("\n").forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const [what, name, ...rest] = line.split(/\s+/);
    if (name === undefined || rest.length > 0 || (what !== "proto" && what !== "crd")) {
      throw new Error(`${file}:${index + 1}: expected "proto <full name>" or "crd <kind>", got ${JSON.stringify(raw)}`);
    }
    (what === "proto" ? protos : crdKinds).push(name);
  });
  return { protos, crdKinds };
}

// Reading `ratelimit` (the global rate limit) in MetaProtocol's shape:
//   {"domain": "production", "match": {"metadata": [...]},
//    "descriptors": [{"property": "method", "descriptor_key": "method"}],
//    "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "rate_limit_service"}}},
//    "timeout": "0.02s", "failure_mode_deny": false}
// Matching requests are checked with Envoy's rate limit service API, one descriptor built from their metadata.
import { boolField, checkObject, FieldErrors, item, join, listField, requiredField, stringField } from "../../lib/json_fields";
import { JsonValue } from "../../lib/json";
import { MetadataMatcher } from "../../core/matcher";
import { parseDuration } from "../../lib/duration";
import { FactoryContext } from "../../core/factory_context";
import { Filter, FilterFactory } from "../../core/filter";
import { readMatch } from "../../core/matcher_config";
import { GlobalRateLimit } from "./filter";

/** Envoy's default for its rate limit filters. */
const DEFAULT_TIMEOUT_MS: u32 = 20;
const MAX_TIMEOUT_MS: u64 = 60_000;
const NS_PER_MS: u64 = 1_000_000;

/** One descriptor entry: the request's metadata value for `property`, sent as `descriptorKey` (both UTF-8). */
@final
export class DescriptorEntryConfig {
  readonly property: ArrayBuffer;
  readonly descriptorKey: ArrayBuffer;

  constructor(property: string, descriptorKey: string) {
    this.property = String.UTF8.encode(property);
    this.descriptorKey = String.UTF8.encode(descriptorKey);
  }
}

@final
export class GlobalRateLimitConfig {
  /** UTF-8. */
  domain: ArrayBuffer = new ArrayBuffer(0);
  /** Requests to check; empty: all of them. */
  matchers: Array<MetadataMatcher> = [];
  entries: Array<DescriptorEntryConfig> = [];
  /** The gRPC cluster of the rate limit service. */
  cluster: string = "";
  timeoutMs: u32 = DEFAULT_TIMEOUT_MS;
  /** Whether a request is rejected when the service cannot answer (error or timeout). */
  failureModeDeny: bool = false;
}

export class GlobalRateLimitFactory extends FilterFactory {
  fields(): Array<string> {
    return ["ratelimit"];
  }

  create(config: JsonValue, context: FactoryContext, errors: FieldErrors): Filter | null {
    const limit = readGlobalRateLimit(config.get("ratelimit"), "ratelimit", errors);
    return limit === null ? null : new GlobalRateLimit(limit, context.host.grpc);
  }
}

export function readGlobalRateLimit(v: JsonValue | null, path: string, errors: FieldErrors): GlobalRateLimitConfig | null {
  const known = ["domain", "match", "descriptors", "rate_limit_service", "timeout", "failure_mode_deny"];
  if (v === null || !checkObject(v, path, known, errors)) return null;
  const config = new GlobalRateLimitConfig();
  config.domain = String.UTF8.encode(stringField(v, "domain", path, errors, true));
  config.matchers = readMatch(v.get("match"), join(path, "match"), errors);
  readDescriptors(listField(v, "descriptors", path, errors), join(path, "descriptors"), config, errors);
  config.cluster = readServiceCluster(v, path, errors);
  const timeout = stringField(v, "timeout", path, errors, false);
  if (timeout.length > 0) {
    const ns = parseDuration(timeout);
    if (ns < NS_PER_MS || ns > MAX_TIMEOUT_MS * NS_PER_MS) {
      errors.fail("field '" + join(path, "timeout") + "' must be a duration from 0.001s to 60s, like \"0.02s\"");
    }
    config.timeoutMs = <u32>(ns / NS_PER_MS);
  }
  config.failureModeDeny = boolField(v, "failure_mode_deny", path, errors, false);
  return errors.failed ? null : config;
}

function readDescriptors(list: Array<JsonValue>, path: string, config: GlobalRateLimitConfig, errors: FieldErrors): void {
  if (list.length == 0) errors.fail("field '" + path + "' must list at least one {property, descriptor_key}");
  for (let i = 0; i < list.length && !errors.failed; i++) {
    const at = item(path, i);
    if (!checkObject(list[i], at, ["property", "descriptor_key"], errors)) return;
    const property = stringField(list[i], "property", at, errors, true);
    const key = stringField(list[i], "descriptor_key", at, errors, true);
    if (!errors.failed) config.entries.push(new DescriptorEntryConfig(property, key));
  }
}

/** Envoy's RateLimitServiceConfig: `{"grpc_service": {"envoy_grpc": {"cluster_name": ...}}, "transport_api_version": "V3"}`. */
function readServiceCluster(ratelimit: JsonValue, path: string, errors: FieldErrors): string {
  const service = requiredObject(ratelimit, "rate_limit_service", path, ["grpc_service", "transport_api_version"], errors);
  if (service === null) return "";
  const servicePath = join(path, "rate_limit_service");
  const version = stringField(service, "transport_api_version", servicePath, errors, false);
  if (version.length > 0 && version != "V3") errors.fail("field '" + join(servicePath, "transport_api_version") + "' must be V3");
  const grpc = requiredObject(service, "grpc_service", servicePath, ["envoy_grpc"], errors);
  if (grpc === null) return "";
  // envoy_grpc is the only gRPC client a wasm filter can use.
  const grpcPath = join(servicePath, "grpc_service");
  const envoyGrpc = requiredObject(grpc, "envoy_grpc", grpcPath, ["cluster_name"], errors);
  return envoyGrpc === null ? "" : stringField(envoyGrpc, "cluster_name", join(grpcPath, "envoy_grpc"), errors, true);
}

/** The object field `key` of `parent`, with only `known` fields; null (and an error naming it) otherwise. */
function requiredObject(parent: JsonValue, key: string, path: string, known: Array<string>, errors: FieldErrors): JsonValue | null {
  const v = requiredField(parent, key, path, errors);
  return v !== null && checkObject(v, join(path, key), known, errors) ? v : null;
}

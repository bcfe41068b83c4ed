// The `service` argument of proxy_grpc_call: a serialized envoy.config.core.v3.GrpcService, or, when the bytes do not
// parse as one, the plain name of a cluster (Context::grpcCall in envoy source/extensions/common/wasm/context.cc).
// GrpcService fields used: envoy_grpc = 1 (EnvoyGrpc: cluster_name = 1, authority = 2), google_grpc = 2,
// initial_metadata = 5 (HeaderValue: key = 1, value = 2).
import type { Pairs } from "./header_pairs.ts";
import { lastBytes, readFields, utf8String } from "./protobuf_reader.ts";

export interface GrpcService {
  /** Absent when the service is not an envoy_grpc one (google_grpc or nothing set). */
  readonly envoyGrpc?: { readonly clusterName: string; readonly authority: string };
  readonly initialMetadata: Pairs;
}

/** undefined when `bytes` is not a serialized GrpcService. */
export function parseGrpcService(bytes: Uint8Array): GrpcService | undefined {
  const fields = readFields(bytes);
  if (!fields) return undefined;
  const initialMetadata: [string, string][] = [];
  for (const f of fields) {
    if (f.field !== 5 || f.value.wire !== "bytes") continue;
    const header = readFields(f.value.value);
    const key = header && utf8String(lastBytes(header, 1));
    const value = header && utf8String(lastBytes(header, 2));
    if (key === undefined || value === undefined) return undefined;
    initialMetadata.push([key, value]);
  }
  const envoyGrpcBytes = lastBytes(fields, 1);
  if (envoyGrpcBytes === undefined) return { initialMetadata };
  const envoyGrpc = readFields(envoyGrpcBytes);
  const clusterName = envoyGrpc && utf8String(lastBytes(envoyGrpc, 1));
  const authority = envoyGrpc && utf8String(lastBytes(envoyGrpc, 2));
  if (clusterName === undefined || authority === undefined) return undefined;
  return { envoyGrpc: { clusterName, authority }, initialMetadata };
}

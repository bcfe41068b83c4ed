// A real rate limit service: Envoy's RateLimitService/ShouldRateLimit (envoy/service/ratelimit/v3/rls.proto, vendored
// in third_party/), served over HTTP/2 by @grpc/grpc-js. It allows `limit` hits per (domain, descriptor) and
// records every request; `delayMs` holds answers back (to test holding and timeouts), `failWith` fails calls.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { PROTO_TREES } from "../../validation/third_party.ts";

export interface RateLimitEntry {
  readonly key: string;
  readonly value: string;
}

export interface ReceivedRateLimitRequest {
  readonly domain: string;
  readonly descriptors: RateLimitEntry[][];
}

export interface RateLimitServiceOptions {
  /** Hits allowed per (domain, descriptor) before OVER_LIMIT. */
  readonly limit: number;
  delayMs?: number;
  /** Answer every call with this gRPC status instead. */
  failWith?: grpc.status;
}

export interface RunningRateLimitService {
  readonly port: number;
  readonly requests: ReceivedRateLimitRequest[];
  readonly options: RateLimitServiceOptions;
  close(): Promise<void>;
}

let loaded: grpc.GrpcObject | undefined;

function rlsPackage(): any {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync("envoy/service/ratelimit/v3/rls.proto", { includeDirs: PROTO_TREES, keepCase: true, enums: String }),
  );
  return (loaded as any).envoy.service.ratelimit.v3;
}

export async function startRateLimitService(options: RateLimitServiceOptions): Promise<RunningRateLimitService> {
  const requests: ReceivedRateLimitRequest[] = [];
  const hits = new Map<string, number>();
  const server = new grpc.Server();
  server.addService(rlsPackage().RateLimitService.service, {
    ShouldRateLimit(call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) {
      const request: ReceivedRateLimitRequest = {
        domain: call.request.domain,
        descriptors: (call.request.descriptors ?? []).map((d: any) => (d.entries ?? []).map((e: any) => ({ key: e.key, value: e.value }))),
      };
      requests.push(request);
      let overLimit = false;
      for (const descriptor of request.descriptors) {
        const key = `${request.domain}|${descriptor.map((e) => `${e.key}=${e.value}`).join(",")}`;
        const count = (hits.get(key) ?? 0) + 1;
        hits.set(key, count);
        if (count > options.limit) overLimit = true;
      }
      const answer = () =>
        options.failWith !== undefined
          ? callback({ code: options.failWith, details: "rate limit service failing on purpose" })
          : callback(null, { overall_code: overLimit ? "OVER_LIMIT" : "OK" });
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    requests,
    options,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

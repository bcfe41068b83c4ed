// The plugin's view of Envoy's cluster manager for async calls: clusters by name, an endpoint per call (the
// cluster's own round robin), and the pooled HTTP/2 connections, closed with the plugin.
import type { Cluster, ClusterManager } from "../api.ts";
import { callGrpcUnary, type GrpcOutcome, type GrpcUnaryRequest } from "./grpc_client.ts";
import { type HttpCallRequest, type HttpCallResponse, sendHttpCall } from "./http_call_client.ts";
import { Http2Sessions } from "./http2_sessions.ts";

export class UpstreamClients {
  private readonly sessions = new Http2Sessions();

  constructor(private readonly clusters: ClusterManager) {}

  cluster(name: string): Cluster | undefined {
    return this.clusters.get(name);
  }

  grpc(cluster: Cluster, request: GrpcUnaryRequest, done: (outcome: GrpcOutcome) => void): () => void {
    return callGrpcUnary(this.sessions.session(this.clusters.pickEndpoint(cluster)), request, done);
  }

  http(cluster: Cluster, request: HttpCallRequest, done: (response: HttpCallResponse) => void): () => void {
    const endpoint = this.clusters.pickEndpoint(cluster);
    const transport = cluster.http2 ? { session: this.sessions.session(endpoint) } : { endpoint };
    return sendHttpCall(transport, request, done);
  }

  close(): void {
    this.sessions.closeAll();
  }
}

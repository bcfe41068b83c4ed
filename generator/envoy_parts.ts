// The pieces of Envoy configuration every output builds from: the wasm network filter, tcp_proxy, addresses and
// clusters (proto JSON field names). Istio's legacy EnvoyFilters insert the same filter the bootstraps list.
import { isIP } from "node:net";
import type { FailStrategy, ServiceSpec } from "./model.ts";

export const WASM_FILTER = "envoy.filters.network.wasm";
export const TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";
export const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
export const TCP_PROXY_TYPE = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
export const STRING_VALUE_TYPE = "type.googleapis.com/google.protobuf.StringValue";
export const V8_RUNTIME = "envoy.wasm.runtime.v8";
const HTTP_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
export const DEFAULT_CONNECT_TIMEOUT = "1s";

export type Json = Record<string, unknown>;

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

/** The wasm network filter running `configuration` (JSON text) with the service's module from a local file. */
export function wasmFilter(service: ServiceSpec, configuration: string, name = service.name): Json {
  return {
    name: WASM_FILTER,
    typed_config: {
      "@type": WASM_TYPE,
      config: wasmPluginConfig(service, configuration, { local: { filename: service.envoy.module } }, name),
    },
  };
}

/** envoy.extensions.wasm.v3.PluginConfig; shared with Istio's legacy EnvoyFilter output. */
export function wasmPluginConfig(service: ServiceSpec, configuration: string, code: Json, name = service.name): Json {
  return {
    name,
    root_id: service.protocol,
    configuration: { "@type": STRING_VALUE_TYPE, value: configuration },
    vm_config: { vm_id: service.protocol, runtime: V8_RUNTIME, code },
    ...failurePolicy(service.failStrategy),
  };
}

/**
 * What Envoy does when the VM fails. FAIL_OPEN is the legacy `fail_open`, which lets the connections already on the
 * failed VM pass through, as well as new ones (`failure_policy: FAIL_OPEN` would close the existing ones: see
 * docs/envoy/vms-memory-failure.md); FAIL_RELOAD is `failure_policy` (Envoy 1.33+).
 */
function failurePolicy(strategy: FailStrategy): Json {
  if (strategy === "FAIL_OPEN") return { fail_open: true };
  if (strategy === "FAIL_RELOAD") return { failure_policy: "FAIL_RELOAD" };
  return {};
}

export function tcpProxyFilter(statPrefix: string, cluster: string, maxEarlyDataBytes?: number): Json {
  return {
    name: TCP_PROXY_FILTER,
    typed_config: {
      "@type": TCP_PROXY_TYPE,
      stat_prefix: statPrefix,
      cluster,
      ...(maxEarlyDataBytes !== undefined && { max_early_data_bytes: maxEarlyDataBytes }),
    },
  };
}

/** A cluster of fixed endpoints: STATIC for IP addresses, STRICT_DNS for names; `http2` for HTTP/2 upstreams. */
export function clusterJson(name: string, endpoints: readonly Endpoint[], connectTimeout: string, http2: boolean): Json {
  return {
    name,
    type: endpoints.every((endpoint) => isIP(endpoint.address) !== 0) ? "STATIC" : "STRICT_DNS",
    connect_timeout: connectTimeout,
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: endpoints.map(({ address, port }) => ({ endpoint: { address: socketAddress(address, port) } })) }],
    },
    ...(http2 && {
      typed_extension_protocol_options: {
        [HTTP_OPTIONS_KEY]: { "@type": `type.googleapis.com/${HTTP_OPTIONS_KEY}`, explicit_http_config: { http2_protocol_options: {} } },
      },
    }),
  };
}

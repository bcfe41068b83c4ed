import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { loadBootstrap } from "./bootstrap.ts";

const WASM = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
const TCP_PROXY = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

/** A bootstrap in the supported subset: one listener (a wasm filter, then tcp_proxy) and one STATIC cluster. */
function bootstrap(): any {
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: "main",
          address: { socket_address: { address: "127.0.0.1", port_value: 0 } },
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.wasm",
                  typed_config: {
                    "@type": WASM,
                    config: {
                      name: "plugin",
                      root_id: "root",
                      configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: "{}" },
                      vm_config: {
                        vm_id: "vm",
                        runtime: "envoy.wasm.runtime.v8",
                        code: { local: { filename: "build/plugin.wasm" } },
                      },
                    },
                  },
                },
                { name: "envoy.filters.network.tcp_proxy", typed_config: { "@type": TCP_PROXY, stat_prefix: "main", cluster: "backend" } },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: "backend",
          connect_timeout: "0.25s",
          load_assignment: {
            cluster_name: "backend",
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: 9000 } } } }] }],
          },
        },
      ],
    },
  };
}

function refusal(config: object): string {
  try {
    loadBootstrap(config);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("the bootstrap was accepted");
}

const listener = (config: any) => config.static_resources.listeners[0];
const filters = (config: any) => listener(config).filter_chains[0].filters;
const tcpProxy = (config: any) => filters(config).at(-1).typed_config;
const cluster = (config: any) => config.static_resources.clusters[0];

describe("bootstrap subset", () => {
  it("reads the project's awesomerpc bootstrap", () => {
    const config = loadBootstrap("envoy/awesomerpc.yaml");
    assert.deepEqual(config.adminAddress, { address: "127.0.0.1", port: 26002 });
    const [main] = config.listeners;
    assert.equal(main.name, "awesomerpc");
    assert.equal(main.bufferLimitBytes, 1024 * 1024);
    assert.deepEqual(main.wasmFilters, [
      {
        name: "awesomerpc",
        rootId: "awesomerpc",
        vmId: "awesomerpc",
        configuration: '{"stat_prefix": "demo", "max_frame_size": 1048576}',
        vmConfiguration: "",
        wasmPath: path.resolve("build/awesomerpc.wasm"),
        failOpen: false,
        environment: {},
        listenerDirection: 0,
      },
    ]);
    assert.deepEqual(main.tcpProxy, {
      statPrefix: "awesomerpc",
      route: { cluster: "awesomerpc_server" },
      maxEarlyDataBytes: undefined,
      upstreamConnectMode: "IMMEDIATE",
      idleTimeoutMs: 3_600_000,
    });
    assert.deepEqual(config.clusters[0], {
      name: "awesomerpc_server",
      type: "STATIC",
      dnsLookupFamily: "AUTO",
      connectTimeoutMs: 1000,
      bufferLimitBytes: 1024 * 1024,
      lbPolicy: "ROUND_ROBIN",
      endpoints: [{ address: "127.0.0.1", port: 26001 }],
      http2: false,
    });
  });

  it("reads durations, early data, weighted clusters, HTTP/2 options, stats tags and environment", () => {
    const config = bootstrap();
    config.stats_config = { stats_tags: [{ tag_name: "rpc_method", regex: "(method=\\.=(.*?);\\.;)" }] };
    Object.assign(listener(config), { traffic_direction: "OUTBOUND", per_connection_buffer_limit_bytes: 4096 });
    filters(config)[0].typed_config.config.vm_config.environment_variables = { key_values: { MODE: "test" } };
    Object.assign(filters(config)[0].typed_config.config, {
      failure_policy: "FAIL_RELOAD",
      reload_config: { backoff: { base_interval: "0.2505s", max_interval: "1s" } },
    });
    const proxy = tcpProxy(config);
    delete proxy.cluster;
    proxy.weighted_clusters = { clusters: [{ name: "a", weight: 1 }, { name: "b", weight: 3 }] };
    Object.assign(proxy, { max_early_data_bytes: 1024, upstream_connect_mode: "ON_DOWNSTREAM_DATA", idle_timeout: "0s" });
    cluster(config).typed_extension_protocol_options = {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    };

    const loaded = loadBootstrap(config);
    const [main] = loaded.listeners;
    assert.deepEqual(loaded.statsConfig, { statsTags: [{ tagName: "rpc_method", regex: "(method=\\.=(.*?);\\.;)" }], useAllDefaultTags: true });
    assert.equal(main.trafficDirection, 2);
    assert.equal(main.bufferLimitBytes, 4096);
    assert.deepEqual(main.wasmFilters[0].environment, { MODE: "test" });
    assert.deepEqual(
      [main.wasmFilters[0].failOpen, main.wasmFilters[0].failurePolicy, main.wasmFilters[0].reloadBaseIntervalMs, main.wasmFilters[0].listenerDirection],
      [false, "FAIL_RELOAD", 250, 2],
      "the deprecated fail_open is kept apart from failure_policy; the backoff in whole milliseconds",
    );
    assert.deepEqual(main.tcpProxy, {
      statPrefix: "main",
      route: { weightedClusters: [{ name: "a", weight: 1 }, { name: "b", weight: 3 }] },
      maxEarlyDataBytes: 1024,
      upstreamConnectMode: "ON_DOWNSTREAM_DATA",
      idleTimeoutMs: undefined,
    });
    assert.equal(loaded.clusters[0].connectTimeoutMs, 250);
    assert.equal(loaded.clusters[0].http2, true);
    assert.equal(main.statPrefix, "127.0.0.1_0");
  });

  const refusals: [string, (config: any) => void, RegExp][] = [
    ["an unknown top-level field", (c) => (c.dynamic_resources = {}), /^dynamic_resources: field not supported by this host/],
    [
      "an unknown listener field",
      (c) => (listener(c).listener_filters = []),
      /^static_resources\.listeners\[0\]\.listener_filters: field not supported by this host \(supported here: name, address/,
    ],
    ["two filter chains", (c) => listener(c).filter_chains.push({ filters: [] }), /listeners\[0\]\.filter_chains: exactly one filter chain/],
    ["a chain without tcp_proxy", (c) => filters(c).pop(), /filter_chains\[0\]\.filters: the chain must end with an envoy\.filters\.network\.tcp_proxy/],
    ["a filter after tcp_proxy", (c) => filters(c).push(filters(c)[0]), /filters\[2\]\.typed_config: tcp_proxy is a terminal filter/],
    [
      "another filter type",
      (c) => (filters(c)[0].typed_config = { "@type": "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC" }),
      /filters\[0\]\.typed_config: filter type type\.googleapis\.com\/envoy\.extensions\.filters\.network\.rbac\.v3\.RBAC is not supported/,
    ],
    [
      "another wasm runtime",
      (c) => (filters(c)[0].typed_config.config.vm_config.runtime = "envoy.wasm.runtime.null"),
      /config\.vm_config\.runtime: "envoy\.wasm\.runtime\.null" is not supported by this host \(supported: envoy\.wasm\.runtime\.v8\)/,
    ],
    [
      "remote wasm code",
      (c) => (filters(c)[0].typed_config.config.vm_config.code = { remote: { http_uri: {} } }),
      /vm_config\.code\.local: required/,
    ],
    [
      "a non-StringValue plugin configuration",
      (c) => (filters(c)[0].typed_config.config.configuration["@type"] = "type.googleapis.com/google.protobuf.Struct"),
      /config\.configuration\.@type: expected "type\.googleapis\.com\/google\.protobuf\.StringValue"/,
    ],
    [
      "a failure policy Envoy does not have",
      (c) => (filters(c)[0].typed_config.config.failure_policy = "FAIL_IGNORE"),
      /config\.failure_policy: "FAIL_IGNORE" is not supported by this host \(supported: UNSPECIFIED, FAIL_RELOAD, FAIL_CLOSED, FAIL_OPEN\)/,
    ],
    [
      "a reload backoff without base_interval",
      (c) => (filters(c)[0].typed_config.config.reload_config = { backoff: { max_interval: "1s" } }),
      /config\.reload_config\.backoff\.base_interval: required, at least 1ms/,
    ],
    ["both cluster and weighted_clusters", (c) => (tcpProxy(c).weighted_clusters = { clusters: [{ name: "x", weight: 1 }] }), /typed_config\.cluster: exactly one of cluster and weighted_clusters/],
    [
      "a delayed connect mode without early data",
      (c) => (tcpProxy(c).upstream_connect_mode = "ON_DOWNSTREAM_DATA"),
      /typed_config\.max_early_data_bytes: max_early_data_bytes must be set when upstream_connect_mode is not IMMEDIATE/,
    ],
    ["too much early data", (c) => (tcpProxy(c).max_early_data_bytes = 2 * 1024 * 1024), /max_early_data_bytes: expected an integer from 0 to 1048576/],
    ["a duration without unit", (c) => (cluster(c).connect_timeout = "250ms"), /^static_resources\.clusters\[0\]\.connect_timeout: expected a duration such as "0\.25s"/],
    ["a discovery type not supported", (c) => (cluster(c).type = "EDS"), /clusters\[0\]\.type: "EDS" is not supported by this host \(supported: STATIC, STRICT_DNS, LOGICAL_DNS\)/],
    ["another load balancer", (c) => (cluster(c).lb_policy = "RING_HASH"), /clusters\[0\]\.lb_policy: "RING_HASH" is not supported/],
    [
      "a host name in a STATIC cluster",
      (c) => (cluster(c).load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address = "localhost"),
      /clusters\[0\]\.load_assignment: malformed IP address: localhost/,
    ],
    ["a port above 65535", (c) => (listener(c).address.socket_address.port_value = 70000), /socket_address\.port_value: expected an integer from 0 to 65535, got 70000/],
    ["a string where a number goes", (c) => (listener(c).per_connection_buffer_limit_bytes = "lots"), /per_connection_buffer_limit_bytes: expected an integer/],
    ["duplicate cluster names", (c) => c.static_resources.clusters.push(cluster(c)), /static_resources\.clusters\[1\]\.name: duplicate cluster name "backend"/],
    ["a missing admin", (c) => delete c.admin, /^admin: required/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what}, naming the field`, () => {
      const config = bootstrap();
      change(config);
      assert.match(refusal(config), message);
    });
  }

  it("names the file when it cannot be read", () => {
    assert.match(refusal({}), /^admin: required/);
    assert.throws(() => loadBootstrap("envoy/no-such.yaml"), /^BootstrapError: envoy\/no-such\.yaml: cannot read the bootstrap/);
  });
});

// The Envoy config validator: the repository's bootstraps pass as envoy.config.bootstrap.v3.Bootstrap, and each kind of
// mistake is refused with the path of the field at fault.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { validateEnvoyMessage } from "./envoy_proto.ts";

const BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap";
const BOOTSTRAPS = readdirSync("envoy").filter((f) => f.endsWith(".yaml")).map((f) => `envoy/${f}`);
const FILTERS = "static_resources.listeners[0].filter_chains[0].filters";
const TCP_PROXY = `${FILTERS}[1].typed_config`;
const WASM = `${FILTERS}[0].typed_config`;

function dubbo(): any {
  return parse(readFileSync("envoy/dubbo.yaml", "utf8"));
}

/** Asserts that `config` is refused with exactly one error, at `path`, whose text matches `message`. */
function assertRefused(config: unknown, path: string, message: RegExp, type = BOOTSTRAP): void {
  const errors = validateEnvoyMessage(type, config);
  assert.equal(errors.length, 1, `expected one error at ${path}, got ${JSON.stringify(errors, null, 1)}`);
  assert.ok(errors[0].startsWith(`${path}: `), `expected the error at ${path}, got ${errors[0]}`);
  assert.match(errors[0], message);
}

describe("validateEnvoyMessage", { timeout: 30_000 }, () => {
  it("finds the repository's bootstraps", () => {
    assert.ok(BOOTSTRAPS.length >= 3 && BOOTSTRAPS.includes("envoy/dubbo.yaml") && BOOTSTRAPS.includes("envoy/thrift.yaml"), BOOTSTRAPS.join());
  });

  for (const file of BOOTSTRAPS) {
    it(`accepts ${file} (wasm filter, tcp_proxy, clusters, stats tags)`, () => {
      assert.deepEqual(validateEnvoyMessage(BOOTSTRAP, parse(readFileSync(file, "utf8"))), []);
    });
  }

  it("accepts lowerCamelCase names, int64 as strings, wrappers as scalars and a Struct of anything", () => {
    const config = dubbo();
    const tcp = config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config;
    tcp.statPrefix = tcp.stat_prefix;
    delete tcp.stat_prefix;
    tcp.max_early_data_bytes = 65536; // UInt32Value as a plain number
    tcp.upstream_connect_mode = "ON_DOWNSTREAM_DATA";
    tcp.idle_timeout = "0.020s";
    config.static_resources.clusters[0].perConnectionBufferLimitBytes = "32768"; // a uint32 may be a string
    config.static_resources.clusters[0].metadata = { filter_metadata: { anything: { a: [1, { b: null }], c: "d" } } };
    config.node = { id: "n", cluster: "c", metadata: { ISTIO_VERSION: "1.28" } };
    config.stats_server_version_override = "12345678901234567890"; // uint64 beyond 2^53, as a string
    assert.deepEqual(validateEnvoyMessage(BOOTSTRAP, config), []);
  });

  it("refuses an unknown field deep inside a typed_config", () => {
    const config = dubbo();
    config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code.local.file_name = "x";
    assertRefused(config, `${WASM}.config.vm_config.code.local.file_name`, /unknown field/);
  });

  it("refuses an unknown field in tcp_proxy's typed_config", () => {
    const config = dubbo();
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.clusterName = "dubbo_provider";
    assertRefused(config, `${TCP_PROXY}.clusterName`, /unknown field/);
  });

  it("refuses an enum name the proto does not define", () => {
    const config = dubbo();
    config.static_resources.clusters[0].type = "STRICT_DNSS";
    assertRefused(config, "static_resources.clusters[0].type", /unknown enum value "STRICT_DNSS" for envoy\.config\.cluster\.v3\.Cluster\.DiscoveryType/);
  });

  it("refuses a bad enum inside a typed_config", () => {
    const config = dubbo();
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.upstream_connect_mode = "ON_DATA";
    assertRefused(config, `${TCP_PROXY}.upstream_connect_mode`, /unknown enum value "ON_DATA"/);
  });

  it("refuses a duration that is not proto3 JSON (\"1 second\", \"1000ms\", a number)", () => {
    for (const bad of ["1 second", "1000ms", 1, "0.0000000001s"]) {
      const config = dubbo();
      config.static_resources.clusters[0].connect_timeout = bad;
      assertRefused(config, "static_resources.clusters[0].connect_timeout", /invalid duration/);
    }
  });

  it("refuses a value of the wrong type", () => {
    const config = dubbo();
    config.admin.address.socket_address.port_value = "26102x";
    assertRefused(config, "admin.address.socket_address.port_value", /expected an integer \(uint32\), got string/);
    const config2 = dubbo();
    config2.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.stat_prefix = 42;
    assertRefused(config2, `${TCP_PROXY}.stat_prefix`, /expected a string, got number/);
    const config3 = dubbo();
    config3.static_resources.listeners = { name: "dubbo" };
    assertRefused(config3, "static_resources.listeners", /expected an array/);
    const config4 = dubbo();
    config4.admin.address.socket_address.port_value = 70000;
    config4.stats_flush_on_admin = "true";
    const errors = validateEnvoyMessage(BOOTSTRAP, config4);
    assert.deepEqual(errors.map((e) => e.slice(0, e.indexOf(":"))), ["stats_flush_on_admin", "admin.address.socket_address.port_value"]);
  });

  it("refuses two members of one oneof", () => {
    const config = dubbo();
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.weighted_clusters = {
      clusters: [{ name: "dubbo_provider", weight: 1 }],
    };
    assertRefused(config, `${TCP_PROXY}.weighted_clusters`, /only one of oneof cluster_specifier may be set, but cluster and weighted_clusters are/);
  });

  it("refuses a field given twice, as snake_case and lowerCamelCase", () => {
    const config = dubbo();
    config.static_resources.clusters[0].connectTimeout = "2s";
    assertRefused(config, "static_resources.clusters[0].connectTimeout", /already set as connect_timeout/);
  });

  it("refuses an Any whose @type is unknown, and a StringValue without value", () => {
    const config = dubbo();
    config.static_resources.listeners[0].filter_chains[0].filters[1].typed_config["@type"] =
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxyy";
    assertRefused(config, `${TCP_PROXY}.@type`, /unknown type/);
    const config2 = dubbo();
    config2.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.configuration = {
      "@type": "type.googleapis.com/google.protobuf.StringValue",
      text: "{}",
    };
    assertRefused(config2, `${WASM}.config.configuration.text`, /unknown field/);
  });

  it("enforces protoc-gen-validate rules: required string, required oneof, required message, uint32 bounds", () => {
    const noName = dubbo();
    delete noName.static_resources.clusters[0].name;
    assertRefused(noName, "static_resources.clusters[0].name", /required field is missing/);
    const noCluster = dubbo();
    delete noCluster.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.cluster;
    assertRefused(noCluster, `${TCP_PROXY}.cluster_specifier`, /one of cluster, weighted_clusters is required/);
    const emptyCode = dubbo();
    emptyCode.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.config.vm_config.code = {};
    assertRefused(emptyCode, `${WASM}.config.vm_config.code.specifier`, /one of local, remote is required/);
    const noAddress = dubbo();
    noAddress.static_resources.clusters[0].upstream_bind_config = {
      source_address: { address: "0.0.0.0", port_value: 0 },
      extra_source_addresses: [{}],
    };
    assertRefused(noAddress, "static_resources.clusters[0].upstream_bind_config.extra_source_addresses[0].address", /required field is missing/);
    const tooEarly = dubbo();
    tooEarly.static_resources.listeners[0].filter_chains[0].filters[1].typed_config.max_early_data_bytes = 2 * 1024 * 1024;
    assertRefused(tooEarly, `${TCP_PROXY}.max_early_data_bytes`, /must be at most 1048576/);
  });

  it("enforces a required Duration (PGV duration.required) in a message validated on its own", () => {
    assertRefused({ uri: "http://example.com/dubbo.wasm", cluster: "wasm_server" }, "timeout", /required field is missing/, "envoy.config.core.v3.HttpUri");
    assert.deepEqual(validateEnvoyMessage("envoy.config.core.v3.HttpUri", { uri: "http://example.com/dubbo.wasm", cluster: "wasm_server", timeout: "10s" }), []);
  });

  for (const typedStruct of ["xds.type.v3.TypedStruct", "udpa.type.v1.TypedStruct"]) {
    it(`checks ${typedStruct} as the message its type_url names`, () => {
      const config = dubbo();
      const filters = config.static_resources.listeners[0].filter_chains[0].filters;
      filters[1].typed_config = {
        "@type": `type.googleapis.com/${typedStruct}`,
        type_url: "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
        value: { stat_prefix: "dubbo", cluster: "dubbo_provider" },
      };
      assert.deepEqual(validateEnvoyMessage(BOOTSTRAP, config), []);
      filters[1].typed_config.value.idle_timeout = "forever";
      assertRefused(config, `${TCP_PROXY}.value.idle_timeout`, /invalid duration/);
    });
  }

  it("validates any message type by name, and says so for an unknown one", () => {
    assert.deepEqual(validateEnvoyMessage("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", { stat_prefix: "x", cluster: "c" }), []);
    assertRefused({ stat_prefix: "x", cluster: "c", bogus: true }, "bogus", /unknown field/, "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
    assert.match(validateEnvoyMessage("envoy.config.nothing.v3.Nothing", {})[0], /unknown message type/);
  });
});

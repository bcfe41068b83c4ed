// The connection manager's configuration: what the host reads, and what it refuses by name.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadBootstrap } from "../bootstrap.ts";
import { hcmBootstrap } from "./test_support.ts";

function config(): any {
  return hcmBootstrap({
    clusters: { backend: [1] },
    routeConfig: { virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "backend" } }] }] },
  });
}
const hcm = (bootstrap: any) => bootstrap.static_resources.listeners[0].filter_chains[0].filters.at(-1).typed_config;
const route = (bootstrap: any) => hcm(bootstrap).route_config.virtual_hosts[0].routes[0];

describe("http_connection_manager configuration", () => {
  it("reads the route table with Envoy's defaults", () => {
    const listener = loadBootstrap(config()).listeners[0];
    assert.equal(listener.tcpProxy, undefined);
    const manager = listener.httpConnectionManager!;
    assert.deepEqual([manager.statPrefix, manager.codecType, manager.serverName, manager.generateRequestId], ["ingress", "HTTP2", "envoy", true]);
    const action = manager.routeConfig.virtualHosts[0].routes[0].action;
    assert.ok("route" in action);
    assert.deepEqual([action.route.timeoutMs, action.route.retryPolicy, action.route.mirrors], [15_000, undefined, []]);
  });

    const refusals: [string, (bootstrap: any) => void, RegExp][] = [
    ["rds", (c) => (hcm(c).rds = { route_config_name: "r" }), /^static_resources\.listeners\[0\]\.filter_chains\[0\]\.filters\[0\]\.typed_config\.rds: RDS is not supported/],
    ["an HTTP/1 codec", (c) => (hcm(c).codec_type = "HTTP1"), /codec_type: "HTTP1" is not supported/],
    ["another http filter", (c) => hcm(c).http_filters.unshift({ name: "x", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors" } }), /http_filters\[0\]\.typed_config: http filter type .*Cors is not supported/],
    ["no router last", (c) => hcm(c).http_filters.pop(), /http_filters: the last http filter must be envoy.filters.http.router/],
    ["an unknown field", (c) => (hcm(c).use_remote_address = true), /typed_config\.use_remote_address: field not supported/],
    ["an unknown cluster", (c) => (route(c).route.cluster = "nowhere"), /routes\[0\]\.route: route: unknown cluster 'nowhere'/],
    ["an HTTP/1 upstream", (c) => delete c.static_resources.clusters[0].typed_extension_protocol_options, /cluster 'backend' has no HTTP\/2 protocol options/],
    ["an unsupported retry condition", (c) => (route(c).route.retry_policy = { retry_on: "5xx,retriable-4xx" }), /retry_on: "retriable-4xx" is not supported/],
    ["a retry host predicate other than previous_hosts", (c) => (route(c).route.retry_policy = { retry_host_predicate: [{ name: "envoy.retry_host_predicates.omit_canary_hosts" }] }), /retry_host_predicate\[0\]\.name: "envoy\.retry_host_predicates\.omit_canary_hosts" is not supported by this host/],
    ["a formatted header value", (c) => (route(c).request_headers_to_add = [{ header: { key: "x", value: "%START_TIME%" } }]), /header\.value: format operators/],
    ["a mirror without the -shadow suffix", (c) => (route(c).route.request_mirror_policies = [{ cluster: "backend", disable_shadow_host_suffix_append: true }]), /request_mirror_policies\[0\]\.disable_shadow_host_suffix_append: field not supported/],
    ["two wildcard domains", (c) => hcm(c).route_config.virtual_hosts.push({ name: "b", domains: ["*"] }), /only a single wildcard domain/],
    ["a redirect", (c) => (route(c).redirect = { path_redirect: "/" }), /routes\[0\]\.redirect: field not supported/],
  ];
  for (const [what, mutate, expected] of refusals) {
    it(`refuses ${what}, naming the field`, () => {
      const bootstrap = config();
      mutate(bootstrap);
      assert.throws(() => loadBootstrap(bootstrap), (error: Error) => {
        assert.match(error.message, expected);
        return true;
      });
    });
  }
});

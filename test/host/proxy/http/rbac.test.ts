// envoy.filters.http.rbac end to end: Node HTTP/2 client → host listener (connection manager, rbac, router) → Node
// HTTP/2 upstream; and its configuration, read strictly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort } from "../../../demo/demo_bootstrap.ts";
import { loadBootstrap } from "../bootstrap.ts";
import { hcmBootstrap, hcmFixtures, type HcmProxy, type Http2Upstream } from "./test_support.ts";

const RBAC = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
const ALL_ROUTES = { virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: "backend" } }] }] };

const rbacFilter = (typedConfig: Record<string, unknown>) => ({ name: "envoy.filters.http.rbac", typed_config: { "@type": RBAC, ...typedConfig } });
const anyone = [{ any: true }];
const pathPrefix = (prefix: string) => ({ url_path: { path: { prefix } } });
const header = (name: string, exact: string) => ({ header: { name, string_match: { exact } } });

describe("envoy.filters.http.rbac", { timeout: 30_000 }, () => {
  const { upstream, proxy, client } = hcmFixtures();

  async function start(typedConfig: Record<string, unknown>): Promise<{ host: HcmProxy; backend: Http2Upstream; status(path: string, headers?: Record<string, string | string[]>): Promise<number> }> {
    const backend = await upstream("backend");
    const host = await proxy({ clusters: { backend: [backend.port] }, httpFilters: [rbacFilter(typedConfig)], routeConfig: ALL_ROUTES });
    const peer = client(host.port);
    return { host, backend, status: async (path, headers) => (await peer.request(path, headers)).status };
  }

  it("ALLOW by path prefix: others get 403 RBAC: access denied and never reach the upstream", async () => {
    const { host, backend } = await start({ rules: { action: "ALLOW", policies: { api: { permissions: [pathPrefix("/api/")], principals: anyone } } } });
    const peer = client(host.port);
    const allowed = await peer.request("/api/get?x=/admin");
    assert.deepEqual([allowed.status, allowed.body], [200, "backend"]);
    const denied = await peer.request("/admin/get?x=/api/");
    assert.deepEqual([denied.status, denied.body, denied.headers["content-type"]], [403, "RBAC: access denied", "text/plain"]);
    assert.deepEqual(backend.requests.map((request) => request.headers[":path"]), ["/api/get?x=/admin"]);
    assert.deepEqual([host.stat("http.ingress.rbac.allowed"), host.stat("http.ingress.rbac.denied")], [1, 1]);
    assert.equal(host.stat("http.ingress.downstream_rq_4xx"), 1);
  });

  it("DENY by header: a matching request is denied, the others go through", async () => {
    const { host, backend, status } = await start({ rules: { action: "DENY", policies: { blocked: { permissions: anyone, principals: [header("x-user", "mallory")] } } } });
    assert.equal(await status("/p", { "x-user": "mallory" }), 403);
    assert.equal(await status("/p", { "x-user": "alice" }), 200);
    assert.equal(await status("/p"), 200);
    assert.equal(backend.requests.length, 2);
    assert.deepEqual([host.stat("http.ingress.rbac.allowed"), host.stat("http.ingress.rbac.denied")], [2, 1]);
  });

  it("matches each value of a repeated header on its own", async () => {
    const { status } = await start({ rules: { action: "DENY", policies: { blocked: { permissions: [header("x-user", "mallory")], principals: anyone } } } });
    assert.equal(await status("/p", { "x-user": ["alice", "mallory"] }), 403);
    assert.equal(await status("/p", { "x-user": ["alice", "bob"] }), 200);
  });

  it("a policy on :path exact (query included, as the header carries it)", async () => {
    const { status } = await start({ rules: { policies: { exact: { permissions: [header(":path", "/svc/Method")], principals: anyone } } } });
    assert.equal(await status("/svc/Method"), 200);
    assert.equal(await status("/svc/Method?q=1"), 403);
    assert.equal(await status("/svc/Method2"), 403);
  });

  it("not_rule, and_rules and or_rules", async () => {
    const { status } = await start({
      rules: {
        policies: {
          reads: {
            permissions: [
              {
                and_rules: {
                  rules: [
                    { or_rules: { rules: [pathPrefix("/read/"), pathPrefix("/list/")] } },
                    { not_rule: header("x-debug", "1") },
                  ],
                },
              },
            ],
            principals: [{ and_ids: { ids: [{ not_id: header("x-user", "mallory") }, { or_ids: { ids: [header("x-team", "a"), header("x-team", "b")] } }] } }],
          },
        },
      },
    });
    assert.equal(await status("/read/1", { "x-team": "a" }), 200);
    assert.equal(await status("/list/1", { "x-team": "b" }), 200);
    assert.equal(await status("/write/1", { "x-team": "a" }), 403, "or_rules: neither prefix");
    assert.equal(await status("/read/1", { "x-team": "a", "x-debug": "1" }), 403, "not_rule");
    assert.equal(await status("/read/1", { "x-team": "c" }), 403, "or_ids: neither team");
    assert.equal(await status("/read/1", { "x-team": "a", "x-user": "mallory" }), 403, "not_id");
  });

  it("remote_ip from the last x-forwarded-for address, else the connection's peer; direct_remote_ip the peer", async () => {
    const office = { remote_ip: { address_prefix: "10.1.0.0", prefix_len: 16 } };
    const { status } = await start({ rules: { policies: { office: { permissions: anyone, principals: [office] } } } });
    assert.equal(await status("/p", { "x-forwarded-for": "192.0.2.1, 10.1.2.3" }), 200);
    assert.equal(await status("/p", { "x-forwarded-for": "10.1.2.3, 192.0.2.1" }), 403);
    assert.equal(await status("/p", { "x-forwarded-for": "10.1.2.3:80" }), 403, "not an IP address: the peer");
    assert.equal(await status("/p"), 403, "no x-forwarded-for: the peer, 127.0.0.1");
    const direct = await start({ rules: { policies: { loopback: { permissions: anyone, principals: [{ direct_remote_ip: { address_prefix: "127.0.0.0", prefix_len: 8 } }] } } } });
    assert.equal(await direct.status("/p", { "x-forwarded-for": "10.1.2.3" }), 200);
    const ipv6 = await start({ rules: { policies: { any6: { permissions: anyone, principals: [{ source_ip: { address_prefix: "::" } }] } } } });
    assert.equal(await ipv6.status("/p"), 403, "an IPv6 range never holds an IPv4 peer");
  });

  it("destination_port: the listener's port", async () => {
    const backend = await upstream("backend");
    const port = await freePort();
    const rules = (allowed: number) => ({ rules: { policies: { port: { permissions: [{ destination_port: allowed }], principals: anyone } } } });
    const listener = { address: { socket_address: { address: "127.0.0.1", port_value: port } } };
    const matching = await proxy({ clusters: { backend: [backend.port] }, listener, httpFilters: [rbacFilter(rules(port))], routeConfig: ALL_ROUTES });
    assert.equal((await client(matching.port).request("/p")).status, 200);
    await matching.host.stop();
    const other = await proxy({ clusters: { backend: [backend.port] }, listener, httpFilters: [rbacFilter(rules(port + 1))], routeConfig: ALL_ROUTES });
    assert.equal((await client(other.port).request("/p")).status, 403);
  });

  it("authenticated never matches: the host has no TLS", async () => {
    const { status } = await start({ rules: { policies: { mtls: { permissions: anyone, principals: [{ authenticated: {} }] } } } });
    assert.equal(await status("/p"), 403);
  });

  it("without rules it lets everything through and counts nothing; rules without policies: ALLOW denies all, DENY allows all", async () => {
    const none = await start({});
    assert.equal(await none.status("/p"), 200);
    assert.deepEqual([none.host.stat("http.ingress.rbac.allowed"), none.host.stat("http.ingress.rbac.denied")], [0, 0]);
    const allowNothing = await start({ rules: {} });
    assert.equal(await allowNothing.status("/p"), 403);
    const denyNothing = await start({ rules: { action: "DENY" } });
    assert.equal(await denyNothing.status("/p"), 200);
  });

  it("shadow_rules only count, under their stat prefix; rules_stat_prefix prefixes allowed and denied", async () => {
    const { host, backend, status } = await start({
      rules_stat_prefix: "enforced",
      rules: { action: "DENY", policies: { admin: { permissions: [pathPrefix("/admin")], principals: anyone } } },
      shadow_rules_stat_prefix: "dry_run_",
      shadow_rules: { policies: { api: { permissions: [pathPrefix("/api")], principals: anyone } } },
    });
    assert.equal(await status("/api/1"), 200);
    assert.equal(await status("/other"), 200);
    assert.equal(await status("/admin"), 403);
    assert.equal(backend.requests.length, 2);
    assert.deepEqual(
      ["enforced.allowed", "enforced.denied", "dry_run_.shadow_allowed", "dry_run_.shadow_denied"].map((name) => host.stat(`http.ingress.rbac.${name}`)),
      [2, 1, 1, 2],
    );
  });
});

describe("envoy.filters.http.rbac configuration", () => {
  const load = (typedConfig: Record<string, unknown>) =>
    loadBootstrap(hcmBootstrap({ clusters: { backend: [1] }, routeConfig: ALL_ROUTES, httpFilters: [rbacFilter(typedConfig)] }));
  const policy = (fields: Record<string, unknown>) => ({ rules: { policies: { p: { permissions: anyone, principals: anyone, ...fields } } } });
  const permission = (rule: Record<string, unknown>) => ({ rules: { policies: { p: { permissions: [rule], principals: anyone } } } });
  const principal = (id: Record<string, unknown>) => ({ rules: { policies: { p: { permissions: anyone, principals: [id] } } } });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["the matcher API", { matcher: {} }, /http_filters\[0\]\.typed_config\.matcher: field not supported/],
    ["track_per_rule_stats", { track_per_rule_stats: true }, /typed_config\.track_per_rule_stats: field not supported/],
    ["the LOG action", { rules: { action: "LOG" } }, /rules\.action: "LOG" is not supported by this host \(supported: ALLOW, DENY\)/],
    ["audit logging", { rules: { audit_logging_options: {} } }, /rules\.audit_logging_options: field not supported/],
    ["a CEL condition", policy({ condition: {} }), /rules\.policies\.p\.condition: field not supported/],
    ["a policy without principals", { rules: { policies: { p: { permissions: anyone } } } }, /policies\.p\.principals: must have at least one entry/],
    ["destination_ip", permission({ destination_ip: { address_prefix: "10.0.0.0" } }), /permissions\[0\]\.destination_ip: field not supported/],
    ["requested_server_name", permission({ requested_server_name: { exact: "a" } }), /permissions\[0\]\.requested_server_name: field not supported/],
    ["metadata", principal({ metadata: {} }), /principals\[0\]\.metadata: field not supported/],
    ["two rules in one permission", permission({ any: true, ...header("a", "b") }), /permissions\[0\]\.header: exactly one of/],
    ["an empty permission", permission({}), /permissions\[0\]\.any: exactly one of/],
    ["any: false", permission({ any: false }), /permissions\[0\]\.any: must be true/],
    ["an empty and_rules", permission({ and_rules: { rules: [] } }), /and_rules\.rules: must have at least one entry/],
    ["a port above 65535", permission({ destination_port: 70000 }), /destination_port: expected an integer from 0 to 65535/],
    ["a malformed CIDR", principal({ remote_ip: { address_prefix: "10.0.0" } }), /remote_ip\.address_prefix: malformed IP address: 10\.0\.0/],
    ["an unsupported header matcher", permission({ header: { name: "a", range_match: { start: 1, end: 2 } } }), /header\.range_match: field not supported/],
  ];
  for (const [what, typedConfig, expected] of refusals) {
    it(`refuses ${what}, naming the field`, () => {
      assert.throws(() => load(typedConfig), (error: Error) => {
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  it("reads the http filters in order", () => {
    const manager = load({ rules: { action: "DENY" } }).listeners[0].httpConnectionManager!;
    assert.deepEqual(manager.httpFilters.map((filter) => Object.keys(filter)), [["rbac"]]);
  });
});

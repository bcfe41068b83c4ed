// The HTTP connection manager end to end on 127.0.0.1: Node HTTP/2 client → host listener (optional test network
// filters, then the connection manager) → Node HTTP/2 upstream servers.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { FilterStatus } from "../../api.ts";
import { eventually, testFilters } from "../test_support.ts";
import { hcmFixtures } from "./test_support.ts";

describe("http_connection_manager", { timeout: 30_000 }, () => {
  const { upstream, proxy, client, onCleanup } = hcmFixtures();
  const to = (cluster: string) => ({ route: { cluster } });

  it("routes by domain, path, prefix, regex and headers, first match wins", async () => {
    const names = ["exact", "prefix", "regex", "header", "wild", "suffix", "fallback"];
    const servers = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await upstream(name)] as const)));
    const host = await proxy({
      clusters: Object.fromEntries(names.map((name) => [name, [servers[name].port]])),
      routeConfig: {
        virtual_hosts: [
          {
            name: "service",
            domains: ["service", "service:8080"],
            routes: [
              { match: { path: "/a/exact" }, ...to("exact") },
              { match: { prefix: "/a/", headers: [{ name: "x-canary", string_match: { exact: "yes" } }] }, ...to("header") },
              { match: { safe_regex: { regex: "/a/r[0-9]+" } }, ...to("regex") },
              { match: { prefix: "/a/" }, ...to("prefix") },
            ],
          },
          { name: "suffix", domains: ["*.example.com"], routes: [{ match: { prefix: "/" }, ...to("suffix") }] },
          { name: "wild", domains: ["*.b.example.com"], routes: [{ match: { prefix: "/" }, ...to("wild") }] },
          { name: "other", domains: ["*"], routes: [{ match: { prefix: "/", headers: [{ name: "x-absent", present_match: false }] }, ...to("fallback") }] },
        ],
      },
    });
    const peer = client(host.port);
    const routedTo = async (path: string, headers: Record<string, string> = {}) => (await peer.request(path, headers)).body;
    assert.equal(await routedTo("/a/exact"), "exact");
    assert.equal(await routedTo("/a/exact?query=1"), "exact");
    assert.equal(await routedTo("/a/exact", { "x-canary": "yes" }), "exact");
    assert.equal(await routedTo("/a/other", { "x-canary": "yes" }), "header");
    assert.equal(await routedTo("/a/r42"), "regex");
    assert.equal(await routedTo("/a/r42x"), "prefix"); // a regex matches the whole path
    assert.equal(await routedTo("/a/exact", { ":authority": "SERVICE:8080" }), "exact");
    assert.equal(await routedTo("/x", { ":authority": "c.b.example.com" }), "wild"); // the longest wildcard wins
    assert.equal(await routedTo("/x", { ":authority": "a.example.com" }), "suffix");
    assert.equal(await routedTo("/x", { ":authority": "a.example.com:80" }), "fallback"); // the port is part of the host
    assert.equal(await routedTo("/a/exact", { ":authority": "service:9090" }), "fallback");
    const miss = await peer.request("/x", { ":authority": "other", "x-absent": "here" });
    assert.equal(miss.status, 404);
  });

  it("answers no route with Envoy's 404: empty body, no content-type, date and server; counts no_route", async () => {
    const backend = await upstream("backend");
    const host = await proxy({
      clusters: { backend: [backend.port] },
      routeConfig: { virtual_hosts: [{ name: "only", domains: ["*"], routes: [{ match: { path: "/known" }, ...to("backend") }] }] },
    });
    const response = await client(host.port).request("/unknown");
    assert.equal(response.status, 404);
    assert.equal(response.body, "");
    assert.equal(response.headers["content-type"], undefined);
    assert.equal(response.headers["server"], "envoy");
    assert.match(String(response.headers["date"]), /GMT$/);
    assert.equal(host.stat("http.ingress.no_route"), 1);
    assert.equal(host.stat("http.ingress.downstream_rq_4xx"), 1);
    assert.equal(host.stat("http.ingress.downstream_rq_total"), 1);
    assert.equal(backend.requests.length, 0);
  });

  it("answers a direct_response with its status, body as text/plain and the route's response headers", async () => {
    const host = await proxy({
      clusters: {},
      routeConfig: {
        virtual_hosts: [
          {
            name: "only",
            domains: ["*"],
            routes: [{ match: { prefix: "/" }, direct_response: { status: 503, body: { inline_string: "closed" } }, response_headers_to_add: [{ header: { key: "x-why", value: "maintenance" } }] }],
          },
        ],
      },
    });
    const response = await client(host.port).request("/any");
    assert.deepEqual([response.status, response.body, response.headers["content-type"], response.headers["x-why"]], [503, "closed", "text/plain", "maintenance"]);
    assert.equal(response.headers["content-length"], "6");
    assert.equal(host.stat("http.ingress.rq_direct_response"), 1);
  });

  it("adds request and response headers at route, virtual host and route_config level, route_config winning", async () => {
    const backend = await upstream("backend", () => ({ status: 200, headers: { "x-from-upstream": "u" }, body: "ok" }));
    const add = (key: string, value: string, append_action?: string) => ({ header: { key, value }, ...(append_action && { append_action }) });
    const host = await proxy({
      clusters: { backend: [backend.port] },
      routeConfig: {
        request_headers_to_add: [add("x-level", "config", "OVERWRITE_IF_EXISTS_OR_ADD")],
        response_headers_to_add: [add("x-level", "config", "OVERWRITE_IF_EXISTS_OR_ADD")],
        virtual_hosts: [
          {
            name: "only",
            domains: ["*"],
            request_headers_to_add: [add("x-vhost", "v"), add("x-client", "ignored", "ADD_IF_ABSENT")],
            response_headers_to_add: [add("x-from-upstream", "added")],
            routes: [
              {
                match: { prefix: "/" },
                ...to("backend"),
                request_headers_to_add: [add("x-level", "route"), { header: { key: "x-legacy", value: "l" }, append: false }],
                response_headers_to_add: [add("x-level", "route")],
              },
            ],
          },
        ],
      },
    });
    const response = await client(host.port).request("/p", { "x-client": "mine", "x-legacy": "old" });
    const sent = backend.requests[0].headers;
    assert.equal(sent["x-level"], "config");
    assert.equal(sent["x-vhost"], "v");
    assert.equal(sent["x-client"], "mine");
    assert.equal(sent["x-legacy"], "l");
    assert.equal(sent["x-forwarded-proto"], "http");
    assert.match(String(sent["x-request-id"]), /^[0-9a-f-]{36}$/);
    assert.equal(sent["x-envoy-expected-rq-timeout-ms"], "15000");
    assert.equal(sent[":authority"], "service");
    assert.equal(response.headers["x-level"], "config");
    assert.equal(response.headers["x-from-upstream"], "u, added");
    assert.match(String(response.headers["x-envoy-upstream-service-time"]), /^\d+$/);
    assert.equal(response.headers["server"], "envoy");
  });

  it("rate limits with local_ratelimit: 429 local_rate_limited, its response headers, no x-envoy-ratelimited", async () => {
    const backend = await upstream("backend");
    const host = await proxy({
      clusters: { backend: [backend.port] },
      httpFilters: [
        {
          name: "envoy.filters.http.local_ratelimit",
          typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
            stat_prefix: "limiter",
            token_bucket: { max_tokens: 2, tokens_per_fill: 1, fill_interval: "60s" },
            filter_enabled: { runtime_key: "rl_enabled", default_value: { numerator: 100, denominator: "HUNDRED" } },
            filter_enforced: { runtime_key: "rl_enforced", default_value: { numerator: 100, denominator: "HUNDRED" } },
            response_headers_to_add: [{ header: { key: "x-limited", value: "true" } }],
          },
        },
      ],
      routeConfig: { virtual_hosts: [{ name: "only", domains: ["*"], routes: [{ match: { prefix: "/" }, ...to("backend") }] }] },
    });
    const peer = client(host.port);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await peer.request("/p")).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = await peer.request("/p");
    assert.deepEqual([limited.status, limited.body, limited.headers["content-type"], limited.headers["x-limited"]], [429, "local_rate_limited", "text/plain", "true"]);
    assert.equal(limited.headers["x-envoy-ratelimited"], undefined);
    assert.equal(backend.requests.length, 2);
    assert.equal(host.stat("limiter.http_local_rate_limit.rate_limited"), 2);
    assert.equal(host.stat("limiter.http_local_rate_limit.ok"), 2);
    assert.equal(host.stat("http.ingress.downstream_rq_4xx"), 2);
  });

  it("sends the streams of two client connections over one upstream connection", async () => {
    const backend = await upstream("backend");
    const host = await proxy({
      clusters: { backend: [backend.port] },
      routeConfig: { virtual_hosts: [{ name: "only", domains: ["*"], routes: [{ match: { prefix: "/" }, ...to("backend") }] }] },
    });
    const first = client(host.port);
    const second = client(host.port);
    const bodies = await Promise.all([first, second, first, second].map((peer) => peer.request("/p")));
    assert.deepEqual(bodies.map((response) => response.body), ["backend", "backend", "backend", "backend"]);
    assert.equal(backend.sessions, 1);
    assert.equal(host.stat("cluster.backend.upstream_cx_total"), 1);
    assert.equal(host.stat("cluster.backend.upstream_rq_total"), 4);
    assert.equal(host.stat("http.ingress.downstream_cx_total"), 2);
  });

  it("writes through the connection's write filters: a filter before it sees, and may replace, every byte", async () => {
    const backend = await upstream("backend", () => ({ status: 200, body: "secret" }));
    const written: Buffer[] = [];
    const rewriter = testFilters({
      onWrite: (data) => {
        written.push(Buffer.from(data.view()));
        // Same length, so the HTTP/2 framing stays valid: the client must get what the filter wrote.
        const replaced = Buffer.from(Buffer.from(data.view()).toString("latin1").replaceAll("secret", "public"), "latin1");
        data.drain(data.length);
        data.append(replaced);
        return FilterStatus.Continue;
      },
    });
    const host = await proxy({
      filters: [rewriter.make],
      clusters: { backend: [backend.port] },
      routeConfig: { virtual_hosts: [{ name: "only", domains: ["*"], routes: [{ match: { prefix: "/" }, ...to("backend") }] }] },
    });
    const response = await client(host.port).request("/p");
    assert.equal(response.body, "public");
    const all = Buffer.concat(written);
    assert.equal(all[3], 0x4, "the server's first frame is its SETTINGS");
    assert.ok(all.includes("secret"), "the filter saw the response body as HCM wrote it");
  });

  it("closes a connection that is not HTTP/2 under codec_type AUTO, counting a protocol error", async () => {
    const host = await proxy({
      clusters: {},
      hcm: { codec_type: "AUTO" },
      routeConfig: { virtual_hosts: [{ name: "only", domains: ["*"], routes: [{ match: { prefix: "/" }, direct_response: { status: 200 } }] }] },
    });
    const socket = net.connect(host.port, "127.0.0.1");
    socket.on("error", () => {});
    onCleanup(() => void socket.destroy());
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    await eventually(() => closed, "the host to close the HTTP/1 connection");
    assert.equal(host.stat("http.ingress.downstream_cx_protocol_error"), 1);
    const answered = await client(host.port).request("/");
    assert.equal(answered.status, 200, "HTTP/2 on the same AUTO listener works");
  });
});

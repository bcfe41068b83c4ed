// The router behind the HTTP connection manager: weighted clusters, retries, timeouts, resets and mirrors, end to end
// on 127.0.0.1 with Node HTTP/2 upstreams.
import assert from "node:assert/strict";
import http2 from "node:http2";
import { describe, it } from "node:test";
import { closedPort, eventually } from "../test_support.ts";
import { hcmFixtures, type UpstreamHandler } from "./test_support.ts";

describe("http router", { timeout: 60_000 }, () => {
  const { upstream, proxy, client } = hcmFixtures();
  /** One virtual host for every domain with one route for every path. */
  const routeAll = (route: Record<string, unknown>) => ({ virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/" }, route }] }] });
  const reset: UpstreamHandler = (_request, stream) => void stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);

  it("splits weighted clusters 80/20 over 1,000 requests on one connection, within 5 standard deviations", async () => {
    const heavy = await upstream("heavy");
    const light = await upstream("light");
    const host = await proxy({
      clusters: { heavy: [heavy.port], light: [light.port] },
      routeConfig: routeAll({ weighted_clusters: { clusters: [{ name: "heavy", weight: 80 }, { name: "light", weight: 20 }] } }),
    });
    const peer = client(host.port);
    for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 100 }, () => peer.request("/p")));
    // Binomial(n = 1000, p = 0.8): mean 800, standard deviation sqrt(1000 × 0.8 × 0.2) ≈ 12.6; ±63 fails once in ~1.7 million runs.
    assert.equal(heavy.requests.length + light.requests.length, 1000);
    assert.ok(Math.abs(heavy.requests.length - 800) <= 63, `heavy got ${heavy.requests.length} of 1000`);
    assert.equal(heavy.sessions + light.sessions, 2);
  });

  it("retries a 5xx on the next endpoint (round robin, no retry host predicate) and counts the retry", async () => {
    const failing = await upstream("failing", () => ({ status: 503, body: "busy" }));
    const healthy = await upstream("healthy");
    const host = await proxy({
      clusters: { backend: [failing.port, healthy.port] },
      routeConfig: routeAll({ cluster: "backend", retry_policy: { retry_on: "5xx", retry_back_off: { base_interval: "0.001s" } } }),
    });
    const response = await client(host.port).request("/p", {}, "payload");
    assert.deepEqual([response.status, response.body], [200, "healthy"]);
    assert.deepEqual([failing.requests.length, healthy.requests.length], [1, 1]);
    assert.equal(healthy.requests[0].body, "payload", "the retry resends the whole body");
    assert.equal(host.stat("cluster.backend.upstream_rq_retry"), 1);
    assert.equal(host.stat("cluster.backend.upstream_rq_retry_success"), 1);
    assert.equal(host.stat("cluster.backend.upstream_rq_total"), 2);
  });

  it("with the previous_hosts predicate, a retry picks again until it finds a host not tried (random load balancing)", async () => {
    const failing = await upstream("failing", () => ({ status: 503, body: "busy" }));
    const healthy = await upstream("healthy");
    const predicate = {
      name: "envoy.retry_host_predicates.previous_hosts",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate" },
    };
    const retry = (extra: object) => ({ retry_on: "5xx", num_retries: 1, retry_back_off: { base_interval: "0.001s" }, ...extra });
    const answers = async (extra: object) => {
      const host = await proxy({
        clusters: { backend: [failing.port, healthy.port] },
        cluster: { lb_policy: "RANDOM" },
        routeConfig: routeAll({ cluster: "backend", retry_policy: retry(extra) }),
      });
      const peer = client(host.port);
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await peer.request("/p")).status);
      return statuses.filter((status) => status === 503).length;
    };
    // Without the predicate a retry picks the failing host again half of the time: about 15 of 60 calls fail
    // (Binomial(60, 1/4), standard deviation 3.4). With it and 10 more picks, a call fails with probability 2^-12.
    assert.ok((await answers({})) >= 3, "without the predicate, some retries meet the failing host again");
    assert.equal(await answers({ retry_host_predicate: [predicate], host_selection_retry_max_attempts: 10 }), 0);
  });

  it("retries a reset with retry_on reset; without a retry policy answers Envoy's 503 reset reply (UR)", async () => {
    const resetting = await upstream("resetting", reset);
    const healthy = await upstream("healthy");
    const host = await proxy({
      clusters: { retried: [resetting.port, healthy.port], single: [resetting.port] },
      routeConfig: {
        virtual_hosts: [
          {
            name: "all",
            domains: ["*"],
            routes: [
              { match: { prefix: "/retried" }, route: { cluster: "retried", retry_policy: { retry_on: "reset", num_retries: 2 } } },
              { match: { prefix: "/single" }, route: { cluster: "single" } },
            ],
          },
        ],
      },
    });
    const peer = client(host.port);
    assert.equal((await peer.request("/retried")).body, "healthy");
    const failed = await peer.request("/single");
    assert.equal(failed.status, 503);
    assert.equal(failed.body, "upstream connect error or disconnect/reset before headers. reset reason: remote reset");
    assert.equal(failed.headers["content-type"], "text/plain");
    assert.equal(host.stat("http.ingress.downstream_rq_5xx"), 1);
  });

  it("gives up after num_retries and says the latest reset reason; a refused connection is a connect failure", async () => {
    const nobody = await closedPort();
    const host = await proxy({
      clusters: { gone: [nobody] },
      routeConfig: routeAll({ cluster: "gone", retry_policy: { retry_on: "connect-failure", num_retries: 2, retry_back_off: { base_interval: "0.001s" } } }),
    });
    const response = await client(host.port).request("/p");
    assert.equal(response.status, 503);
    assert.equal(response.body, "upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure");
    assert.equal(host.stat("cluster.gone.upstream_rq_retry"), 2);
    assert.equal(host.stat("cluster.gone.upstream_rq_retry_limit_exceeded"), 1);
    assert.equal(host.stat("cluster.gone.upstream_cx_connect_fail"), 3);
  });

  it("answers 504 upstream request timeout on the route timeout while other streams of the connection complete", async () => {
    const backend = await upstream("backend", (request) => (request.headers[":path"] === "/slow" ? undefined : { status: 200, body: "fast" }));
    const host = await proxy({ clusters: { backend: [backend.port] }, routeConfig: routeAll({ cluster: "backend", timeout: "0.3s" }) });
    const peer = client(host.port);
    const slow = peer.request("/slow");
    const fast = await Promise.all([peer.request("/fast"), peer.request("/fast")]);
    assert.deepEqual(fast.map((response) => response.body), ["fast", "fast"]);
    const timedOut = await slow;
    assert.deepEqual([timedOut.status, timedOut.body, timedOut.headers["content-type"]], [504, "upstream request timeout", "text/plain"]);
    assert.equal(backend.requests.find((request) => request.headers[":path"] === "/slow")?.headers["x-envoy-expected-rq-timeout-ms"], "300");
    assert.equal(host.stat("cluster.backend.upstream_rq_timeout"), 1);
    assert.equal((await peer.request("/fast")).body, "fast", "the connection is still usable");
  });

  it("retries after a per-try timeout and reports the per-try timeout upstream", async () => {
    let calls = 0;
    const backend = await upstream("backend", () => (++calls === 1 ? undefined : { status: 200, body: "second try" }));
    const host = await proxy({
      clusters: { backend: [backend.port] },
      routeConfig: routeAll({ cluster: "backend", timeout: "5s", retry_policy: { retry_on: "5xx", per_try_timeout: "0.2s", retry_back_off: { base_interval: "0.001s" } } }),
    });
    const response = await client(host.port).request("/p");
    assert.equal(response.body, "second try");
    assert.equal(backend.requests[0].headers["x-envoy-expected-rq-timeout-ms"], "200");
    assert.equal(host.stat("cluster.backend.upstream_rq_per_try_timeout"), 1);
    assert.equal(host.stat("cluster.backend.upstream_rq_retry"), 1);
  });

  it("mirrors each request to the shadow cluster with -shadow on the authority; the client sees the primary's answer", async () => {
    const primary = await upstream("primary");
    const mirror = await upstream("mirror", () => ({ status: 500, body: "mirror" }));
    const host = await proxy({
      clusters: { primary: [primary.port], mirror: [mirror.port] },
      routeConfig: routeAll({ cluster: "primary", request_mirror_policies: [{ cluster: "mirror" }] }),
    });
    const peer = client(host.port);
    const answers = await Promise.all([peer.request("/p", { ":authority": "svc:8080" }, "one"), peer.request("/p", { ":authority": "svc" }, "two")]);
    assert.deepEqual(answers.map((response) => [response.status, response.body]), [[200, "primary"], [200, "primary"]]);
    await eventually(() => mirror.requests.length === 2, "the mirror to get both copies");
    const copies = mirror.requests.map((request) => [request.headers[":authority"], request.body]).sort();
    assert.deepEqual(copies, [["svc-shadow", "two"], ["svc-shadow:8080", "one"]]);
    assert.deepEqual(primary.requests.map((request) => request.headers[":authority"]).sort(), ["svc", "svc:8080"]);
  });

  it("mirrors the runtime_fraction's share of requests (its default_value: the host has no runtime)", async () => {
    const primary = await upstream("primary");
    const mirror = await upstream("mirror");
    const fraction = { default_value: { numerator: 25, denominator: "HUNDRED" } };
    const host = await proxy({
      clusters: { primary: [primary.port], mirror: [mirror.port] },
      routeConfig: routeAll({ cluster: "primary", request_mirror_policies: [{ cluster: "mirror", runtime_fraction: fraction }] }),
    });
    const peer = client(host.port);
    for (let batch = 0; batch < 8; batch++) await Promise.all(Array.from({ length: 50 }, () => peer.request("/p")));
    await new Promise((resolve) => setTimeout(resolve, 200)); // shadows are fire-and-forget
    // Binomial(400, 0.25): mean 100, standard deviation 8.7; 5 deviations either side.
    assert.ok(Math.abs(mirror.requests.length - 100) <= 43, `${mirror.requests.length} of 400 mirrored`);
    assert.equal(primary.requests.length, 400);
  });

  it("answers 503 no healthy upstream for a cluster without endpoints", async () => {
    const host = await proxy({ clusters: { empty: [] }, routeConfig: routeAll({ cluster: "empty" }) });
    const response = await client(host.port).request("/p");
    assert.deepEqual([response.status, response.body], [503, "no healthy upstream"]);
    assert.equal(host.stat("cluster.empty.upstream_cx_none_healthy"), 1);
  });
});

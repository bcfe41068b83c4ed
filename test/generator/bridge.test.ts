// Bridge mode's Envoy bootstrap (generator/bridge/): each call an HTTP/2 stream the HTTP connection manager routes.
// The routes become path and header matches as the bridge writes calls (:path /<service>/<method>, other keys as
// lowercased headers), destinations HTTP/2 clusters of server-side listeners, and the per-call policies Envoy's
// router has. Bad bridge input is refused naming the field; the output passes the Envoy proto validator.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { generateEnvoyBootstrap, generateIstio, readServices } from "../../generator/index.ts";
import { validateEnvoyMessage } from "../validation/envoy_proto.ts";
import { BRIDGE_SERVICE as SERVICE } from "./bridge_service.ts";
import { generationError } from "./generation_error.ts";

const GREETER = "org.example.Greeter";

/** A bridge-mode service for Istio output: a module URL and one route to a subset. */
const MESH_SERVICE = `${SERVICE}module: { url: "file:///m/dubbo.wasm" }
routes: [{ match: { attributes: { method: { exact: sayHello } } }, route: [{ destination: { subset: v1 } }] }]
`;

type Json = Record<string, any>;

function bootstrap(text: string): Json {
  const generated = parse(generateEnvoyBootstrap(readServices("in.yaml", text)));
  assert.deepEqual(validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", generated), []);
  return generated;
}

function hcm(generated: Json): Json {
  return generated.static_resources.listeners[0].filter_chains[0].filters[1].typed_config;
}

function routes(generated: Json): Json[] {
  return hcm(generated).route_config.virtual_hosts[0].routes;
}

function pluginConfiguration(listener: Json): Json {
  return JSON.parse(listener.filter_chains[0].filters[0].typed_config.config.configuration.value);
}

function errorFor(text: string): string {
  return generationError(() => readServices("in.yaml", text));
}

describe("bridge mode: the client listener", () => {
  it("runs the bridge's client side, then an HTTP/2 connection manager whose one virtual host is the authority", () => {
    const generated = bootstrap(SERVICE + "filter: { statPrefix: d, maxFrameSize: 65536 }\n");
    const client = generated.static_resources.listeners[0];
    assert.equal(client.address.socket_address.port_value, 20880);
    assert.deepEqual(client.filter_chains[0].filters.map((f: Json) => f.name), ["envoy.filters.network.wasm", "envoy.filters.network.http_connection_manager"]);
    assert.deepEqual(pluginConfiguration(client), {
      mode: "bridge",
      bridge: { side: "client", authority: "provider.demo.svc.cluster.local" },
      stat_prefix: "d_client",
      max_frame_size: 65536,
    });
    assert.equal(hcm(generated).codec_type, "HTTP2");
    assert.deepEqual(hcm(generated).route_config.virtual_hosts[0].domains, ["provider.demo.svc.cluster.local"]);
    assert.deepEqual(hcm(generated).http_filters.map((f: Json) => f.name), ["envoy.filters.http.router"]);
  });

  it("takes the authority from bridge.authority", () => {
    const generated = bootstrap(SERVICE + "bridge: { authority: 'greeter:20880' }\n");
    assert.deepEqual(hcm(generated).route_config.virtual_hosts[0].domains, ["greeter:20880"]);
    assert.equal(pluginConfiguration(generated.static_resources.listeners[0]).bridge.authority, "greeter:20880");
  });

  it("sends every call to the service when there are no routes, as tcp mode does", () => {
    assert.deepEqual(routes(bootstrap(SERVICE)), [{ match: { prefix: "/" }, route: { cluster: "outbound|20880||provider.demo.svc.cluster.local" } }]);
  });

  it("adds no catch-all when there are routes: a call no route matches gets Envoy's 404 (route not found)", () => {
    const generated = bootstrap(SERVICE + `routes:\n- match: { attributes: { interface: { exact: ${GREETER} } } }\n  route: [{ destination: { subset: v1 } }]\n`);
    assert.deepEqual(routes(generated).map((r) => r.match), [{ prefix: `/${GREETER}/` }]);
  });

  it("limits every call with Envoy's local rate limit filter, enabled and enforced for all calls", () => {
    const generated = bootstrap(SERVICE + "localRateLimit: { tokenBucket: { maxTokens: 5, fillInterval: 1s } }\n");
    const [limit, router] = hcm(generated).http_filters;
    assert.equal(router.name, "envoy.filters.http.router");
    assert.equal(limit.name, "envoy.filters.http.local_ratelimit");
    assert.deepEqual(limit.typed_config.token_bucket, { max_tokens: 5, fill_interval: "1s" });
    const all = { default_value: { numerator: 100, denominator: "HUNDRED" } };
    assert.deepEqual([limit.typed_config.filter_enabled, limit.typed_config.filter_enforced], [all, all]);
  });
});

describe("bridge mode: routes as the bridge writes calls", () => {
  const route = (protocol: string, attributes: string) =>
    routes(bootstrap(SERVICE.replace("dubbo", protocol) + `routes:\n- match: { attributes: ${attributes} }\n  route: [{ destination: { subset: v1 } }]\n`))[0].match;

  it("matches a Dubbo interface and method on the exact path", () => {
    assert.deepEqual(route("dubbo", `{ interface: { exact: ${GREETER} }, method: { exact: sayHello } }`), { path: `/${GREETER}/sayHello` });
  });

  it("matches a method alone, or a method regex, with a regex on the path (any service)", () => {
    assert.deepEqual(route("dubbo", "{ method: { exact: say.Hello } }"), { safe_regex: { regex: "/[^/]*/say\\.Hello" } });
    assert.deepEqual(route("dubbo", `{ interface: { exact: ${GREETER} }, method: { regex: "say.*|echo" } }`), {
      safe_regex: { regex: "/org\\.example\\.Greeter/(?:say.*|echo)" },
    });
    assert.deepEqual(route("dubbo", "{ interface: { prefix: org. }, method: { suffix: Async } }"), { safe_regex: { regex: "/org\\.[^/]*/[^/]*Async" } });
    assert.deepEqual(route("dubbo", "{ interface: {}, method: { contains: ll } }"), { safe_regex: { regex: "/[^/]+/[^/]*ll[^/]*" } });
  });

  it("puts Thrift's service and method in the path, and awesomerpc's command after an empty service", () => {
    assert.deepEqual(route("thrift", "{ service: { exact: Calculator }, method: { exact: add } }"), { path: "/Calculator/add" });
    assert.deepEqual(route("awesomerpc", "{ cmd: { exact: '7' } }"), { safe_regex: { regex: "/[^/]*/7" } });
  });

  it("matches every other attribute as a header with its name lowercased", () => {
    assert.deepEqual(route("dubbo", "{ X-Canary: {}, version: { prefix: v2 }, zone: { regex: 'eu-.*' }, tag: { exact: a }, env: { suffix: prod }, team: { contains: pay } }"), {
      prefix: "/",
      headers: [
        { name: "x-canary", present_match: true },
        { name: "version", string_match: { prefix: "v2" } },
        { name: "zone", string_match: { safe_regex: { regex: "eu-.*" } } },
        { name: "tag", string_match: { exact: "a" } },
        { name: "env", string_match: { suffix: "prod" } },
        { name: "team", string_match: { contains: "pay" } },
      ],
    });
  });
});

describe("bridge mode: destinations and per-call policies", () => {
  it("splits weighted destinations with weighted_clusters", () => {
    const [split] = routes(bootstrap(SERVICE + "routes:\n- route: [{ destination: { subset: v1 }, weight: 90 }, { destination: { subset: v2 }, weight: 10 }]\n"));
    assert.deepEqual(split.route, {
      weighted_clusters: {
        clusters: [
          { name: "outbound|20880|v1|provider.demo.svc.cluster.local", weight: 90 },
          { name: "outbound|20880|v2|provider.demo.svc.cluster.local", weight: 10 },
        ],
      },
    });
  });

  it("maps timeout, retries and mirror to the route's timeout, retry_policy and request_mirror_policies", () => {
    const [policies] = routes(
      bootstrap(
        SERVICE +
          "routes:\n- route: [{ destination: { subset: v1 } }]\n  timeout: 1500ms\n  retries: { attempts: 3, perTryTimeout: 0.5s, retryOn: '5xx, reset' }\n" +
          "  mirror: { subset: shadow }\n  mirrorPercentage: { value: 12.5 }\n",
      ),
    );
    assert.deepEqual(policies.route, {
      cluster: "outbound|20880|v1|provider.demo.svc.cluster.local",
      timeout: "1.5s",
      retry_policy: { retry_on: "5xx,reset", num_retries: 3, per_try_timeout: "0.5s" },
      request_mirror_policies: [
        { cluster: "outbound|20880|shadow|provider.demo.svc.cluster.local", runtime_fraction: { default_value: { numerator: 125000, denominator: "MILLION" } } },
      ],
    });
  });

  it("retries by default only what never reached a server, and mirrors every call without a percentage", () => {
    const [policies] = routes(bootstrap(SERVICE + "routes:\n- route: [{ destination: {} }]\n  retries: { attempts: 1 }\n  mirror: { subset: shadow }\n"));
    assert.deepEqual(policies.route.retry_policy, { retry_on: "connect-failure,refused-stream", num_retries: 1 });
    assert.deepEqual(policies.route.request_mirror_policies, [{ cluster: "outbound|20880|shadow|provider.demo.svc.cluster.local" }]);
  });

  it("turns mutations into headers to add: the service's on the virtual host, a route's on the route", () => {
    const generated = bootstrap(
      SERVICE + "filter: { requestMutation: [{ key: X-Mesh, value: wasm }] }\nroutes:\n- route: [{ destination: {} }]\n" +
        "  requestMutation: [{ key: x-route, value: r }]\n  responseMutation: [{ key: x-served, value: s }]\n",
    );
    const set = (key: string, value: string) => ({ header: { key, value }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" });
    assert.deepEqual(hcm(generated).route_config.virtual_hosts[0].request_headers_to_add, [set("x-mesh", "wasm")]);
    assert.deepEqual(routes(generated)[0].request_headers_to_add, [set("x-route", "r")]);
    assert.deepEqual(routes(generated)[0].response_headers_to_add, [set("x-served", "s")]);
  });

  it("gives each destination an HTTP/2 cluster of server-side listeners, one per server endpoint, on ports from serverPort", () => {
    const generated = bootstrap(
      SERVICE +
        "bridge: { serverPort: 30000 }\nroutes:\n- route: [{ destination: { subset: v1 }, weight: 1 }, { destination: { subset: v2 }, weight: 1 }]\n" +
        "envoy:\n  clusters:\n  - { subset: v1, endpoints: ['10.0.0.1:20880', '10.0.0.2:20880'] }\n  - { subset: v2, endpoints: ['10.0.0.2:20880'] }\n",
    );
    const { listeners, clusters } = generated.static_resources;
    const servers = listeners.slice(1);
    assert.deepEqual(servers.map((l: Json) => [l.name, l.address.socket_address.address, l.address.socket_address.port_value]), [
      ["demo-server-0", "127.0.0.1", 30000],
      ["demo-server-1", "127.0.0.1", 30001],
    ]);
    for (const server of servers) {
      assert.deepEqual(server.filter_chains[0].filters.map((f: Json) => f.name), ["envoy.filters.network.wasm", "envoy.filters.network.tcp_proxy"]);
      assert.deepEqual(pluginConfiguration(server), { mode: "bridge", bridge: { side: "server" }, stat_prefix: "demo_server" });
      assert.equal(server.filter_chains[0].filters[1].typed_config.cluster, server.name);
    }
    const byName = new Map(clusters.map((c: Json) => [c.name, c]));
    const ports = (name: string) => (byName.get(name) as Json).load_assignment.endpoints[0].lb_endpoints.map((e: Json) => e.endpoint.address.socket_address.port_value);
    assert.deepEqual(ports("outbound|20880|v1|provider.demo.svc.cluster.local"), [30000, 30001]);
    assert.deepEqual(ports("outbound|20880|v2|provider.demo.svc.cluster.local"), [30001]);
    const http2 = { "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions", explicit_http_config: { http2_protocol_options: {} } };
    assert.deepEqual((byName.get("outbound|20880|v1|provider.demo.svc.cluster.local") as Json).typed_extension_protocol_options, {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": http2,
    });
    const server = (name: string) => (byName.get(name) as Json).load_assignment.endpoints[0].lb_endpoints.map((e: Json) => e.endpoint.address.socket_address);
    assert.deepEqual(server("demo-server-0"), [{ address: "10.0.0.1", port_value: 20880 }]);
    assert.deepEqual(server("demo-server-1"), [{ address: "10.0.0.2", port_value: 20880 }]);
    assert.equal((byName.get("demo-server-1") as Json).typed_extension_protocol_options, undefined);
  });

  it("puts the server-side listeners from the client listener's port + 1 by default", () => {
    const generated = bootstrap(SERVICE + "envoy: { listener: { port: 7000 } }\n");
    assert.deepEqual(generated.static_resources.listeners.map((l: Json) => l.address.socket_address.port_value), [7000, 7001]);
  });
});

describe("bridge mode: the validator sees inside the HTTP connection manager", () => {
  it("refuses a route field Envoy does not have", () => {
    const generated = bootstrap(SERVICE);
    routes(generated)[0].route.retries = 3;
    const problems = validateEnvoyMessage("envoy.config.bootstrap.v3.Bootstrap", generated);
    assert.ok(problems.some((p) => /retries/.test(p)), problems.join("\n"));
  });
});

describe("bridge mode: bad input", () => {
  const CASES: [string, string, string][] = [
    ["an unknown bridge field", SERVICE + "bridge: { side: client }\n", "in.yaml:7:17: bridge.side: unknown field; expected one of authority, serverAddress, serverPort"],
    ["bridge settings in tcp mode", SERVICE.replace("mode: bridge", "mode: tcp") + "bridge: { serverPort: 1 }\n", "in.yaml:7:9: bridge: expected no bridge settings in tcp mode (set mode: bridge)"],
    ["an unknown mode", SERVICE.replace("mode: bridge", "mode: http"), 'in.yaml:4:7: mode: expected one of tcp, bridge, got "http"'],
    [
      "retries in tcp mode",
      SERVICE.replace("mode: bridge\n", "") + "routes:\n- route: [{ destination: {} }]\n  retries: { attempts: 2 }\n",
      "in.yaml:8:12: routes[0].retries: not supported in tcp mode: a network filter cannot time out or retry one call (mode: bridge can)",
    ],
    [
      "a timeout in tcp mode",
      SERVICE.replace("mode: bridge\n", "") + "routes:\n- route: [{ destination: {} }]\n  timeout: 1s\n",
      "in.yaml:8:12: routes[0].timeout: not supported in tcp mode: a network filter cannot time out or retry one call (mode: bridge can)",
    ],
    [
      "an unknown retry condition",
      SERVICE + "routes:\n- route: [{ destination: {} }]\n  retries: { attempts: 2, retryOn: '5xx,cancelled' }\n",
      'in.yaml:9:36: routes[0].retries.retryOn: unknown retry condition "cancelled"; expected a comma-separated list of 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, envoy-ratelimited',
    ],
    ["retries without attempts", SERVICE + "routes:\n- route: [{ destination: {} }]\n  retries: { retryOn: 5xx }\n", "in.yaml:9:12: routes[0].retries.attempts: required field missing; expected the number of retries"],
    ["a mirror percentage over 100", SERVICE + "routes:\n- route: [{ destination: {} }]\n  mirror: {}\n  mirrorPercentage: { value: 150 }\n", "in.yaml:10:30: routes[0].mirrorPercentage.value: expected a percentage from 0 to 100, got 150"],
    ["an authority with userinfo", SERVICE + "bridge: { authority: 'u@host' }\n", 'in.yaml:7:22: bridge.authority: expected a host name, optionally with :port (what the client side writes as :authority), got "u@host"'],
    [
      "a wildcard server address",
      SERVICE + "bridge: { serverAddress: 0.0.0.0 }\n",
      'in.yaml:7:26: bridge.serverAddress: expected an IP address the HTTP/2 clusters can connect to (not a wildcard like 0.0.0.0), got "0.0.0.0"',
    ],
    [
      "no room for the server-side listeners",
      SERVICE + "envoy: { listener: { port: 65535 } }\n",
      "in.yaml:1:1: bridge.serverPort: required field missing; expected a port for the server-side listeners (the client listener's port + 1 is past 65535)",
    ],
    [
      "a tcp-mode filter option",
      SERVICE + "filter: { routeMismatch: reject }\n",
      "in.yaml:7:26: filter.routeMismatch: is for tcp mode: in bridge mode Envoy's HTTP connection manager routes and forwards each call",
    ],
    [
      "a global rate limit",
      SERVICE + "globalRateLimit: { domain: d }\n",
      "in.yaml:7:18: globalRateLimit: not supported in bridge mode yet (Envoy's HTTP rate limit filter would do it); use mode: tcp",
    ],
    [
      "local rate limit conditions",
      SERVICE + "localRateLimit:\n  conditions: []\n",
      "in.yaml:8:15: localRateLimit.conditions: not supported in bridge mode yet: only tokenBucket, one bucket for every call of the service",
    ],
    [
      "a custom protocol",
      SERVICE.replace("dubbo", "myrpc") + "module: { url: 'file:///m.wasm' }\n",
      "in.yaml:4:7: mode: expected tcp for protocol myrpc: bridge mode is generated for dubbo, thrift, awesomerpc",
    ],
  ];
  for (const [what, text, message] of CASES) {
    it(`refuses ${what}`, () => assert.equal(errorFor(text), message));
  }

  it("refuses an attribute HTTP/2 cannot carry as a header, naming it", () => {
    const text = SERVICE + "routes:\n- match: { attributes: { 'two words': { exact: x } } }\n  route: [{ destination: {} }]\n";
    assert.equal(
      generationError(() => generateEnvoyBootstrap(readServices("in.yaml", text))),
      `in.yaml:8:39: routes[0].match.attributes["two words"]: expected a key that can be an HTTP/2 header name (letters, digits and !#$%&'*+.^_\`|~-, not a connection header), ` +
        'got "two words": in bridge mode every key travels as a header',
    );
  });

  it("refuses a mutation of a connection header", () => {
    const text = SERVICE + "filter: { requestMutation: [{ key: Connection, value: close }] }\n";
    assert.match(generationError(() => generateEnvoyBootstrap(readServices("in.yaml", text))), /^in\.yaml:7:36: filter\.requestMutation\[0\]\.key: expected a key that can be an HTTP\/2 header name/);
  });

  it("refuses server-side listeners on another listener's port", () => {
    const other = SERVICE.replace("name: demo", "name: other").replace("mode: bridge\n", "").replace("port: 20880", "port: 20881");
    assert.equal(
      generationError(() => generateEnvoyBootstrap(readServices("in.yaml", SERVICE + "---\n" + other))),
      "in.yaml:8:1: envoy: expected ports no other listener uses; listener other (0.0.0.0:20881) would share port 20881 with listener demo-server-0 (127.0.0.1:20881)",
    );
  });

  it("has both sides' plugin configurations checked by the module, a refusal naming the input field", () => {
    const text = SERVICE + "filter: { codec: { bogus: 1 } }\n";
    assert.match(generationError(() => generateEnvoyBootstrap(readServices("in.yaml", text))), /^in\.yaml:7:18: filter\.codec: refused by the dubbo filter \(.*build\/dubbo\.wasm\): field 'codec/);
  });

  it("writes Istio's own resources: the client Sidecar and WasmPlugin, the server EnvoyFilter, the VirtualService", () => {
    const text = `${MESH_SERVICE}istio: { subsets: [{ name: v1, labels: { version: v1 } }] }\n`;
    const kinds = parseAllDocuments(generateIstio(readServices("in.yaml", text))).map((d) => d.toJS().kind);
    assert.deepEqual(kinds, ["Sidecar", "WasmPlugin", "EnvoyFilter", "VirtualService", "DestinationRule"]);
  });

  it("refuses a route to a subset istio.subsets does not define, naming the destination", () => {
    const text = `${MESH_SERVICE.replace("subset: v1", "subset: v9")}istio: { subsets: [{ name: v1, labels: { version: v1 } }] }\n`;
    assert.match(generationError(() => readServices("in.yaml", text)), /^in\.yaml:\d+:\d+: routes\[0\]\.route\[0\]: expected a subset defined in istio\.subsets \(v1\), got v9/);
  });

  it("refuses a server-side port the sidecar uses", () => {
    const text = `${MESH_SERVICE}bridge: { serverPort: 15001 }\nistio: { subsets: [{ name: v1, labels: { version: v1 } }] }\n`;
    assert.match(generationError(() => generateIstio(readServices("in.yaml", text))), /bridge\.serverPort: expected a serverPort the server pod leaves free \(not 15001/);
  });

  it("refuses the istio map in tcp mode", () => {
    const text = "kind: MetaProtocolService\nname: t\nprotocol: dubbo\nhost: p.demo.svc.cluster.local\nport: 20880\nistio: {}\n";
    assert.match(generationError(() => readServices("in.yaml", text)), /^in\.yaml:6:8: istio: is for bridge mode/);
  });
});

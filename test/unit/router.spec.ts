import { Bytes } from "../../assembly/lib/bytes";
import { Direction } from "../../assembly/core/codec";
import { RouteTable } from "../../assembly/chain/router/route";
import { Router } from "../../assembly/chain/router/filter";
import { TcpConnection } from "../../assembly/core/tcp_connection";
import { StreamResult } from "../../assembly/core/frame_stream";
import { Metadata } from "../../assembly/core/metadata";
import { ThriftCodec, ThriftProtocol } from "../../filters/thrift/codec";
import { awesomeFrame, concat, configurationError, filterOf, sameBytes, TestPlugin, toArray } from "./support";
import { HEADER_BINARY_CALL, HEADER_BINARY_REPLY_OK } from "./thrift_vectors";

const BY_ROUTE = "by_route.protocol=.=awesomerpc;.;stat_prefix=.=test;.;route=.=";
const BY_CLUSTER = "by_cluster.protocol=.=awesomerpc;.;stat_prefix=.=test;.;cluster=.=";

function errorOf(text: string): string {
  return configurationError(text);
}

function routerOf(text: string): Router {
  return filterOf<Router>(new TestPlugin(text).plugin)!;
}

function routesOf(text: string): RouteTable {
  return routerOf(text).routes;
}

/** Feeds `bytes` and returns what goes on (Envoy's buffer after the filter). */
function through(c: TcpConnection, direction: Direction, bytes: Uint8Array): Uint8Array {
  const result = c.onData(direction, bytes.dataStart, bytes.length, false, 0);
  if (result == StreamResult.PassThrough) return bytes;
  const stream = direction == Direction.Request ? c.downstream : c.upstream;
  return result == StreamResult.Replace ? toArray(stream.outputPtr, stream.outputLength) : new Uint8Array(0);
}

const TWO_ROUTES = `{"stat_prefix": "test", "routes": [
  {"name": "echo", "match": {"metadata": [{"name": "cmd", "exact_match": "1"}]}, "route": {"cluster": "echo_cluster"}},
  {"name": "upper", "match": {"metadata": [{"name": "cmd", "string_match": {"safe_regex": {"regex": "[2-4]"}}}]},
   "route": {"weighted_clusters": {"clusters": [{"name": "v1", "weight": 0}, {"name": "v2", "weight": 5}]}}}
]`;

describe("routes configuration", () => {
  it("reads MetaProtocol-shaped routes", () => {
    const router = routerOf(TWO_ROUTES + "}");
    expect(router.routes.size).toBe(2);
    expect(router.routes.routes[1].totalWeight).toBe(5);
    expect(router.connectionRouting).toBe(true);
  });

  it("refuses bad routes naming the field", () => {
    expect(errorOf('{"routes": [{"name": "a"}]}')).toBe("field 'routes[0].route' is required (a cluster or weighted_clusters)");
    expect(errorOf('{"routes": [{"route": {"cluster": "c", "weighted_clusters": {}}}]}')).toBe(
      "field 'routes[0].route' must have exactly one of cluster, weighted_clusters",
    );
    expect(errorOf('{"routes": [{"match": {"metadata": [{"name": "m", "exact": "x"}]}, "route": {"cluster": "c"}}]}')).toBe(
      "unknown field 'routes[0].match.metadata[0].exact' (known: name, exact_match, prefix_match, suffix_match, contains_match, safe_regex_match, present_match, string_match, invert_match)",
    );
    expect(errorOf('{"routes": [{"match": {"metadata": [{"name": "m", "safe_regex_match": {"regex": "a("}}]}, "route": {"cluster": "c"}}]}').startsWith(
      "field 'routes[0].match.metadata[0].safe_regex_match.regex': ",
    )).toBe(true);
    expect(errorOf('{"routes": [{"route": {"weighted_clusters": {"clusters": [{"name": "a", "weight": 0}]}}}]}')).toBe(
      "field 'routes[0].route.weighted_clusters.clusters' weights add up to 0",
    );
    expect(errorOf('{"route_mismatch": "drop"}')).toBe("field 'route_mismatch' must be forward or reject");
  });
});

describe("matchers", () => {
  it("follow Envoy's HeaderMatcher semantics", () => {
    const routes = routesOf(`{"routes": [{"match": {"metadata": [
      {"name": "a", "prefix_match": "com."}, {"name": "b", "suffix_match": "Service"}, {"name": "c", "contains_match": "mid"},
      {"name": "d", "present_match": false}, {"name": "e", "exact_match": "x", "invert_match": true}
    ]}, "route": {"cluster": "c"}}]}`);
    const md = new Metadata();
    md.putString("a", "com.example");
    md.putString("b", "DemoService");
    md.putString("c", "amidst");
    md.putString("e", "y");
    expect(routes.find(md)).not.toBeNull();
    md.putString("d", "here");
    expect(routes.find(md)).toBeNull();
  });

  it("match each kind against the key's whole value, and fail on a value that differs", () => {
    const kinds: Array<string> = [
      '{"name": "k", "exact_match": "sayHello"}', '{"name": "k", "prefix_match": "say"}', '{"name": "k", "suffix_match": "Hello"}',
      '{"name": "k", "contains_match": "yHe"}', '{"name": "k", "safe_regex_match": {"regex": "s.*o"}}',
      '{"name": "k", "string_match": {"exact": "sayHello"}}', '{"name": "k", "present_match": true}',
    ];
    const misses: Array<string> = ["sayHello!", "asayHello", "sayHellO", "sayhello", "sayHello!", "SayHello", ""];
    for (let i = 0; i < kinds.length; i++) {
      const routes = routesOf(`{"routes": [{"match": {"metadata": [${kinds[i]}]}, "route": {"cluster": "c"}}]}`);
      const hit = new Metadata();
      hit.putString("k", "sayHello");
      expect(routes.find(hit)).not.toBeNull(kinds[i]);
      const miss = new Metadata();
      if (misses[i].length > 0) miss.putString("k", misses[i]);
      expect(routes.find(miss)).toBeNull(kinds[i] + " on '" + misses[i] + "'");
    }
  });

  it("treat a key the request lacks as Envoy does: only present_match false matches it, an inverted value matcher does not", () => {
    const routes = routesOf(`{"routes": [
      {"name": "absent", "match": {"metadata": [{"name": "x", "present_match": false}]}, "route": {"cluster": "c"}},
      {"name": "not-v", "match": {"metadata": [{"name": "y", "exact_match": "v", "invert_match": true}]}, "route": {"cluster": "c"}},
      {"name": "is-v", "match": {"metadata": [{"name": "y", "exact_match": "v"}]}, "route": {"cluster": "c"}}
    ]}`);
    const md = new Metadata();
    md.putString("x", "1");
    expect(routes.find(md)).toBeNull(); // y is absent: neither "not v" nor "v"
    md.putString("y", "w");
    expect(routes.find(md)!.name).toBe("not-v");
    md.reset();
    md.putString("x", "1");
    md.putString("y", "v");
    expect(routes.find(md)!.name).toBe("is-v");
    md.reset();
    expect(routes.find(md)!.name).toBe("absent");
  });

  it("pick the first route that matches, in configuration order", () => {
    const routes = routesOf(`{"routes": [
      {"name": "narrow", "match": {"metadata": [{"name": "m", "exact_match": "a"}, {"name": "v", "exact_match": "2"}]}, "route": {"cluster": "c1"}},
      {"name": "wide", "match": {"metadata": [{"name": "m", "prefix_match": "a"}]}, "route": {"cluster": "c2"}},
      {"name": "all", "route": {"cluster": "c3"}}
    ]}`);
    const md = new Metadata();
    md.putString("m", "a");
    expect(routes.find(md)!.name).toBe("wide"); // "narrow" needs v=2 too
    md.putString("v", "2");
    expect(routes.find(md)!.name).toBe("narrow");
    const other = new Metadata();
    other.putString("m", "b");
    expect(routes.find(other)!.name).toBe("all");
  });
});

describe("router", () => {
  it("chooses the connection's cluster from its first request, then counts mismatches and forwards them", () => {
    const t = new TestPlugin(TWO_ROUTES + "}");
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 3, 0, 0));
    expect(c.cluster).toBe("v2"); // weight 0 for v1: always v2
    expect(c.takeChosenCluster()).toBe("v2");
    expect(c.takeChosenCluster()).toBe("");
    const echo = awesomeFrame(2, 1, 0, 0);
    expect(sameBytes(through(c, Direction.Request, echo), echo)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("route_mismatch")).toBe(1);
  });

  it("answers a request with no route through a carrier, leaving the other requests alone", () => {
    const t = new TestPlugin(TWO_ROUTES + ', "connection_routing": false}');
    const c = new TcpConnection(1, t.plugin);
    const input = concat([awesomeFrame(1, 1, 0, 2), awesomeFrame(2, 9, 0, 3), awesomeFrame(3, 2, 0, 0)]);
    const upstream = through(c, Direction.Request, input);
    const carrier = awesomeFrame(2, -1, 0, 0); // command 0xffff: no server serves it
    expect(sameBytes(upstream, concat([awesomeFrame(1, 1, 0, 2), carrier, awesomeFrame(3, 2, 0, 0)]))).toBe(true);
    // The server answers the carrier with an error code; the client gets the route-not-found reply instead.
    const answers = concat([awesomeFrame(3, 2, 0, 1), awesomeFrame(2, -1, 2, 15), awesomeFrame(1, 1, 0, 2)]);
    const downstream = through(c, Direction.Response, answers);
    expect(sameBytes(downstream, concat([awesomeFrame(3, 2, 0, 1), awesomeFrame(2, 0, 1, 0), awesomeFrame(1, 1, 0, 2)]))).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("route_not_found")).toBe(1);
    expect(t.sink.value("local_response_error")).toBe(1);
    expect(t.sink.value("response_error")).toBe(1);
    expect(t.sink.value("request_active")).toBe(0);
  });

  it("rejects a mismatched request when route_mismatch is reject", () => {
    const t = new TestPlugin(TWO_ROUTES + ', "route_mismatch": "reject"}');
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 1, 0, 0));
    expect(c.cluster).toBe("echo_cluster");
    const upstream = through(c, Direction.Request, awesomeFrame(2, 4, 0, 0));
    expect(sameBytes(upstream, awesomeFrame(2, -1, 0, 0))).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("route_mismatch")).toBe(1);
    expect(t.sink.value("local_response_error")).toBe(1);
  });

  it("applies a route's request mutation (counted when the protocol has no room) and never routes heartbeats", () => {
    const t = new TestPlugin(`{"stat_prefix": "test", "routes": [{"route": {"cluster": "c"}, "request_mutation": [{"key": "k", "value": "v"}]}]}`);
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 1, 0, 0));
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(1);
    expect(c.cluster).toBe("c");
  });

  it("applies a route's response mutation to the responses of that route's requests (THeader)", () => {
    const t = new TestPlugin(`{"stat_prefix": "test", "routes": [{"name": "r", "route": {"cluster": "c"},
      "request_mutation": [{"key": "x-req", "value": "1"}], "response_mutation": [{"key": "x-resp", "value": "2"}]}]}`, new ThriftProtocol());
    const c = new TcpConnection(1, t.plugin);
    const request = decodedThrift(through(c, Direction.Request, vectorArray(HEADER_BINARY_CALL)), Direction.Request);
    expect(request.get("x-req")).toBe("1");
    expect(request.get("x-resp")).toBe("");
    const response = decodedThrift(through(c, Direction.Response, vectorArray(HEADER_BINARY_REPLY_OK)), Direction.Response);
    expect(response.get("x-resp")).toBe("2");
    expect(response.get("x-req")).toBe("");
    expect(response.get("x-trace-id")).toBe("abc123"); // the server's own headers are kept
    expect(response.requestId).toBe(7);
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(0);
    expect(t.sink.value("response_success")).toBe(1);
  });

  it("forwards a response untouched, counted, when the protocol has no room for the response mutation", () => {
    const t = new TestPlugin(`{"stat_prefix": "test", "routes": [{"route": {"cluster": "c"}, "response_mutation": [{"key": "k", "value": "v"}]}]}`);
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 1, 0, 0));
    const answer = awesomeFrame(1, 1, 0, 3);
    expect(sameBytes(through(c, Direction.Response, answer), answer)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(1);
    expect(t.sink.value("response_success")).toBe(1);
  });
});

function vectorArray(vector: StaticArray<u8>): Uint8Array {
  return toArray(changetype<usize>(vector), vector.length);
}

/** `frame` decoded by a new Thrift codec, as the next hop reads it. */
function decodedThrift(frame: Uint8Array, direction: Direction): Metadata {
  const bytes = new Bytes().set(frame.dataStart, frame.length);
  const codec = new ThriftCodec();
  expect(codec.frameSize(bytes)).toBe(frame.length);
  const md = new Metadata();
  expect(codec.decode(bytes, direction, md)).toBeNull();
  return md;
}

describe("the connection's actual cluster", () => {
  const CLUSTERS = `{"stat_prefix": "test", "routes": [
    {"name": "to-v2", "match": {"metadata": [{"name": "cmd", "exact_match": "2"}]}, "route": {"cluster": "v2"}},
    {"name": "to-default", "match": {"metadata": [{"name": "cmd", "exact_match": "3"}]}, "route": {"cluster": "default"}}
  ]`;

  it("left to tcp_proxy when the first request is rejected: later requests are checked against it once Envoy names it", () => {
    const t = new TestPlugin(CLUSTERS + ', "route_mismatch": "reject"}');
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 9, 0, 0)); // no route: rejected, its carrier goes on
    expect(c.clusterSettled).toBe(false);
    c.leaveClusterToTcpProxy(); // what the glue does when it lets the connection through without a cluster
    // Before the first response Envoy cannot name tcp_proxy's cluster: the request goes on, checked on its response.
    const early = awesomeFrame(2, 2, 0, 0);
    expect(sameBytes(through(c, Direction.Request, early), early)).toBe(true);
    c.learnCluster("default"); // the glue reads it from Envoy at the first upstream bytes
    expect(c.cluster).toBe("default");
    through(c, Direction.Response, concat([awesomeFrame(1, -1, 1, 0), awesomeFrame(2, 2, 0, 0)]));
    t.plugin.stats.flush();
    expect(t.sink.value("route_mismatch")).toBe(1);
    // Once named, a request whose route leads elsewhere is rejected at once; one whose route leads there goes on.
    expect(sameBytes(through(c, Direction.Request, awesomeFrame(3, 2, 0, 0)), awesomeFrame(3, -1, 0, 0))).toBe(true);
    const fine = awesomeFrame(4, 3, 0, 0);
    expect(sameBytes(through(c, Direction.Request, fine), fine)).toBe(true);
    t.plugin.stats.flush();
    expect(t.sink.value("route_mismatch")).toBe(2);
    expect(t.sink.value("cx_cluster_tcp_proxy")).toBe(1);
    expect(t.sink.value("cx_cluster_chosen")).toBe(0);
    expect(t.sink.value(BY_CLUSTER + "default;.;cx_total")).toBe(1);
  });

  it("chosen by the first routed request, counted per cluster once Envoy took it, and per route", () => {
    const t = new TestPlugin(CLUSTERS + "}");
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, concat([awesomeFrame(1, 2, 0, 0), awesomeFrame(2, 2, 0, 0), awesomeFrame(3, 3, 0, 0)]));
    expect(c.takeChosenCluster()).toBe("v2");
    c.announced(true);
    t.plugin.stats.flush();
    expect(t.sink.value("cx_cluster_chosen")).toBe(1);
    expect(t.sink.value(BY_CLUSTER + "v2;.;cx_total")).toBe(1);
    expect(t.sink.value(BY_ROUTE + "to-v2;.;request")).toBe(2);
    expect(t.sink.value(BY_ROUTE + "to-default;.;request")).toBe(1);
    expect(t.sink.value("route_mismatch")).toBe(1);
  });

  it("is tcp_proxy's own when Envoy refuses the choice (before 1.28): requests are checked against the name Envoy tells", () => {
    const t = new TestPlugin(CLUSTERS + "}");
    const c = new TcpConnection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 2, 0, 0));
    expect(c.takeChosenCluster()).toBe("v2");
    c.announced(false);
    expect(c.cluster).toBe("");
    c.learnCluster("default");
    through(c, Direction.Response, awesomeFrame(1, 2, 0, 0));
    through(c, Direction.Request, awesomeFrame(2, 2, 0, 0));
    t.plugin.stats.flush();
    expect(t.sink.value("cx_cluster_tcp_proxy")).toBe(1);
    expect(t.sink.value("route_mismatch")).toBe(2); // the first on its response, the second at once
  });
});

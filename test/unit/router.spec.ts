import { Direction } from "../../assembly/framework/codec";
import { parsePluginConfig } from "../../assembly/framework/config";
import { Connection } from "../../assembly/framework/connection";
import { StreamResult } from "../../assembly/framework/frame_stream";
import { Metadata } from "../../assembly/framework/metadata";
import { awesomeFrame, concat, sameBytes, TestPlugin, toArray } from "./support";

function errorOf(text: string): string {
  return parsePluginConfig(text, "p").error;
}

/** Feeds `bytes` and returns what goes on (Envoy's buffer after the filter). */
function through(c: Connection, direction: Direction, bytes: Uint8Array): Uint8Array {
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
    const config = parsePluginConfig(TWO_ROUTES + "}", "p").config!;
    expect(config.routes.size).toBe(2);
    expect(config.routes.routes[1].totalWeight).toBe(5);
    expect(config.connectionRouting).toBe(true);
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
    const config = parsePluginConfig(`{"routes": [{"match": {"metadata": [
      {"name": "a", "prefix_match": "com."}, {"name": "b", "suffix_match": "Service"}, {"name": "c", "contains_match": "mid"},
      {"name": "d", "present_match": false}, {"name": "e", "exact_match": "x", "invert_match": true}
    ]}, "route": {"cluster": "c"}}]}`, "p").config!;
    const md = new Metadata();
    md.putString("a", "com.example");
    md.putString("b", "DemoService");
    md.putString("c", "amidst");
    md.putString("e", "y");
    expect(config.routes.find(md)).not.toBeNull();
    md.putString("d", "here");
    expect(config.routes.find(md)).toBeNull();
  });
});

describe("router", () => {
  it("chooses the connection's cluster from its first request, then counts mismatches and forwards them", () => {
    const t = new TestPlugin(TWO_ROUTES + "}");
    const c = new Connection(1, t.plugin);
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
    const c = new Connection(1, t.plugin);
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
    const c = new Connection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 1, 0, 0));
    expect(c.cluster).toBe("echo_cluster");
    const upstream = through(c, Direction.Request, awesomeFrame(2, 4, 0, 0));
    expect(sameBytes(upstream, awesomeFrame(2, -1, 0, 0))).toBe(true);
  });

  it("applies a route's request mutation (counted when the protocol has no room) and never routes heartbeats", () => {
    const t = new TestPlugin(`{"stat_prefix": "test", "routes": [{"route": {"cluster": "c"}, "request_mutation": [{"key": "k", "value": "v"}]}]}`);
    const c = new Connection(1, t.plugin);
    through(c, Direction.Request, awesomeFrame(1, 1, 0, 0));
    t.plugin.stats.flush();
    expect(t.sink.value("mutation_unsupported")).toBe(1);
    expect(c.cluster).toBe("c");
  });
});

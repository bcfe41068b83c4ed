import { JsonKind, JsonParser } from "../../assembly/lib/json";
import { HeldBytes } from "../../assembly/core/held_bytes";
import { applyVmSettings } from "../../assembly/core/vm_settings";
import { AccessLog } from "../../assembly/chain/access_log/filter";
import { RequestId } from "../../assembly/chain/request_id/filter";
import { RequestMutation } from "../../assembly/chain/request_mutation/filter";
import { BridgeSide } from "../../assembly/core/bridge/bridge_settings";
import { configurationError, filterOf, TestPlugin } from "./support";

function errorOf(text: string): string {
  return configurationError(text);
}

describe("plugin configuration", () => {
  it("uses defaults for an empty configuration", () => {
    const p = new TestPlugin("").plugin;
    expect(p.settings.statPrefix).toBe("awesomerpc");
    expect(p.settings.maxFrameSize).toBe(1048576);
    expect(filterOf<AccessLog>(p)!.format.legacy).toBe(true);
    expect(filterOf<RequestId>(p)).toBeNull();
  });

  it("reads every field", () => {
    const p = new TestPlugin('{"stat_prefix":"edge","max_frame_size":4096,"max_pending_requests":8,"access_log":false}').plugin;
    expect(p.settings.statPrefix).toBe("edge");
    expect(p.settings.maxFrameSize).toBe(4096);
    expect(p.settings.maxPendingRequests).toBe(8);
    expect(filterOf<AccessLog>(p)).toBeNull();
  });

  it("refuses unknown fields by name", () => {
    expect(errorOf('{"max_frame_sise": 10}')).toBe(
      "unknown field 'max_frame_sise' (known: stat_prefix, max_frame_size, max_pending_requests, codec, frame_timeout, mode, bridge, request_id, access_log, local_ratelimit, ratelimit, routes, connection_routing, route_mismatch, request_mutation)",
    );
  });

  it("reads frame_timeout, 30 s by default, off with \"0s\", and refuses a too short one", () => {
    expect(new TestPlugin("{}").plugin.settings.frameTimeoutNs).toBe(30_000_000_000);
    expect(new TestPlugin('{"frame_timeout": "0s"}').plugin.settings.frameTimeoutNs).toBe(0);
    expect(new TestPlugin('{"frame_timeout": "10s"}').plugin.settings.frameTimeoutNs).toBe(10_000_000_000);
    expect(errorOf('{"frame_timeout": "0.1s"}')).toBe("field 'frame_timeout' must be \"0s\" (off) or a duration of at least 0.2s, like \"10s\"");
  });

  it("refuses wrong types and ranges naming the field", () => {
    expect(errorOf('{"max_frame_size": 10}')).toBe("field 'max_frame_size' must be an integer from 64 to 67108864");
    expect(errorOf('{"max_frame_size": 1000.5}')).toBe("field 'max_frame_size' must be an integer from 64 to 67108864");
    expect(errorOf('{"max_pending_requests": "9"}')).toBe("field 'max_pending_requests' must be an integer from 1 to 1000000");
    expect(errorOf('{"access_log": 1}')).toBe("field 'access_log' must be true, false or an object");
    expect(errorOf('{"stat_prefix": "a.b"}')).toBe("field 'stat_prefix' must not contain dots");
    expect(errorOf('{"stat_prefix": ""}')).toBe("field 'stat_prefix' must be a non-empty string");
  });

  it("reads request_mutation and refuses malformed entries by index", () => {
    const p = new TestPlugin('{"request_mutation": [{"key": "a", "value": "1"}, {"key": "b", "value": ""}]}').plugin;
    const mutation = filterOf<RequestMutation>(p)!.mutation;
    expect(mutation.size).toBe(2);
    expect(mutation.values[0]).toBe("1");
    expect(errorOf('{"request_mutation": {"key": "a"}}')).toBe("field 'request_mutation' must be a list");
    expect(errorOf('{"request_mutation": [{"key": "a", "value": "1"}, {"key": ""}]}')).toBe(
      "field 'request_mutation[1].key' must be a non-empty string",
    );
    expect(errorOf('{"request_mutation": [{"key": "a", "valeu": "1"}]}')).toBe("unknown field 'request_mutation[0].valeu' (known: key, value)");
  });

  it("refuses text that is not a JSON object", () => {
    expect(errorOf("[1]")).toBe("configuration must be a JSON object");
    expect(errorOf('{"access_log": tru}')).toBe("configuration is not valid JSON: unexpected character 't' at offset 15");
    expect(errorOf('{"a":1,"a":2}')).toBe("configuration is not valid JSON: duplicate member 'a' at offset 10");
  });
});

describe("JSON reader", () => {
  it("reads nested values, escapes and numbers", () => {
    const v = new JsonParser().parse(' {"a": [1, -2.5e1, true, null, "x\\u0041\\n"], "b": {}} ')!;
    expect(v.kind).toBe(JsonKind.Object);
    const a = v.get("a")!;
    expect(a.items.length).toBe(5);
    expect(a.items[1].number).toBe(-25.0);
    expect(a.items[4].string).toBe("xA\n");
    expect(v.get("b")!.kind).toBe(JsonKind.Object);
  });

  it("refuses nesting deeper than 64 without recursing further", () => {
    const p = new JsonParser();
    expect(p.parse("[".repeat(100) + "]".repeat(100))).toBeNull();
    expect(p.error.startsWith("nesting deeper than 64")).toBe(true);
  });

  it("reads numbers as JSON writes them, and refuses what JSON does not", () => {
    const p = new JsonParser();
    const values: Array<string> = ["0", "-0", "7", "-12", "1048576", "0.5", "2.250", "1e3", "1E+2", "25e-1", "-1.5e2"];
    const expected: Array<f64> = [0, -0, 7, -12, 1048576, 0.5, 2.25, 1000, 100, 2.5, -150];
    for (let i = 0; i < values.length; i++) expect(p.parse(values[i])!.number).toBe(expected[i], values[i]);
    const bad: Array<string> = ["1-2", "01", "1.", ".5", "-", "1e", "1e+", "--1", "+1", "1.2.3"];
    for (let i = 0; i < bad.length; i++) expect(p.parse(bad[i])).toBeNull(bad[i]);
    expect(configurationError('{"max_frame_size": 1-2}')).toBe("configuration is not valid JSON: expected ',' or '}' at offset 20");
  });

  it("refuses unterminated strings and trailing text", () => {
    const p = new JsonParser();
    expect(p.parse('"abc')).toBeNull();
    expect(p.error).toBe("unterminated string at offset 4");
    expect(p.parse("{} x")).toBeNull();
    expect(p.error).toBe("unexpected text after the JSON value at offset 3");
  });
});

describe("VM configuration", () => {
  it("sets the VM's partial frame budget, 64 MiB by default, and refuses what it does not know, naming the field", () => {
    const heldBytes = new HeldBytes();
    expect(applyVmSettings("", heldBytes)).toBe("");
    expect(heldBytes.budget).toBe(64 * 1024 * 1024);
    expect(applyVmSettings('{"partial_frame_budget": 16777216}', heldBytes)).toBe("");
    expect(heldBytes.budget).toBe(16777216);
    expect(applyVmSettings('{"partial_frame_budget": 1024}', heldBytes)).toBe("field 'partial_frame_budget' must be an integer from 1048576 to 536870912");
    expect(applyVmSettings('{"budget": 1}', heldBytes)).toBe("unknown field 'budget' (known: partial_frame_budget)");
    expect(applyVmSettings("[]", heldBytes)).toBe("VM configuration must be a JSON object");
  });

  it("reads bridge mode's side and authority, with no filter chain", () => {
    expect(new TestPlugin("{}").plugin.bridge).toBeNull();
    expect(new TestPlugin('{"mode": "tcp"}').plugin.bridge).toBeNull();
    const client = new TestPlugin('{"mode": "bridge", "bridge": {"side": "client", "authority": "demo.svc:20880"}}').plugin;
    expect(client.bridge!.side).toBe(BridgeSide.Client);
    expect(client.bridge!.authority).toBe("demo.svc:20880");
    expect(client.chain.size).toBe(0);
    expect(client.codecSettings.readsAllKeyValues).toBe(true);
    const server = new TestPlugin('{"mode": "bridge", "bridge": {"side": "server"}}').plugin;
    expect(server.bridge!.side).toBe(BridgeSide.Server);
  });

  it("refuses bridge settings that are wrong, by field", () => {
    expect(errorOf('{"mode": "http"}')).toBe("field 'mode' must be \"tcp\" or \"bridge\"");
    expect(errorOf('{"bridge": {"side": "server"}}')).toBe("field 'bridge' needs \"mode\": \"bridge\"");
    expect(errorOf('{"mode": "bridge"}')).toBe("field 'bridge' is required");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "client"}}')).toBe("field 'bridge.authority' is required");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "client", "authority": "a b"}}')).toBe("field 'bridge.authority' must be a host name, optionally with :port");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "server", "authority": "a"}}')).toBe("field 'bridge.authority' is for the client side: the server side answers any authority");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "middle"}}')).toBe("field 'bridge.side' must be \"client\" or \"server\"");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "server", "x": 1}}')).toBe("unknown field 'bridge.x' (known: side, authority)");
    expect(errorOf('{"mode": "bridge", "bridge": {"side": "server"}, "routes": []}')).toBe(
      "field 'routes' is for tcp mode: in bridge mode Envoy's HTTP connection manager routes, limits and logs each call",
    );
  });
});

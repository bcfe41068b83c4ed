// Which configurations read key/values besides the service and the method, as the filters declare them
// (assembly/core/key_usage.ts): those decide whether codecs read the rest of a frame.
import { DubboProtocol } from "../../filters/dubbo/codec";
import { TestPlugin } from "./support";

function reads(config: string): bool {
  return new TestPlugin(config, new DubboProtocol()).plugin.codecSettings.readsAllKeyValues;
}

const ROUTE_ON = (key: string): string =>
  '{"access_log": false, "routes": [{"name": "r", "match": {"metadata": [{"name": "' + key + '", "exact_match": "x"}]}, "route": {"cluster": "c"}}]}';

describe("key usage", () => {
  it("the default access log line shows every key/value", () => {
    expect(reads("")).toBe(true);
    expect(reads('{"access_log": true}')).toBe(true);
  });

  it("nothing else reads a key: no access log, or one without key/values", () => {
    expect(reads('{"access_log": false}')).toBe(false);
    expect(reads('{"access_log": {"format": "%SERVICE%/%METHOD% %RESPONSE_CODE% %DURATION%"}}')).toBe(false);
  });

  it("an access log format with METADATA, RESPONSE_METADATA or ALL_METADATA", () => {
    expect(reads('{"access_log": {"format": "%METADATA(x-trace)%"}}')).toBe(true);
    expect(reads('{"access_log": {"format": "%RESPONSE_METADATA(x)%"}}')).toBe(true);
    expect(reads('{"access_log": {"format": "%ALL_METADATA%"}}')).toBe(true);
  });

  it("routes on the service or the method read nothing else; a route on another key does", () => {
    expect(reads(ROUTE_ON("interface"))).toBe(false);
    expect(reads(ROUTE_ON("method"))).toBe(false);
    expect(reads(ROUTE_ON("x-canary"))).toBe(true);
  });

  it("local rate limit conditions, the global rate limit's match and descriptors, request id generation", () => {
    expect(reads('{"access_log": false, "local_ratelimit": {"conditions": [{"match": {"metadata": [{"name": "method", "exact_match": "a"}]}, "token_bucket": {"max_tokens": 1, "fill_interval": "1s"}}]}}')).toBe(false);
    expect(reads('{"access_log": false, "local_ratelimit": {"conditions": [{"match": {"metadata": [{"name": "user", "exact_match": "a"}]}, "token_bucket": {"max_tokens": 1, "fill_interval": "1s"}}]}}')).toBe(true);
    const global = (match: string, property: string): string =>
      '{"access_log": false, "ratelimit": {"domain": "d", "match": {"metadata": [{"name": "' + match + '", "present_match": true}]}, "descriptors": [{"property": "' + property + '", "descriptor_key": "k"}], "rate_limit_service": {"grpc_service": {"envoy_grpc": {"cluster_name": "rls"}}}}}';
    expect(reads(global("method", "interface"))).toBe(false);
    expect(reads(global("user", "method"))).toBe(true);
    expect(reads(global("method", "user"))).toBe(true);
    expect(reads('{"access_log": false, "request_id": {"generate": true}}')).toBe(true);
  });
});

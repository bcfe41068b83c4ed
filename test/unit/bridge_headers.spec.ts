// How a call's key/values become HTTP/2 headers and back (assembly/core/bridge/bridge_headers.ts): the path, names
// lowered, what HTTP/2 cannot carry left out, and which headers of Envoy's count as a mutation of the frame.
import { ByteBuffer } from "../../assembly/lib/bytes";
import { HeaderList } from "../../assembly/lib/hpack/header_list";
import { Metadata } from "../../assembly/core/metadata";
import { Mutation } from "../../assembly/core/mutation";
import { BridgeHeaderNames, collectMutation, isBridgeResponse, statusOf, writeRequestHeaders, writeResponseHeaders } from "../../assembly/core/bridge/bridge_headers";

const names = new BridgeHeaderNames("dubbo", "demo.svc:20880", String.UTF8.encode("interface"), String.UTF8.encode("method"));
const scratch = new ByteBuffer();

function valueOf(list: HeaderList, name: string): string {
  const at = list.find(name);
  return at < 0 ? "<absent>" : list.valueString(at);
}

function call(service: string, method: string): Metadata {
  const md = new Metadata();
  md.putString("interface", service);
  md.putString("method", method);
  return md;
}

describe("bridge request headers", () => {
  it("puts the call on POST /<service>/<method> with the authority and the protocol's content type", () => {
    const list = new HeaderList();
    expect(writeRequestHeaders(list, call("org.demo.Greeter", "sayHello"), names, scratch)).toBe(0);
    expect(valueOf(list, ":method")).toBe("POST");
    expect(valueOf(list, ":scheme")).toBe("http");
    expect(valueOf(list, ":path")).toBe("/org.demo.Greeter/sayHello");
    expect(valueOf(list, ":authority")).toBe("demo.svc:20880");
    expect(valueOf(list, "content-type")).toBe("application/x-dubbo");
    expect(valueOf(list, "interface")).toBe("org.demo.Greeter");
  });

  it("percent-encodes what a path segment cannot hold, a slash included", () => {
    const list = new HeaderList();
    writeRequestHeaders(list, call("a/b c", "m%\u00e9"), names, scratch);
    expect(valueOf(list, ":path")).toBe("/a%2Fb%20c/m%25%C3%A9");
  });

  it("lowers names, and leaves out names that are no token, names HTTP/2 reserves and values with control characters", () => {
    const md = call("s", "m");
    md.putString("X-Tenant", "Blue");
    md.putString("bad name", "x");
    md.putString("Transfer-Encoding", "chunked");
    md.putString("x-newline", "a\r\nb");
    md.putString("x-long-clean", "a value longer than eight bytes\twith a tab and \u00e9");
    md.putString("x-long-dirty", "a value longer than eight bytes with a \u007f in it");
    const list = new HeaderList();
    expect(writeRequestHeaders(list, md, names, scratch)).toBe(4);
    expect(valueOf(list, "x-tenant")).toBe("Blue");
    expect(valueOf(list, "x-long-clean")).toBe("a value longer than eight bytes\twith a tab and \u00e9");
    expect(valueOf(list, "transfer-encoding")).toBe("<absent>");
    expect(valueOf(list, "x-newline")).toBe("<absent>");
    expect(valueOf(list, "x-long-dirty")).toBe("<absent>");
  });
});

describe("bridge responses", () => {
  it("marks the server side's responses and reads their status", () => {
    const list = new HeaderList();
    writeResponseHeaders(list, 503, names, scratch);
    expect(statusOf(list)).toBe(503);
    expect(isBridgeResponse(list)).toBe(true);
    const local = new HeaderList();
    local.addString(":status", "404");
    expect(statusOf(local)).toBe(404);
    expect(isBridgeResponse(local)).toBe(false);
  });
});

describe("headers Envoy added or changed", () => {
  it("are the headers that are neither Envoy's bookkeeping nor key/values the frame has with that value", () => {
    const md = call("s", "m");
    md.putString("X-Tenant", "blue");
    md.putString("zone", "a");
    const list = new HeaderList();
    writeRequestHeaders(list, md, names, scratch);
    list.addString("x-request-id", "r1");
    list.addString("x-envoy-expected-rq-timeout-ms", "15000");
    list.addString("x-forwarded-proto", "http");
    list.addString("x-route", "canary");
    const mutation = new Mutation();
    expect(collectMutation(list, md, names, mutation)).toBe(1);
    expect(mutation.keys[0]).toBe("x-route");
    expect(mutation.values[0]).toBe("canary");
  });

  it("count a key/value whose value Envoy changed, wherever its header is", () => {
    const md = call("s", "m");
    md.putString("zone", "a");
    const list = new HeaderList();
    list.addString("zone", "b");
    list.addString("method", "m");
    list.addString("interface", "s");
    const mutation = new Mutation();
    expect(collectMutation(list, md, names, mutation)).toBe(1);
    expect(mutation.keys[0]).toBe("zone");
    expect(mutation.values[0]).toBe("b");
  });
});

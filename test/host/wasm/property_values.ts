// proxy_get_property on a network filter. The path is NUL-separated segments ("source\0port"); the first names an
// attribute, the rest walk into it. Values are serialized as Envoy does: strings and bytes as is, int/uint as 8 bytes
// little endian, bool as 1 byte; a map (e.g. just "source") cannot be serialized (SerializationFailure).
// Read: envoy source/extensions/common/wasm/context.cc (Context::getProperty, findValue, serializeValue: the wasm
// tokens plugin_name, plugin_root_id, plugin_vm_id, connection_id; unknown names fall back to the filter state
// "wasm.<name>" written by proxy_set_property), docs/root/intro/arch_overview/advanced/attributes.rst (names and
// types) and source/extensions/filters/common/expr/context.cc (source/destination/upstream/connection wrappers).
// Not served here: request.* / response.* (HTTP only), xds.node (Envoy's node description), TLS attributes.
import { type ConnectionInfo, FilterStateLifeSpan } from "../api.ts";
import { WasmResult } from "./abi_codes.ts";
import type { Context } from "./context.ts";

type Value = string | { readonly int: bigint } | { readonly uint: bigint } | { readonly bool: boolean } | Attributes;
/** A structured attribute: its fields by name. */
type Attributes = (field: string) => Value | undefined;

function fields(values: { readonly [field: string]: Value | undefined }): Attributes {
  return (field) => (Object.hasOwn(values, field) ? values[field] : undefined);
}

export function getProperty(context: Context, path: Uint8Array): WasmResult | Uint8Array {
  const segments = new TextDecoder().decode(path).split("\0");
  if (path.length === 0) return WasmResult.SerializationFailure;
  let value: Value | undefined = topLevel(context, segments[0]);
  for (const segment of segments.slice(1)) {
    if (typeof value !== "function") return WasmResult.NotFound;
    value = value(segment);
  }
  return value === undefined ? WasmResult.NotFound : serialize(value);
}

/** proxy_set_property: a CEL state "wasm.<path>" in the connection's filter state (NotFound without a stream). */
export function setProperty(context: Context, path: string, value: Uint8Array): WasmResult {
  if (!context.connection) return WasmResult.NotFound;
  context.connection.filterState.set(`wasm.${path}`, new TextDecoder().decode(value), FilterStateLifeSpan.FilterChain);
  return WasmResult.Ok;
}

function topLevel(context: Context, name: string): Value | undefined {
  const connection = context.connection;
  switch (name) {
    case "plugin_name":
      return context.plugin?.name;
    case "plugin_root_id":
      return context.plugin?.rootId;
    case "plugin_vm_id":
      return context.plugin?.vmId;
    case "connection_id":
      return connection && { uint: BigInt(connection.info.id) };
  }
  if (!connection) return undefined;
  const info = connection.info;
  switch (name) {
    case "source":
      return peer(info.sourceAddress, info.sourcePort);
    case "destination":
      return peer(info.destinationAddress, info.destinationPort);
    case "connection":
      return fields({ id: { uint: BigInt(info.id) }, mtls: { bool: false }, requested_server_name: "" });
    case "upstream":
      return upstream(info);
    case "xds":
      return fields({
        cluster_name: info.upstreamClusterName,
        listener_direction: { int: BigInt(info.listenerDirection) },
        filter_chain_name: info.filterChainName,
        listener_metadata: "", // an empty Metadata message serializes to no bytes
      });
    case "filter_state":
      return (key) => connection.filterState.get(key);
  }
  return connection.filterState.get(`wasm.${name}`);
}

function peer(address: string, port: number): Attributes {
  return fields({ address: hostPort(address, port), port: { int: BigInt(port) } });
}

function upstream(info: ConnectionInfo): Attributes {
  const address = info.upstreamAddress;
  const port = address?.slice(address.lastIndexOf(":") + 1);
  return fields({ address, port: port === undefined ? undefined : { int: BigInt(port) } });
}

/** Envoy's Address::asString: "ip:port", IPv6 in brackets. */
function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function serialize(value: Value): WasmResult | Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (typeof value === "function") return WasmResult.SerializationFailure;
  const out = new Uint8Array("bool" in value ? 1 : 8);
  const view = new DataView(out.buffer);
  if ("bool" in value) out[0] = value.bool ? 1 : 0;
  else if ("int" in value) view.setBigInt64(0, value.int, true);
  else view.setBigUint64(0, value.uint, true);
  return out;
}

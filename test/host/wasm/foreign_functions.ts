// The foreign functions Envoy registers (proxy_call_foreign_function), run on the effective context.
// Read: envoy source/extensions/common/wasm/foreign.cc and context.cc (Context::setEnvoyFilterState):
// - set_envoy_filter_state(SetEnvoyFilterStateArguments {path = 1, value = 2, span = 3}): a bad argument message is
//   BadArgument; a key without a registered filter-state ObjectFactory is NotFound; a context without a connection
//   (a root context) is NotFound. This host's proxy knows one such key, envoy.tcp_proxy.cluster (Envoy knows more).
// - clear_route_cache: Ok (nothing to clear on a network filter); compress/uncompress: zlib format.
// - verify_signature, sign, declare_property and the CEL expr_* functions exist in Envoy but not here: Unimplemented.
// Any other name: NotFound.
import { deflateSync, inflateSync } from "node:zlib";
import { FilterStateLifeSpan } from "../api.ts";
import { WasmResult } from "./abi_codes.ts";
import type { Context } from "./context.ts";
import { lastBytes, lastVarint, readFields, utf8String } from "./protobuf_reader.ts";

export interface ForeignResult {
  readonly result: WasmResult;
  readonly output?: Uint8Array;
}

type ForeignFunction = (context: Context, argument: Uint8Array) => ForeignResult;

/** The filter-state keys this host's proxy reads. */
const FILTER_STATE_KEYS = new Set(["envoy.tcp_proxy.cluster"]);

const NOT_IMPLEMENTED_HERE = ["verify_signature", "sign", "declare_property", "expr_create", "expr_evaluate", "expr_delete"];

const FOREIGN_FUNCTIONS: Readonly<Record<string, ForeignFunction>> = {
  set_envoy_filter_state: setEnvoyFilterState,
  clear_route_cache: () => ({ result: WasmResult.Ok }),
  compress: (_, argument) => ({ result: WasmResult.Ok, output: deflateSync(argument) }),
  uncompress: (_, argument) => {
    try {
      return { result: WasmResult.Ok, output: inflateSync(argument) };
    } catch {
      return { result: WasmResult.SerializationFailure };
    }
  },
  ...Object.fromEntries(NOT_IMPLEMENTED_HERE.map((name) => [name, () => ({ result: WasmResult.Unimplemented })])),
};

export function callForeignFunction(name: string, context: Context, argument: Uint8Array): ForeignResult {
  const fn = FOREIGN_FUNCTIONS[name];
  return fn ? fn(context, argument) : { result: WasmResult.NotFound };
}

function setEnvoyFilterState(context: Context, argument: Uint8Array): ForeignResult {
  const fields = readFields(argument);
  const path = fields && utf8String(lastBytes(fields, 1));
  const value = fields && utf8String(lastBytes(fields, 2));
  if (path === undefined || value === undefined) return { result: WasmResult.BadArgument };
  if (!FILTER_STATE_KEYS.has(path) || !context.connection) return { result: WasmResult.NotFound };
  context.connection.filterState.set(path, value, lifeSpan(lastVarint(fields!, 3) ?? 0n));
  return { result: WasmResult.Ok };
}

/** toFilterStateLifeSpan: unknown values are FilterChain. */
function lifeSpan(span: bigint): FilterStateLifeSpan {
  if (span === 1n) return FilterStateLifeSpan.DownstreamRequest;
  if (span === 2n) return FilterStateLifeSpan.DownstreamConnection;
  return FilterStateLifeSpan.FilterChain;
}

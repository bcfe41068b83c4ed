// Configuring a plugin from its JSON configuration (proxy_on_configure): the core's fields, then each registered
// filter's, then the codec's options, which depend on what the filters read. Unknown fields and wrong types are
// refused with a message naming the field, never ignored.
import { JsonKind, JsonParser, JsonValue } from "../lib/json";
import { checkObject, FieldErrors } from "../lib/json_fields";
import { FactoryContext } from "./factory_context";
import { FilterFactory } from "./filter";
import { FilterChain } from "./filter_chain";
import { HostServices } from "./host_services";
import { KeyUsage } from "./key_usage";
import { Plugin } from "./plugin";
import { CORE_FIELDS, readPluginSettings } from "./plugin_settings";
import { CodecSettings, Protocol } from "./protocol";
import { BridgeHeaderNames } from "./bridge/bridge_headers";
import { MODE_FIELDS, readBridgeSettings, refuseChainFields } from "./bridge/bridge_settings";
import { Stats } from "./stats/stats";

/** The result of configuring: `plugin`, or `error` naming the field at fault. */
@final
export class Configured {
  plugin: Plugin | null = null;
  error: string = "";
}

export function configurePlugin(text: string, protocol: Protocol, filters: Array<FilterFactory>, host: HostServices): Configured {
  const result = new Configured();
  const root = parseRoot(text, result);
  if (root === null) return result;
  const errors = new FieldErrors();
  if (!checkObject(root, "", knownFields(filters), errors)) {
    result.error = errors.error;
    return result;
  }
  const settings = readPluginSettings(root, protocol.name(), errors);
  if (errors.failed) {
    result.error = errors.error;
    return result;
  }
  const bridge = readBridgeSettings(root, errors);
  if (bridge !== null) refuseChainFields(root, chainFields(filters), errors);
  if (errors.failed) {
    result.error = errors.error;
    return result;
  }
  const serviceKey = String.UTF8.encode(protocol.serviceKey());
  const methodKey = String.UTF8.encode(protocol.methodKey());
  if (bridge !== null) bridge.names = new BridgeHeaderNames(protocol.name(), bridge.authority, serviceKey, methodKey);
  const stats = new Stats(host.metrics, protocol.name(), settings.statPrefix, serviceKey, methodKey);
  const context = new FactoryContext(protocol, settings.statPrefix, serviceKey, methodKey, host, stats);
  const chain = new FilterChain();
  // A bridge has no chain: every key/value becomes a header for Envoy's HTTP filters and routes.
  for (let i = 0; bridge === null && i < filters.length && !errors.failed; i++) {
    const filter = filters[i].create(root, context, errors);
    if (filter !== null) chain.add(filter);
  }
  if (errors.failed) {
    result.error = errors.error;
    return result;
  }
  const usage = new KeyUsage();
  chain.declareKeys(usage);
  const codecSettings = new CodecSettings(bridge !== null || usage.readsOtherThan(serviceKey, methodKey));
  const codecs = protocol.configure(settings.codecOptions, codecSettings, errors);
  if (codecs === null || errors.failed) {
    result.error = errors.error;
    return result;
  }
  result.plugin = new Plugin(protocol, settings, bridge, codecSettings, codecs, chain, stats, host.logger, host.heldBytes);
  return result;
}

function parseRoot(text: string, result: Configured): JsonValue | null {
  if (text.trim().length == 0) return JsonValue.emptyObject();
  const parser = new JsonParser();
  const root = parser.parse(text);
  if (root === null) {
    result.error = "configuration is not valid JSON: " + parser.error;
    return null;
  }
  if (root.kind != JsonKind.Object) {
    result.error = "configuration must be a JSON object";
    return null;
  }
  return root;
}

function knownFields(filters: Array<FilterFactory>): Array<string> {
  return CORE_FIELDS.concat(MODE_FIELDS).concat(chainFields(filters));
}

function chainFields(filters: Array<FilterFactory>): Array<string> {
  const fields = new Array<string>();
  for (let i = 0; i < filters.length; i++) {
    const own = filters[i].fields();
    for (let f = 0; f < own.length; f++) fields.push(own[f]);
  }
  return fields;
}

// The filter chain every protocol module runs, in order.
import { Plugin } from "../framework/plugin";
import { RequestObserver } from "./request_observer";

export function buildFilterChain(plugin: Plugin): void {
  plugin.chain.add(new RequestObserver(plugin.stats, plugin.logger, plugin.codec.protocol(), plugin.config.accessLog));
}

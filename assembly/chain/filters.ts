// The filter chain every protocol module runs, in order.
import { Plugin } from "../core/plugin";
import { GlobalRateLimit } from "./global_rate_limit/filter";
import { LocalRateLimit } from "./local_rate_limit/filter";
import { RequestId } from "./request_id/filter";
import { RequestMutation } from "./request_mutation/filter";
import { RequestObserver } from "./access_log/filter";
import { Router } from "./router/filter";

export function buildFilterChain(plugin: Plugin): void {
  const config = plugin.config;
  if (config.requestId.generate) plugin.chain.add(new RequestId()); // before the observer: one-way calls log it too
  plugin.chain.add(new RequestObserver(plugin.stats, plugin.logger, plugin.codec.protocol(), config.accessLog));
  const localRateLimit = config.localRateLimit;
  if (localRateLimit !== null) plugin.chain.add(new LocalRateLimit(localRateLimit, plugin.sharedStore, plugin.stats));
  const globalRateLimit = config.globalRateLimit;
  const rateLimitService = plugin.rateLimitService;
  if (globalRateLimit !== null && rateLimitService !== null) {
    plugin.chain.add(new GlobalRateLimit(globalRateLimit, rateLimitService, plugin.stats));
  }
  if (config.routes.size > 0) {
    plugin.chain.add(new Router(config.routes, config.connectionRouting, config.routeMismatch, plugin.stats));
  }
  if (config.requestMutation.size > 0) plugin.chain.add(new RequestMutation(config.requestMutation));
}

// The filters of every protocol module, in chain order: one line each.
import { FilterFactory } from "../core/filter";
import { AccessLogFactory } from "./access_log/config";
import { GlobalRateLimitFactory } from "./global_rate_limit/config";
import { LocalRateLimitFactory } from "./local_rate_limit/config";
import { RequestIdFactory } from "./request_id/config";
import { RequestMutationFactory } from "./request_mutation/config";
import { RouterFactory } from "./router/config";

export const FILTERS: Array<FilterFactory> = [
  new RequestIdFactory(), // before the access log: one-way calls log their id too
  new AccessLogFactory(),
  new LocalRateLimitFactory(),
  new GlobalRateLimitFactory(),
  new RouterFactory(),
  new RequestMutationFactory(),
];

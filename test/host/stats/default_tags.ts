// The default stats_tags Envoy applies when stats_config.use_all_default_tags is unset or true, limited to the stats
// this host can emit (TCP proxy, clusters, listeners, workers); the HTTP, Mongo, Dynamo, ... defaults are left out
// because nothing here produces those names.
// Read: envoy source/common/config/well_known_names.cc (TagNameValues) and well_known_names.h (tag names).
import type { TagSpecifier } from "../api.ts";

export const DEFAULT_TAG_SPECIFIERS: readonly TagSpecifier[] = [
  // tcp.(<stat_prefix>.)<base_stat>
  { tagName: "envoy.tcp_prefix", regex: String.raw`^tcp\.((.*?)\.)\w+?$` },
  // cluster.(<cluster_name>.)*
  { tagName: "envoy.cluster_name", regex: String.raw`^cluster\.(([^\.]+)\.).*` },
  // listener.(<address>.)*
  {
    tagName: "envoy.listener_address",
    regex: String.raw`^listener\.(((?:[_.[:digit:]]*|[_\[\]aAbBcCdDeEfF[:digit:]]*))\.)`,
  },
  // listener_manager.(worker_<id>.)*
  { tagName: "envoy.worker_id", regex: String.raw`^listener_manager\.((worker_\d+)\.)` },
];

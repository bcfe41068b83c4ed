// Picks the virtual host and route of a request, as Envoy's RouteMatcher does (source/common/router/config_impl.cc
// RouteMatcher::findVirtualHost, findWildcardVirtualHost, VirtualHostImpl::getRouteFromEntries):
// - virtual host by :authority, lowercased, port included unless ignore_port_in_host_matching: an exact domain, else
//   the longest "*suffix" wildcard, else the longest "prefix*" wildcard, else "*"; a wildcard never matches the whole
//   host ("*.foo.com" does not match ".foo.com");
// - then the first route whose path match (prefix, path or safe_regex on the path without query and fragment; a
//   regex must match the whole path) and every header matcher match.
import { splitPort } from "./authority.ts";
import type { Headers } from "./header_mutation.ts";
import type { Route, RouteConfig, RouteMatch, VirtualHost } from "./route_config.ts";

export interface RouteSelection {
  readonly virtualHost: VirtualHost;
  readonly route: Route;
}

export class RouteMatcher {
  private readonly exact = new Map<string, VirtualHost>();
  /** Longest first: the more specific wildcard wins. */
  private readonly suffixes: [string, VirtualHost][] = [];
  private readonly prefixes: [string, VirtualHost][] = [];
  private readonly fallback?: VirtualHost;

  constructor(private readonly config: RouteConfig) {
    for (const host of config.virtualHosts) {
      for (const domain of host.domains) {
        if (domain === "*") this.fallback = host;
        else if (domain.startsWith("*")) this.suffixes.push([domain.slice(1), host]);
        else if (domain.endsWith("*")) this.prefixes.push([domain.slice(0, -1), host]);
        else this.exact.set(domain, host);
      }
    }
    const longestFirst = (a: [string, VirtualHost], b: [string, VirtualHost]) => b[0].length - a[0].length;
    this.suffixes.sort(longestFirst);
    this.prefixes.sort(longestFirst);
  }

  /** The route for the request, or undefined (Envoy's "no route": 404 NR). */
  route(headers: Headers): RouteSelection | undefined {
    const virtualHost = this.virtualHost(String(headers[":authority"] ?? ""));
    const route = virtualHost?.routes.find((candidate) => routeMatches(candidate.match, headers));
    return virtualHost && route && { virtualHost, route };
  }

  private virtualHost(authority: string): VirtualHost | undefined {
    let host = authority.toLowerCase();
    if (this.config.ignorePortInHostMatching) host = splitPort(host).host;
    const exact = this.exact.get(host);
    if (exact) return exact;
    const suffix = this.suffixes.find(([wildcard]) => wildcard.length < host.length && host.endsWith(wildcard));
    if (suffix) return suffix[1];
    const prefix = this.prefixes.find(([wildcard]) => wildcard.length < host.length && host.startsWith(wildcard));
    return prefix ? prefix[1] : this.fallback;
  }
}

function routeMatches(match: RouteMatch, headers: Headers): boolean {
  const fullPath = String(headers[":path"] ?? "");
  const path = fullPath.split(/[?#]/, 1)[0];
  const fold = (text: string) => (match.caseSensitive ? text : text.toLowerCase());
  const matcher = match.path;
  const pathMatches =
    "prefix" in matcher
      ? fold(path).startsWith(fold(matcher.prefix))
      : "path" in matcher
        ? fold(path) === fold(matcher.path)
        : matcher.regex.test(path);
  return pathMatches && match.headers.every((header) => header.matches(headerValue(headers, header.name)));
}

/** Several values of one header are matched as Envoy joins them: with commas. */
function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

// How a call looks to Envoy's router in bridge mode: the client side writes `:path /<service>/<method>` from the
// request's service and method keys (empty service when the protocol or the call has none: `//<method>`), and every
// other request key/value as a header with its name lowercased. So a route's attribute matches become a matcher on
// the path for those two keys and header matchers for the others.
import type { Node } from "../input/reader.ts";
import type { AttributeMatch, KeyValue } from "../model.ts";

/** The keys the bridge puts in :path, per built-in protocol (each codec's Protocol.serviceKey and methodKey). */
const PATH_KEYS: Readonly<Record<string, { readonly service?: string; readonly method: string }>> = {
  dubbo: { service: "interface", method: "method" },
  thrift: { service: "service", method: "method" },
  awesomerpc: { method: "cmd" },
};

export function bridgedProtocols(): string[] {
  return Object.keys(PATH_KEYS);
}

/** An RFC 9110 token: what an HTTP/2 header name may hold, once lowercased. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** Connection-specific headers HTTP/2 forbids (RFC 9113, section 8.2.2): the bridge cannot carry them. */
const CONNECTION_HEADERS = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"];

type Json = Record<string, unknown>;

/** What a route's attribute matches select on the path: exactly one path, a prefix, or an RE2 regex (full match). */
export interface PathMatch {
  readonly kind: "exact" | "prefix" | "regex";
  readonly value: string;
}

/** A route's attribute matches as the HTTP request the bridge writes: the path, and headers (names lowercased). */
export interface CallMatch {
  readonly path: PathMatch;
  readonly headers: readonly AttributeMatch[];
}

export function callMatch(protocol: string, match: readonly AttributeMatch[]): CallMatch {
  const keys = PATH_KEYS[protocol];
  const service = match.find((m) => m.name === keys.service);
  const method = match.find((m) => m.name === keys.method);
  const headers = match.filter((m) => m !== service && m !== method).map((m) => ({ ...m, name: headerName(m.name, m.origin) }));
  return { path: pathMatch(service, method), headers };
}

/** The path of one method's calls; `*` as method: every method of the service (a prefix). */
export function methodPath(service: string, method: string): string {
  return `/${service}/${method}`;
}

/** What the route's attribute matches become: Envoy's RouteMatch (the path part and the headers). */
export function routeMatch(protocol: string, match: readonly AttributeMatch[]): Json {
  const { path, headers } = callMatch(protocol, match);
  const envoyPath = path.kind === "exact" ? { path: path.value } : path.kind === "prefix" ? { prefix: path.value } : { safe_regex: { regex: path.value } };
  return { ...envoyPath, ...(headers.length > 0 && { headers: headers.map(headerMatcher) }) };
}

function pathMatch(service: AttributeMatch | undefined, method: AttributeMatch | undefined): PathMatch {
  if (method === undefined && service === undefined) return { kind: "prefix", value: "/" };
  if (method === undefined && service?.kind === "exact") return { kind: "prefix", value: `/${service.value}/` };
  if (method?.kind === "exact" && service?.kind === "exact") return { kind: "exact", value: methodPath(service.value, method.value) };
  return { kind: "regex", value: `/${segmentRegex(service)}/${segmentRegex(method)}` };
}

/** One path segment as RE2: what the attribute match accepts, without crossing a '/'. */
function segmentRegex(match: AttributeMatch | undefined): string {
  if (match === undefined) return "[^/]*";
  const literal = escapeRegex(match.value);
  switch (match.kind) {
    case "exact":
      return literal;
    case "prefix":
      return `${literal}[^/]*`;
    case "suffix":
      return `[^/]*${literal}`;
    case "contains":
      return `[^/]*${literal}[^/]*`;
    case "regex":
      return `(?:${match.value})`;
    case "present":
      return "[^/]+";
  }
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/** An Envoy HeaderMatcher on the header the bridge writes for the attribute (named as callMatch names it). */
function headerMatcher(match: AttributeMatch): Json {
  const name = match.name;
  if (match.kind === "present") return { name, present_match: true };
  const kind = match.kind === "regex" ? { safe_regex: { regex: match.value } } : { [match.kind]: match.value };
  return { name, string_match: kind };
}

/** Envoy's HeaderValueOption that sets `mutation` on the call (route-level header additions overwrite). */
export function headerToAdd(mutation: KeyValue): Json {
  const key = headerName(mutation.key, mutation.origin?.entry("key"));
  return { header: { key, value: mutation.value }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" };
}

/** The header name the bridge writes for a key: lowercased; refused (at `origin`) when HTTP/2 cannot carry it. */
function headerName(key: string, origin: Node | undefined): string {
  const name = key.toLowerCase();
  if (HEADER_NAME.test(name) && !CONNECTION_HEADERS.includes(name)) return name;
  const problem =
    `expected a key that can be an HTTP/2 header name (letters, digits and !#$%&'*+.^_\`|~-, not a connection header), got ${JSON.stringify(key)}: ` +
    "in bridge mode every key travels as a header";
  if (origin === undefined) throw new Error(problem);
  return origin.fail(problem);
}

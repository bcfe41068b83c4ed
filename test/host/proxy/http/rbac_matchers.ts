// The permissions and principals of an RBAC policy (config.rbac.v3.Permission / Principal), as Envoy builds and
// evaluates them (source/extensions/filters/common/rbac/matchers.cc Matcher::create and each matcher's matches()).
// Supported rules: and / or sets, not, any, header, url_path, destination_port; principals also authenticated,
// source_ip, direct_remote_ip and remote_ip. Every other rule (destination_ip, metadata, requested_server_name,
// filter_state, extensions, ...) is refused by name.
// - header: HeaderUtility::createHeaderData's matchers (the router's), each value of a repeated header on its own
//   (HeaderMatcher::matches with the runtime guard rbac_match_headers_individually, on by default);
// - url_path: the StringMatcher on `:path` without query and fragment (Matchers::PathMatcher::match);
// - destination_port: the port of the listener's local address (PortMatcher);
// - source_ip and direct_remote_ip: the connection's peer (IPMatcher ConnectionRemote / DownstreamDirectRemote; the
//   host has no proxy protocol, so both are the socket's peer); remote_ip: the stream's downstream remote address
//   (DownstreamRemote), which x-forwarded-for may set (see DecodedRequest.remoteAddress);
// - authenticated: AuthenticatedMatcher matches only a connection with TLS; the host has no TLS, so never.
import type { ProtoMessage } from "../proto_json.ts";
import { readCidrRange } from "./cidr_range.ts";
import type { DecodedRequest } from "./http_filter.ts";
import { readHeaderMatcher, readStringMatcher } from "./string_matcher.ts";

export type RequestMatcher = (request: DecodedRequest) => boolean;

/** A Permission, or a Principal: one rule of the oneof, each kind read by its own reader. */
type RuleReaders = Record<string, (message: ProtoMessage, key: string) => RequestMatcher>;

export function readPermission(message: ProtoMessage): RequestMatcher {
  return readRule(message, PERMISSION_RULES);
}

export function readPrincipal(message: ProtoMessage): RequestMatcher {
  return readRule(message, PRINCIPAL_RULES);
}

/** Permission.Set / Principal.Set: at least one entry. */
function readSet(message: ProtoMessage, key: string, entries: string, read: (entry: ProtoMessage) => RequestMatcher): RequestMatcher[] {
  const set = message.message(key);
  const matchers = set.messages(entries).map(read);
  set.end();
  if (matchers.length === 0) set.fail(entries, "must have at least one entry");
  return matchers;
}

const allOf = (matchers: RequestMatcher[]): RequestMatcher => (request) => matchers.every((matcher) => matcher(request));
export const anyOf = (matchers: RequestMatcher[]): RequestMatcher => (request) => matchers.some((matcher) => matcher(request));

const COMMON_RULES: RuleReaders = {
  any: (message, key) => {
    if (message.optionalBool(key) !== true) message.fail(key, "must be true");
    return () => true;
  },
  header: (message, key) => {
    const header = readHeaderMatcher(message.message(key));
    return (request) => header.matchesIndividually(request.headerValues.get(header.name) ?? []);
  },
  url_path: (message, key) => {
    const pathMatcher = message.message(key);
    const path = readStringMatcher(pathMatcher.message("path"));
    pathMatcher.end();
    return (request) => path.matches(String(request.headers[":path"] ?? "").split(/[?#]/, 1)[0]);
  },
};

/** The and / or sets and the negation of permissions (`and_rules`, `or_rules`, `not_rule`) or principals. */
function logicalRules(names: { and: string; or: string; not: string; entries: string }, read: (message: ProtoMessage) => RequestMatcher): RuleReaders {
  return {
    [names.and]: (message, key) => allOf(readSet(message, key, names.entries, read)),
    [names.or]: (message, key) => anyOf(readSet(message, key, names.entries, read)),
    [names.not]: (message, key) => {
      const inner = read(message.message(key));
      return (request) => !inner(request);
    },
  };
}

const PERMISSION_RULES: RuleReaders = {
  ...COMMON_RULES,
  ...logicalRules({ and: "and_rules", or: "or_rules", not: "not_rule", entries: "rules" }, readPermission),
  destination_port: (message, key) => {
    const port = message.uint32(key, 65535);
    return (request) => request.connection.destinationPort === port;
  },
};

const PRINCIPAL_RULES: RuleReaders = {
  ...COMMON_RULES,
  ...logicalRules({ and: "and_ids", or: "or_ids", not: "not_id", entries: "ids" }, readPrincipal),
  authenticated: (message, key) => {
    const authenticated = message.message(key);
    const principalName = authenticated.optionalMessage("principal_name");
    if (principalName !== undefined) readStringMatcher(principalName);
    authenticated.end();
    return () => false;
  },
  source_ip: (message, key) => {
    const range = readCidrRange(message.message(key));
    return (request) => range.contains(request.connection.sourceAddress);
  },
  direct_remote_ip: (message, key) => {
    const range = readCidrRange(message.message(key));
    return (request) => range.contains(request.connection.sourceAddress);
  },
  remote_ip: (message, key) => {
    const range = readCidrRange(message.message(key));
    return (request) => range.contains(request.remoteAddress);
  },
};

/** The oneof: exactly one supported kind set, any other field refused by name. */
function readRule(message: ProtoMessage, readers: RuleReaders): RequestMatcher {
  const kinds = Object.keys(readers);
  const set = kinds.filter((kind) => message.has(kind));
  if (set.length === 0) message.end(); // names an unsupported rule, if that is what is set
  if (set.length !== 1) message.fail(set[1] ?? kinds[0], `exactly one of ${kinds.join(", ")} must be set`);
  const matcher = readers[set[0]](message, set[0]);
  message.end();
  return matcher;
}

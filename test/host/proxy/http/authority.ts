// Envoy's HeaderUtility::getPortStart (source/common/http/header_utility.cc): where the port of an :authority
// starts, if it has one. A colon inside an IPv6 literal's brackets is not a port separator.

/** The authority split before its ":port" (port "" when there is none). */
export function splitPort(authority: string): { host: string; port: string } {
  const match = /^(.*?)(:\d+)$/.exec(authority);
  if (match === null) return { host: authority, port: "" };
  const host = match[1];
  if (host.includes(":") && !(host.startsWith("[") && host.endsWith("]"))) return { host: authority, port: "" };
  return { host, port: match[2] };
}

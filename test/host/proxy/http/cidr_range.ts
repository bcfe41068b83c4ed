// config.core.v3.CidrRange as Envoy builds and matches it (source/common/network/cidr_range.cc CidrRange::create,
// truncateIpAddressAndLength; the RBAC IP matchers look the address up in an LcTrie of the range,
// source/extensions/filters/common/rbac/matchers.cc IPMatcher::create / matches):
// - address_prefix must be an IPv4 or IPv6 address ("malformed IP address" otherwise); prefix_len defaults to 0
//   (every address of that family) and a length beyond the family's bits means all of them (/32, /128);
// - an IPv4 range only holds IPv4 addresses and an IPv6 range IPv6 ones: the trie keeps the families apart.
import net from "node:net";
import type { ProtoMessage } from "../proto_json.ts";

export interface CidrRange {
  contains(address: string): boolean;
}

export function readCidrRange(message: ProtoMessage): CidrRange {
  const prefix = message.string("address_prefix");
  const length = message.optionalUint32("prefix_len", 128) ?? 0;
  message.end();
  const family = net.isIP(prefix);
  if (family === 0) message.fail("address_prefix", `malformed IP address: ${prefix}`);
  const type = family === 4 ? "ipv4" : "ipv6";
  const range = new net.BlockList();
  range.addSubnet(prefix, Math.min(length, family === 4 ? 32 : 128), type);
  return { contains: (address) => net.isIP(address) === family && range.check(address, type) };
}

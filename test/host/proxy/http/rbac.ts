// envoy.filters.http.rbac (extensions.filters.http.rbac.v3.RBAC) with `rules` and `shadow_rules`
// (source/extensions/filters/http/rbac/rbac_filter.cc RoleBasedAccessControlFilter::decodeHeaders,
// evaluateShadowEngine, evaluateEnforcedEngine; source/extensions/filters/common/rbac/engine_impl.cc
// RoleBasedAccessControlEngineImpl::handleAction, checkPolicyMatch; utility.h createEngine, generateStats):
// - no `rules`: no enforced engine, the filter lets every request through and counts nothing; `rules` with no
//   policies: ALLOW denies everything, DENY allows everything;
// - a request matches when one policy does (policies tried in name order, std::map), a policy when one of its
//   permissions and one of its principals match; ALLOW lets matching requests through, DENY the others;
// - denied: local reply 403 "RBAC: access denied" (no response flag; the details are
//   rbac_access_denied_matched_policy[<policy>|none]), the router never sees the request;
// - shadow_rules are evaluated first, only counted;
// Stats (Envoy's statPrefixJoin on the connection manager's "http.<stat_prefix>."): `http.<stat_prefix>.rbac.
// [<rules_stat_prefix>.]allowed|denied` and `http.<stat_prefix>.rbac.[<shadow_rules_stat_prefix>.]shadow_allowed|
// shadow_denied`. Refused by name: `matcher` / `shadow_matcher`, the LOG action, audit_logging_options, policy
// conditions (CEL), track_per_rule_stats, and the rules rbac_matchers.ts does not implement.
import type { Counter, StatsStore } from "../../api.ts";
import { ProtoMessage } from "../proto_json.ts";
import type { DecodedRequest, DecoderFilter } from "./http_filter.ts";
import type { LocalReply } from "./local_reply.ts";
import { anyOf, readPermission, readPrincipal, type RequestMatcher } from "./rbac_matchers.ts";

export const RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

export interface RbacRules {
  readonly action: "ALLOW" | "DENY";
  /** In Envoy's evaluation order: by name. */
  readonly policies: readonly { readonly name: string; readonly matches: RequestMatcher }[];
}

export interface RbacConfig {
  readonly rules?: RbacRules;
  readonly shadowRules?: RbacRules;
  readonly rulesStatPrefix: string;
  readonly shadowRulesStatPrefix: string;
}

export function readRbac(config: ProtoMessage): RbacConfig {
  const rules = readRules(config.optionalMessage("rules"));
  const shadowRules = readRules(config.optionalMessage("shadow_rules"));
  const rulesStatPrefix = config.optionalString("rules_stat_prefix") ?? "";
  const shadowRulesStatPrefix = config.optionalString("shadow_rules_stat_prefix") ?? "";
  config.end();
  return { rules, shadowRules, rulesStatPrefix, shadowRulesStatPrefix };
}

/** config.rbac.v3.RBAC. */
function readRules(message: ProtoMessage | undefined): RbacRules | undefined {
  if (message === undefined) return undefined;
  const action = message.enumName("action", ["ALLOW", "DENY"], "ALLOW");
  const policies = Object.entries(message.map("policies"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, matches: readPolicy(ProtoMessage.at(value, `${message.fieldPath("policies")}.${name}`)) }));
  message.end();
  return { action, policies };
}

/** config.rbac.v3.Policy: one permission and one principal must match. */
function readPolicy(policy: ProtoMessage): RequestMatcher {
  const permissions = policy.messages("permissions").map(readPermission);
  const principals = policy.messages("principals").map(readPrincipal);
  policy.end();
  if (permissions.length === 0) policy.fail("permissions", "must have at least one entry");
  if (principals.length === 0) policy.fail("principals", "must have at least one entry");
  const permitted = anyOf(permissions);
  const identified = anyOf(principals);
  return (request) => permitted(request) && identified(request);
}

/** RoleBasedAccessControlEngineImpl::handleAction for ALLOW and DENY: whether the request may go on. */
function allows(rules: RbacRules, request: DecodedRequest): boolean {
  const matched = rules.policies.some((policy) => policy.matches(request));
  return rules.action === "ALLOW" ? matched : !matched;
}

/** Envoy::statPrefixJoin: a dot between prefix and token unless the prefix is empty or ends with one. */
function statPrefixJoin(prefix: string, token: string): string {
  if (prefix === "") return token;
  return prefix.endsWith(".") ? prefix + token : `${prefix}.${token}`;
}

const DENIED: LocalReply = { status: 403, body: "RBAC: access denied" };

/** One filter config with its stats, shared by every stream of the connection manager. */
export class RbacFilter implements DecoderFilter {
  private readonly allowed: Counter;
  private readonly denied: Counter;
  private readonly shadowAllowed: Counter;
  private readonly shadowDenied: Counter;

  /** `statPrefix`: the connection manager's, "http.<stat_prefix>.". */
  constructor(
    private readonly config: RbacConfig,
    statPrefix: string,
    store: StatsStore,
  ) {
    const base = statPrefixJoin(statPrefix, "rbac.");
    const rules = statPrefixJoin(base, config.rulesStatPrefix);
    const shadow = statPrefixJoin(base, config.shadowRulesStatPrefix);
    this.allowed = store.counter(statPrefixJoin(rules, "allowed"));
    this.denied = store.counter(statPrefixJoin(rules, "denied"));
    this.shadowAllowed = store.counter(statPrefixJoin(shadow, "shadow_allowed"));
    this.shadowDenied = store.counter(statPrefixJoin(shadow, "shadow_denied"));
  }

  decodeHeaders(request: DecodedRequest): LocalReply | undefined {
    const { rules, shadowRules } = this.config;
    if (shadowRules !== undefined) (allows(shadowRules, request) ? this.shadowAllowed : this.shadowDenied).add(1);
    if (rules === undefined) return undefined;
    if (allows(rules, request)) {
      this.allowed.add(1);
      return undefined;
    }
    this.denied.add(1);
    return DENIED;
  }
}

/**
 * The common token fields of auth method roles (`token_policies` with alias `policies`,
 * `token_ttl`/`ttl`, `token_max_ttl`/`max_ttl`, `token_period`/`period`, `token_num_uses`,
 * `token_type`, `token_no_default_policy`), as Vault's `tokenutil` parses them (vault-api.md §9.2, §10).
 */
import type { Body } from "./fields.js";
import { boolField, durationField, firstPresent, intField, stringField, stringListField } from "./fields.js";
import { badRequest } from "./envelope.js";
import { calculateTtl, mountLimits } from "./lease-ttl.js";
import type { MountEntry } from "./storage.js";

/** The token settings of a role. */
export interface TokenSettings {
  policies: string[];
  ttl: number;
  maxTtl: number;
  period: number;
  numUses: number;
  type: string;
  noDefaultPolicy: boolean;
}

/** An empty set of token settings. */
export const noTokenSettings: TokenSettings = { policies: [], ttl: 0, maxTtl: 0, period: 0, numUses: 0, type: "default", noDefaultPolicy: false };

/** Reads the token fields of a role write over the previous values. @throws VaultApiError 400 on bad values. */
export function parseTokenSettings(body: Body, prev: TokenSettings): TokenSettings {
  const pol = firstPresent(body, "token_policies", "policies");
  const ttl = firstPresent(body, "token_ttl", "ttl");
  const max = firstPresent(body, "token_max_ttl", "max_ttl");
  const period = firstPresent(body, "token_period", "period");
  return {
    policies: pol === undefined ? prev.policies : (stringListField(body, pol) ?? []),
    ttl: ttl === undefined ? prev.ttl : durationField(body, ttl, 0),
    maxTtl: max === undefined ? prev.maxTtl : durationField(body, max, 0),
    period: period === undefined ? prev.period : durationField(body, period, 0),
    numUses: intField(body, "token_num_uses", prev.numUses),
    type: stringField(body, "token_type", prev.type),
    noDefaultPolicy: boolField(body, "token_no_default_policy", prev.noDefaultPolicy),
  };
}

/** The fields a role read answers, with the legacy aliases too. */
export function tokenSettingsView(t: TokenSettings): Record<string, unknown> {
  return {
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: t.maxTtl,
    token_no_default_policy: t.noDefaultPolicy,
    token_num_uses: t.numUses,
    token_period: t.period,
    token_policies: t.policies,
    token_ttl: t.ttl,
    token_type: t.type,
    policies: t.policies,
    ttl: t.ttl,
    max_ttl: t.maxTtl,
    period: t.period,
  };
}

/** The policies a login token gets: the role's plus `default`, de-duplicated and sorted. */
export function loginPolicies(t: TokenSettings): string[] {
  return [...new Set([...t.policies, ...(t.noDefaultPolicy ? [] : ["default"])])].sort();
}

/**
 * The TTL a login token gets and OpenBao's warnings: the role's token_period, else token_ttl, else
 * the mount's default TTL, capped by the mount's max TTL and the role's token_max_ttl.
 */
export function loginLease(mount: MountEntry, t: TokenSettings, nowMs: number): { ttl: number; warnings: string[] } {
  return calculateTtl({ mount, increment: 0, backendTtl: t.ttl, period: t.period, backendMaxTtl: t.maxTtl, explicitMaxTtl: 0, startMs: undefined, nowMs });
}

/**
 * A role write's checks against its token settings: token_ttl above token_max_ttl is refused
 * (400, `refusal`), token_max_ttl above the mount's max TTL is stored with `warning`.
 * @throws VaultApiError 400.
 */
export function roleTokenWarnings(mount: MountEntry, t: TokenSettings, refusal: string, warning: string): string[] {
  if (t.maxTtl > 0 && t.ttl > t.maxTtl) throw badRequest(refusal);
  return t.maxTtl > mountLimits(mount).maxTtl ? [warning] : [];
}

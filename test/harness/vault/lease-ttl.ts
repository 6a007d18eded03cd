/**
 * Lease TTL arithmetic as OpenBao/Vault do it for logins and token renewals
 * (openbao sdk/framework/lease.go CalculateTTL; api-docs/system/auth#tune-auth-method): the
 * effective max is the mount's max_lease_ttl (else the system's 768h), lowered by the role's
 * token_max_ttl and by explicit_max_ttl; a periodic token gets its period (capped by that max);
 * others get the increment, else the backend's TTL, else the mount's default, capped by what is
 * left of the max since the token was issued. Every cap adds OpenBao's warning.
 */
import { VaultApiError } from "./envelope.js";
import type { MountEntry } from "./storage.js";
import { defaultTtlSeconds } from "./tokens.js";

/** A mount's lease limits in seconds, the system's where the mount sets none. */
export function mountLimits(mount: MountEntry | undefined): { defaultTtl: number; maxTtl: number } {
  const max = mount !== undefined && mount.config.max_lease_ttl > 0 ? mount.config.max_lease_ttl : defaultTtlSeconds;
  const def = mount !== undefined && mount.config.default_lease_ttl > 0 ? mount.config.default_lease_ttl : defaultTtlSeconds;
  return { defaultTtl: Math.min(def, max), maxTtl: max };
}

/** Go's time.Duration String() of whole seconds, with OpenBao's humanDuration trimming ("1h", "59m59s"). */
export function humanDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (out.endsWith("m0s")) out = out.slice(0, -2);
  const i = out.indexOf("h0m");
  if (i > 0) out = out.slice(0, i + 1) + out.slice(i + 3);
  return out;
}

/** The inputs of CalculateTTL, in seconds (times in milliseconds on the cluster clock). */
export interface TtlInputs {
  mount: MountEntry | undefined;
  increment: number;
  backendTtl: number;
  period: number;
  backendMaxTtl: number;
  explicitMaxTtl: number;
  /** When the token was issued; undefined = now (a login). */
  startMs: number | undefined;
  nowMs: number;
}

/**
 * The TTL to grant and the warnings OpenBao adds.
 * @throws VaultApiError 500 `past the max TTL, cannot renew` (in the request handler's multierror text).
 */
export function calculateTtl(i: TtlInputs): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  const now = Math.floor(i.nowMs / 1000);
  const start = i.startMs === undefined ? now : Math.floor(i.startMs / 1000);
  const limits = mountLimits(i.mount);
  let max = limits.maxTtl;
  if (i.backendMaxTtl > 0 && i.backendMaxTtl < max) max = i.backendMaxTtl;
  if (i.explicitMaxTtl > 0 && i.explicitMaxTtl < max) max = i.explicitMaxTtl;
  let ttl: number;
  let maxValid: number | undefined;
  if (i.period > 0) {
    let period = i.period;
    if (period > max) {
      warnings.push(`period of "${humanDuration(period)}" exceeded the effective max_ttl of "${humanDuration(max)}"; period value is capped accordingly`);
      period = max;
    }
    ttl = period;
    if (i.explicitMaxTtl > 0) maxValid = start + i.explicitMaxTtl;
  } else {
    ttl = i.increment > 0 ? i.increment : i.backendTtl > 0 ? i.backendTtl : limits.defaultTtl;
    maxValid = start + max;
  }
  if (maxValid !== undefined) {
    const left = maxValid - now;
    if (left <= 0) throw new VaultApiError(500, ["1 error occurred:\n\t* past the max TTL, cannot renew\n\n"]);
    if (left < ttl) {
      warnings.push(`TTL of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${humanDuration(left)}"; TTL value is capped accordingly`);
      ttl = left;
    }
  }
  return { ttl, warnings };
}

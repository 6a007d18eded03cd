/**
 * Token renewal (auth/token/renew-self, auth/token/renew) as OpenBao's expiration manager does it
 * (internal/vault/expiration.go RenewToken): the backend that issued the token says what to renew
 * from (an AppRole or Kubernetes role's token_ttl/token_max_ttl/token_period as they are now; for
 * token-store tokens the last granted TTL, period and explicit_max_ttl), then lease-ttl.ts caps it
 * by the mount's and the system's max TTL, counted from the token's issue time, with warnings.
 */
import { approleRenewal } from "./auth-approle.js";
import { kubernetesRenewal } from "./auth-kubernetes.js";
import type { VaultCore } from "./backend.js";
import { VaultApiError } from "./envelope.js";
import { calculateTtl } from "./lease-ttl.js";
import type { TokenEntry } from "./storage.js";

/**
 * Renews a token by `increment` seconds (null: none asked).
 * @throws VaultApiError 400 not renewable, 500 role gone or past the max TTL.
 */
export function renewToken(core: VaultCore, entry: TokenEntry, increment: number | null): { entry: TokenEntry; warnings: string[] } {
  core.tokens.checkRenewable(entry);
  const login = /^auth\/(.+\/)login$/.exec(entry.path);
  const mount = core.storage.authMounts.get(login ? (login[1] ?? "") : "token/");
  let backend = { ttl: core.tokens.granted(entry), maxTtl: 0, period: entry.period };
  if (login) {
    if (mount === undefined) throw new VaultApiError(500, ["no handler for route: mount removed"]);
    const role = entry.role ?? "";
    try {
      if (mount.type === "approle") backend = approleRenewal(core, mount, role);
      else if (mount.type === "kubernetes") backend = kubernetesRenewal(core, mount, role);
    } catch (e) {
      // The backend's error, wrapped by the expiration manager and the request handler's multierror.
      if (e instanceof VaultApiError) throw new VaultApiError(e.status, [`1 error occurred:\n\t* failed to renew entry: ${e.errors[0] ?? ""}\n\n`]);
      throw e;
    }
  }
  const { ttl, warnings } = calculateTtl({
    mount,
    increment: increment ?? 0,
    backendTtl: backend.ttl,
    period: backend.period,
    backendMaxTtl: backend.maxTtl,
    explicitMaxTtl: entry.explicitMaxTtl,
    startMs: entry.creationTime,
    nowMs: core.now(),
  });
  return { entry: core.tokens.applyRenewal(entry, ttl, backend.period), warnings };
}

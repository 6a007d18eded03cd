/**
 * When a certificate should be renewed: inside the ACME Renewal Information window when the CA
 * gives one (its midpoint, so the choice is deterministic), else `renewBefore` before notAfter,
 * else at two thirds of its lifetime (cert-manager's default). Pure.
 */

/** A certificate's validity. */
export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** The time to renew `cert`. `renewBeforeMs` is the spec's renewBefore; `ari` the CA's suggested window. */
export function renewalTime(cert: Validity, renewBeforeMs: number | undefined, ari: { start: Date; end: Date } | undefined): Date {
  if (ari && ari.end.getTime() >= ari.start.getTime()) return new Date(Math.floor((ari.start.getTime() + ari.end.getTime()) / 2));
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  // A renewBefore as long as the lifetime would renew forever: fall back to the default then.
  if (renewBeforeMs !== undefined && renewBeforeMs < lifetime) return new Date(cert.notAfter.getTime() - renewBeforeMs);
  return new Date(cert.notBefore.getTime() + Math.floor((lifetime * 2) / 3));
}

/** Backoff after the n-th failed issuance (1-based): 5 min doubling to 32 h, as cert-manager backs off failed issuance. */
export function failureBackoffMs(attempts: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, attempts - 1), 32 * 3_600_000);
}

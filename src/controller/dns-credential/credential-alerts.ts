/**
 * The alerts a DnsCredential raises, in the Alertmanager v2 `postableAlert` shape the alert sinks
 * take (src/alerts/alert.ts on main: name, labels, annotations, startsAt, endsAt): a refused
 * candidate, a credential past maxAge, a provider-reported expiry near or past. Pure; never
 * carries the credential.
 */

/** One alert (the subset of the sinks' Alert this kind fills). */
export interface CredentialAlert {
  name: "DnsCredentialRejected" | "DnsCredentialRotationDue" | "DnsCredentialExpiring" | "DnsCredentialExpired";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

/** Where alerts go; the controller passes the configured sinks through `alertTransitions`. */
export interface CredentialAlertNotifier {
  /**
   * The alerts firing for `objectKey` now and, from its status before the pass, those firing
   * before (fired on entering, resolved on leaving). Must not throw.
   */
  sync(objectKey: string, firing: CredentialAlert[], previous?: CredentialAlert[]): void;
}

/** How close a provider-reported expiry is, judged like a certificate's lifetime. */
export function expiryState(expiresOn: Date, issuedAt: Date | undefined, now: Date): "Valid" | "Expiring" | "Critical" | "Expired" {
  if (now >= expiresOn) return "Expired";
  // Without an issue time, a 90-day lifetime is assumed (Cloudflare does not report it).
  const start = issuedAt && issuedAt < expiresOn ? issuedAt : new Date(expiresOn.getTime() - 90 * 86_400_000);
  const lifetime = expiresOn.getTime() - start.getTime();
  const left = expiresOn.getTime() - now.getTime();
  if (left <= lifetime / 10) return "Critical";
  if (left <= lifetime / 3) return "Expiring";
  return "Valid";
}

/**
 * Served versus stored: an endpoint that should serve a Secret's certificate but still serves
 * an older one (the Secret was renewed, the server did not reload). Pure.
 */
import type { CertificateInfo } from "./certificate-info.js";

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Compares the served leaf with the stored leaf.
 * @returns the StaleServing message, or undefined when the endpoint serves the stored
 * certificate (or a newer one).
 */
export function staleServingMessage(served: CertificateInfo, stored: CertificateInfo, secretName: string, endpoint: string): string | undefined {
  if (served.fingerprint256 === stored.fingerprint256) return undefined;
  if (served.notAfter.getTime() >= stored.notAfter.getTime()) return undefined;
  return (
    `renewed in ${secretName} on ${day(stored.notBefore)} but https://${endpoint} still serves the certificate expiring ${day(served.notAfter)}; ` +
    "restart the server or annotate it for reload"
  );
}

/**
 * Chain and hostname verification over node:crypto X509Certificate. Findings come back as
 * messages; nothing here throws on a bad chain.
 */
import type { X509Certificate } from "node:crypto";
import { isIP } from "node:net";

function subjectLine(cert: X509Certificate): string {
  return cert.subject.split("\n").filter(Boolean).join(", ");
}

/**
 * Verifies that `chain[0]` leads, through the intermediates in `chain`, to one of `roots`, with
 * every signature valid and every certificate valid at `now`.
 * @returns null when the chain is good, else one message saying where it breaks.
 */
export function verifyChain(chain: X509Certificate[], roots: X509Certificate[], now: Date): string | null {
  const leaf = chain[0];
  if (leaf === undefined) return "no certificate";
  const pool = [...chain.slice(1), ...roots];
  let current = leaf;
  const seen = new Set<string>();
  for (let depth = 0; depth < 10; depth++) {
    const from = new Date(current.validFrom);
    const to = new Date(current.validTo);
    if (now < from) return `"${subjectLine(current)}" is not valid before ${from.toISOString()}`;
    if (now >= to) return `"${subjectLine(current)}" expired at ${to.toISOString()}`;
    if (roots.some((r) => r.fingerprint256 === current.fingerprint256)) return null;
    seen.add(current.fingerprint256);
    const issuer = pool.find((c) => !seen.has(c.fingerprint256) && current.checkIssued(c) && current.verify(c.publicKey));
    if (issuer === undefined) {
      const named = pool.find((c) => current.checkIssued(c));
      return named
        ? `the signature of "${subjectLine(current)}" does not verify with "${subjectLine(named)}"`
        : `no issuer of "${subjectLine(current)}" ("${current.issuer.split("\n").filter(Boolean).join(", ")}") in the chain or the trust bundle`;
    }
    if (!issuer.ca) return `"${subjectLine(issuer)}" signed "${subjectLine(current)}" but is not a CA`;
    current = issuer;
  }
  return "the chain is longer than 10 certificates";
}

/**
 * Checks that the certificate is valid for `host` (a DNS name, wildcard rules of RFC 6125, or an
 * IP address against the IP SANs).
 * @returns null when it matches, else a message listing what the certificate covers.
 */
export function verifyHostname(cert: X509Certificate, host: string): string | null {
  const ok = isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host, { subject: "default" }) !== undefined;
  if (ok) return null;
  return `the certificate is not valid for "${host}" (it covers ${cert.subjectAltName ?? subjectLine(cert)})`;
}

/**
 * The certificates link: no certificate past its renewal. Doctor judges every kubernetes.io/tls
 * Secret itself (src/certs, default thresholds, now), and adds what CertificateChecks' status says
 * of the sources only the controller reads (endpoints, ConfigMap bundles).
 */
import { checkCertificate, describeSource } from "../../certs/certificate-report.js";
import { DEFAULT_THRESHOLDS } from "../../certs/thresholds.js";
import { worstFirst, worstStatus, type CheckItem, type CheckResult, type CheckStatus } from "../check-result.js";
import type { Observed } from "../observed.js";
import { objectName } from "./status-objects.js";

/** How each certificate state counts: due is normal operation (renewal runs), overdue is broken. */
const STATE_STATUS: Record<string, CheckStatus> = {
  Valid: "ok",
  RenewalDue: "ok",
  StaleServing: "warn",
  RenewalOverdue: "fail",
  Expiring: "fail",
  Expired: "fail",
  Invalid: "fail",
};

/** Judges the certificates. Pure. */
export function certificatesCheck(o: Observed): CheckResult {
  const name = "certificates";
  const secrets = o.tlsSecrets;
  const checks = o.certificateChecks;
  if (secrets === undefined || checks === undefined) return { name, status: "skip", message: "not observed" };
  const items: CheckItem[] = [];
  const notes: string[] = [];
  if (secrets.ok) {
    for (const input of secrets.value) {
      const report = checkCertificate(input, DEFAULT_THRESHOLDS, o.now);
      items.push({ object: describeSource(report.source), status: STATE_STATUS[report.state] ?? "warn", message: `${report.state}: ${report.message}` });
    }
  } else notes.push(secrets.status === 403 ? "cannot list TLS Secrets (forbidden to you)" : `cannot list TLS Secrets: ${secrets.message}`);
  if (checks.ok) {
    for (const check of checks.value) {
      for (const c of check.certificates) {
        if (items.some((i) => i.object === c.source)) continue;
        items.push({ object: c.source, status: STATE_STATUS[c.state] ?? "warn", message: `${c.state}: ${c.message} (from ${objectName(check)})` });
      }
    }
  } else if (checks.status !== 404) notes.push(checks.status === 403 ? "cannot list CertificateChecks (forbidden to you)" : `cannot list CertificateChecks: ${checks.message}`);
  const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";
  if (items.length === 0) return { name, status: notes.length > 0 ? "warn" : "skip", message: `no certificates found${note}`, ...(notes.length > 0 ? { fix: "run doctor with a user that may list Secrets cluster-wide" } : {}) };
  const status = worstStatus(items.map((i) => i.status));
  const first = worstFirst(items)[0];
  if (first === undefined || status === "ok") {
    const due = items.filter((i) => i.message.startsWith("RenewalDue")).length;
    return { name, status: notes.length > 0 ? "warn" : "ok", message: `${items.length} certificate(s) within their renewal window${due > 0 ? ` (${due} renewing now)` : ""}${note}`, items };
  }
  const count = items.filter((i) => i.status === status).length;
  return {
    name,
    status,
    message: `${count} certificate(s) past renewal; ${first.object}: ${first.message}${note}`,
    fix: "renew them: check the issuer (cert-manager: kubectl describe certificate; AcmeCertificate: kubectl describe acmecertificate), or replace the Secret's tls.crt/tls.key",
    items: worstFirst(items),
  };
}

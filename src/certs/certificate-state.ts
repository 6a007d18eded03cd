/**
 * The judgement of one certificate at one instant: a state, a severity and a message. Pure:
 * the certificate's dates, what its source says (cert-manager's renewalTime and Issuing
 * condition), the findings of inspection, and `now` come in; nothing is read.
 */
import type { CertificateInfo } from "./certificate-info.js";
import { limitMs, type Thresholds } from "./thresholds.js";

/** The states, as `as const` (no enum). */
export const CERT_STATES = ["Valid", "RenewalDue", "RenewalOverdue", "Expiring", "Expired", "Invalid", "StaleServing"] as const;
/** A certificate state. */
export type CertState = (typeof CERT_STATES)[number];
/** How bad a state is; `none` and `info` never alert. */
export type Severity = "none" | "info" | "warning" | "critical";

/** cert-manager's failed issuance, from a Certificate's status. */
export interface IssuanceFailure {
  /** The Issuing condition's reason (e.g. `Failed`) or the Ready reason. */
  reason: string;
  message: string;
  failedIssuanceAttempts?: number;
  lastFailureTime?: Date;
}

/** What is known about a certificate when it is judged. */
export interface JudgeInput {
  /** Undefined when there is no readable certificate (then `problems` says why). */
  cert?: CertificateInfo;
  /** Inspection findings (unparsable PEM, chain, hostname, unreachable endpoint): any makes it Invalid. */
  problems: string[];
  /** The renewal time the source reports (cert-manager's status.renewalTime), if any. */
  renewalTime?: Date;
  issuanceFailure?: IssuanceFailure;
  /** Set when an endpoint serves an older certificate than the Secret it should serve. */
  staleServing?: string;
  thresholds: Thresholds;
}

/** The result of a judgement. */
export interface Judgement {
  state: CertState;
  severity: Severity;
  message: string;
  /** When renewal is (was) due. */
  renewalTime?: Date;
  /** Whole and fractional days of validity left (negative when expired). */
  daysLeft?: number;
}

const DAY = 86_400_000;
const when = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const days = (ms: number): string => {
  const d = ms / DAY;
  return Math.abs(d) >= 2 ? `${Math.floor(d)} days` : `${Math.round(ms / 3_600_000)} hours`;
};

/** Judges one certificate at `now`. Never throws. */
export function judgeCertificate(input: JudgeInput, now: Date): Judgement {
  const { cert } = input;
  if (cert === undefined) return { state: "Invalid", severity: "critical", message: input.problems.join("; ") || "no certificate" };
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  const left = cert.notAfter.getTime() - now.getTime();
  const th = input.thresholds;
  const renewal = input.renewalTime ?? new Date(cert.notAfter.getTime() - limitMs(th.renewBefore, lifetime));
  const base = { renewalTime: renewal, daysLeft: left / DAY };
  if (left <= 0) return { ...base, state: "Expired", severity: "critical", message: `expired at ${when(cert.notAfter)} (${days(-left)} ago)` };
  if (now < cert.notBefore) {
    return { ...base, state: "Invalid", severity: "critical", message: `not valid before ${when(cert.notBefore)}` };
  }
  if (input.problems.length > 0) return { ...base, state: "Invalid", severity: "critical", message: input.problems.join("; ") };
  const expires = `expires at ${when(cert.notAfter)} (${days(left)} left)`;
  if (left <= limitMs(th.critical, lifetime)) return { ...base, state: "Expiring", severity: "critical", message: `${expires}; not renewed` };
  if (input.staleServing !== undefined) return { ...base, state: "StaleServing", severity: "warning", message: input.staleServing };
  if (input.issuanceFailure !== undefined) {
    const f = input.issuanceFailure;
    const attempts = f.failedIssuanceAttempts ? ` after ${f.failedIssuanceAttempts} failed attempts` : "";
    return { ...base, state: "RenewalOverdue", severity: "warning", message: `cert-manager issuance failed${attempts}: ${f.reason}: ${f.message}; ${expires}` };
  }
  const overdueAt = renewal.getTime() + limitMs(th.renewalGrace, lifetime);
  if (now.getTime() >= overdueAt) {
    return { ...base, state: "RenewalOverdue", severity: "warning", message: `renewal was due at ${when(renewal)} and the certificate did not change; ${expires}` };
  }
  if (left <= limitMs(th.warning, lifetime) && now < renewal) return { ...base, state: "Expiring", severity: "warning", message: expires };
  if (now >= renewal) return { ...base, state: "RenewalDue", severity: "info", message: `renewal due since ${when(renewal)}; ${expires}` };
  return { ...base, state: "Valid", severity: "none", message: `${expires}; renewal due at ${when(renewal)}` };
}

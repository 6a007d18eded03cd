/**
 * What a DnsCredential pass finds about the credential in use (refused candidate, age, provider
 * expiry) and the alerts that follows from it: DnsCredentialRejected (the new credential failed
 * its proof), DnsCredentialRotationDue (past maxAge), DnsCredentialExpiring / DnsCredentialExpired
 * (the provider-reported expiry, judged on the lifetime like a certificate's). Pure; never
 * carries the credential. observe() sends these (fire on entering, resolve on leaving) and
 * plan() keeps the records in status, so a restart neither re-fires nor forgets them.
 */
import type { DnsCredential } from "../../api/dns-credential.js";
import type { ProbeResult } from "../../acme/dns/probe.js";
import { alertRecordsSchema, type AlertRecord, type DesiredAlert } from "../../alerts/transitions.js";
import { DEFAULT_THRESHOLDS, limitMs } from "../../certs/thresholds.js";
import { parseDuration } from "../../duration.js";

/** The names of the alerts this kind raises. */
export type CredentialAlertName = "DnsCredentialRejected" | "DnsCredentialRotationDue" | "DnsCredentialExpiring" | "DnsCredentialExpired";

/** What the pass saw, as far as the judgement needs it. */
export interface CredentialSighting {
  candidate?: { value: string; version: string };
  probe?: ProbeResult;
  tokenExpiresOn?: Date;
  /** The alert records status held before the pass. */
  previousAlerts?: AlertRecord[];
}

/** How the pass ends for the credential, and its age and expiry after it. */
export interface CredentialFacts {
  /** unreadable: no candidate; rejected: a new candidate that is not proven; proven: a new one proven now; steady: the proven one. */
  state: "unreadable" | "rejected" | "proven" | "steady";
  /** When the credential in use first appeared (its age for maxAge). */
  rotatedTime: string | undefined;
  /** The provider's expiry of the credential in use; null: none known any more (a new credential without one). */
  expiresOn: string | null | undefined;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The facts of one pass (pure). */
export function credentialFacts(cred: DnsCredential, seen: CredentialSighting, now: Date): CredentialFacts {
  const prev = cred.status ?? {};
  const observedExpiry = seen.tokenExpiresOn ? iso(seen.tokenExpiresOn) : undefined;
  if (!seen.candidate) return { state: "unreadable", rotatedTime: prev.rotatedTime, expiresOn: prev.expiresOn };
  if (seen.candidate.version !== prev.provenVersion) {
    if (!seen.probe?.ok) return { state: "rejected", rotatedTime: prev.rotatedTime, expiresOn: prev.expiresOn };
    return { state: "proven", rotatedTime: iso(now), expiresOn: observedExpiry ?? (prev.expiresOn === undefined ? undefined : null) };
  }
  // A verify that failed this time keeps the expiry known before.
  return { state: "steady", rotatedTime: prev.rotatedTime, expiresOn: observedExpiry ?? prev.expiresOn };
}

/** How close a provider-reported expiry is, with the certificates' lifetime-relative thresholds. */
export function expiryState(expiresOn: Date, issuedAt: Date | undefined, now: Date): "Valid" | "Expiring" | "Critical" | "Expired" {
  if (now >= expiresOn) return "Expired";
  // Without an issue time, a 90-day lifetime is assumed (Cloudflare's verify does not report it).
  const start = issuedAt && issuedAt < expiresOn ? issuedAt : new Date(expiresOn.getTime() - 90 * 86_400_000);
  const lifetime = expiresOn.getTime() - start.getTime();
  const left = expiresOn.getTime() - now.getTime();
  if (left <= limitMs(DEFAULT_THRESHOLDS.critical, lifetime)) return "Critical";
  if (left <= limitMs(DEFAULT_THRESHOLDS.warning, lifetime)) return "Expiring";
  return "Valid";
}

/** When maxAge makes the credential in use due for rotation (undefined: no maxAge or no age known). */
export function rotationDueAt(cred: DnsCredential, rotatedTime: string | undefined): Date | undefined {
  if (!cred.spec.maxAge || !rotatedTime) return undefined;
  return new Date(new Date(rotatedTime).getTime() + parseDuration(cred.spec.maxAge));
}

/**
 * The alerts that should be firing after this pass. `rejectedMessage` is the Ready message of a
 * refusal (the provider's answer, never the credential).
 */
export function desiredCredentialAlerts(cred: DnsCredential, facts: CredentialFacts, now: Date, rejectedMessage?: string, previous: AlertRecord[] = []): DesiredAlert[] {
  const ns = cred.metadata.namespace ?? "";
  const name = cred.metadata.name ?? "";
  const labels = { namespace: ns, name, zone: cred.spec.zone };
  const out: DesiredAlert[] = [];
  const push = (alert: CredentialAlertName, severity: "warning" | "critical", summary: string) => out.push({ name: alert, labels: { ...labels, severity }, annotations: { summary } });
  const wasRejected = previous.find((r) => r.name === "DnsCredentialRejected" && r.endsAt === undefined);
  if (facts.state === "rejected") push("DnsCredentialRejected", "critical", `new DNS credential for ${ns}/${name} was refused: ${rejectedMessage ?? "it failed its DNS-01 round trip"}`);
  // The source unreadable: whether the refused candidate is still there is unknown, so its alert stays.
  else if (facts.state === "unreadable" && wasRejected) out.push({ name: wasRejected.name, labels: wasRejected.labels, annotations: wasRejected.annotations });
  const due = rotationDueAt(cred, facts.rotatedTime);
  if (due && now >= due) push("DnsCredentialRotationDue", "warning", `DNS credential ${ns}/${name} is older than maxAge ${cred.spec.maxAge ?? ""}: rotate it (e.g. sealbridge dns rotate)`);
  if (facts.expiresOn) {
    const state = expiryState(new Date(facts.expiresOn), facts.rotatedTime ? new Date(facts.rotatedTime) : undefined, now);
    if (state === "Expired") push("DnsCredentialExpired", "critical", `DNS credential ${ns}/${name} expired at ${facts.expiresOn}`);
    else if (state !== "Valid") push("DnsCredentialExpiring", state === "Critical" ? "critical" : "warning", `DNS credential ${ns}/${name} expires at ${facts.expiresOn}: rotate it`);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The alert records status holds. Records written before sends were tracked (name, labels,
 * annotations, startsAt only) count as sent to every sink now configured, as they were then.
 */
export function previousAlertRecords(cred: DnsCredential, sinkIds: string[]): AlertRecord[] {
  const raw = (cred.status as { alerts?: unknown } | undefined)?.alerts;
  if (!Array.isArray(raw)) return [];
  const out: AlertRecord[] = [];
  for (const entry of raw as Array<Record<string, unknown>>) {
    const filled = entry && typeof entry === "object" && !("sentTo" in entry) ? { annotations: {}, lastSentAt: entry["startsAt"], sentTo: sinkIds, ...entry } : entry;
    const parsed = alertRecordsSchema.safeParse([filled]);
    if (parsed.success && parsed.data[0]) out.push(parsed.data[0]);
  }
  return out;
}

/**
 * The DnsCredential plan, pure: a candidate credential from the source reaches the targets only
 * after its DNS-01 round trip succeeded; a refused one changes nothing (the old credential stays
 * everywhere), and Ready=False names the provider's answer. Targets that drifted from the proven
 * credential are rewritten. Past maxAge, or near a provider-reported expiry, alerts ask for rotation.
 */
import type { CredentialTarget, DnsCredential } from "../../api/dns-credential.js";
import type { ProbeResult } from "../../acme/dns/probe.js";
import { alertTransitions, type AlertRecord } from "../../alerts/transitions.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { ChildWrite, Plan, PlannedEvent } from "../runtime/kind.js";
import { credentialFacts, desiredCredentialAlerts, previousAlertRecords, rotationDueAt, type CredentialFacts } from "./credential-alerts.js";

/** Reasons, also Event reasons. */
export const CredentialReason = {
  Propagated: "Propagated",
  Rotated: "Rotated",
  CredentialRejected: "CredentialRejected",
  SourceUnavailable: "SourceUnavailable",
  RotationDue: "RotationDue",
  Expiring: "Expiring",
  Expired: "Expired",
  Fresh: "Fresh",
} as const;

/** How long a refused candidate waits before it is probed again (the server may change its mind). */
export const REPROBE_AFTER_MS = 5 * 60_000;

/** How often a Vault source is read again (a Secret source is watched instead). */
export const VAULT_REREAD_MS = 60_000;

/** One target Secret as it is now. */
export interface ObservedTarget {
  target: CredentialTarget;
  namespace: string;
  secret: KubeObject | null;
  value: string | undefined;
}

/** What observe found. */
export interface CredentialObserved {
  /** The source's value and its keyed digest; absent with `sourceError`. */
  candidate?: { value: string; version: string };
  sourceError?: string;
  targets: ObservedTarget[];
  /** The round trip, run when the candidate is not the proven credential (and not refused just now). */
  probe?: ProbeResult;
  /** Cloudflare's token status (expiry), when the provider reports one. */
  tokenExpiresOn?: Date;
  /** The alert records status held before this pass (read back from status). */
  previousAlerts?: AlertRecord[];
  /** The alert records after this pass's sends (absent: no sends were made, records follow the judgement). */
  alerts?: AlertRecord[];
  /** Whether any alert sink is configured (the object's or the cluster defaults). */
  hasSinks?: boolean;
  /** Alert delivery problems of this pass, secret-free. */
  deliveryFailures?: string[];
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The Ready message of a refused candidate: the provider's answer (this probe's, else the one recorded). */
export function rejectionMessage(cred: DnsCredential, probe: ProbeResult | undefined): string {
  if (probe && !probe.ok) return `new credential failed its DNS-01 round trip (${probe.answer}): ${probe.message}; the targets keep the previous credential`;
  const ready = cred.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.reason === CredentialReason.CredentialRejected && ready.message) return ready.message;
  return "new credential refused; the targets keep the previous credential";
}

/** The alert records the pass keeps: those observe settled after sending, else the judgement with no sink. */
function alertRecords(cred: DnsCredential, observed: CredentialObserved, facts: CredentialFacts, now: Date): AlertRecord[] {
  if (observed.alerts) return observed.alerts;
  const previous = observed.previousAlerts ?? previousAlertRecords(cred, []);
  const desired = desiredCredentialAlerts(cred, facts, now, facts.state === "rejected" ? rejectionMessage(cred, observed.probe) : undefined, previous);
  return alertTransitions(previous, desired, [], now).next;
}

function targetWrite(t: ObservedTarget, value: string, owner: DnsCredential): ChildWrite {
  const data = { ...((t.secret?.["data"] as Record<string, string> | undefined) ?? {}), [t.target.key]: Buffer.from(value).toString("base64") };
  const object: KubeObject = t.secret
    ? { ...t.secret, data }
    : {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: t.target.name, namespace: t.namespace, labels: { "app.kubernetes.io/managed-by": "sealbridge", "sealbridge.io/dns-credential": `${owner.metadata.namespace}.${owner.metadata.name}` } },
        type: "Opaque",
        data,
      };
  return { op: "apply", resource: SECRETS, object, previous: t.secret };
}

/** The plan of one pass. */
export function planDnsCredential(cred: DnsCredential, observed: CredentialObserved, now: Date): Plan {
  const prev = cred.status ?? {};
  const writes: ChildWrite[] = [];
  const events: PlannedEvent[] = [];
  const conditions: ConditionInput[] = [];
  const facts = credentialFacts(cred, observed, now);
  const fields: Record<string, unknown> = {
    provenVersion: prev.provenVersion,
    provenTime: prev.provenTime,
    rotatedTime: facts.rotatedTime,
    expiresOn: facts.expiresOn,
    rejectedVersion: prev.rejectedVersion,
  };
  const finish = (outcome: Plan["outcome"], requeueAfterMs?: number): Plan => {
    if (outcome.kind === "ok" && cred.spec.source.vault) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, VAULT_REREAD_MS);
    // Age and expiry of the credential in use.
    const due = rotationDueAt(cred, facts.rotatedTime);
    if (due) {
      const isDue = now >= due;
      conditions.push({ type: "RotationDue", status: isDue ? "True" : "False", reason: isDue ? CredentialReason.RotationDue : CredentialReason.Fresh, message: isDue ? `credential in use since ${facts.rotatedTime ?? ""} is older than maxAge ${cred.spec.maxAge ?? ""}: rotate it` : `rotation due at ${iso(due)}` });
      if (!isDue) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, due.getTime() - now.getTime());
    }
    if (facts.expiresOn) {
      // Come back when the expiry judgement changes (a third and a tenth of the lifetime left, the end).
      const end = new Date(facts.expiresOn).getTime();
      const start = facts.rotatedTime ? new Date(facts.rotatedTime).getTime() : end - 90 * 86_400_000;
      const lifetime = end - Math.min(start, end);
      for (const at of [end - lifetime / 3, end - lifetime / 10, end]) if (at > now.getTime()) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, at - now.getTime());
    }
    if (observed.hasSinks) {
      const failures = observed.deliveryFailures ?? [];
      const failing = failures.length > 0;
      conditions.push(
        failing
          ? { type: "AlertsDelivered", status: "False", reason: "AlertSinkFailed", message: failures[0] ?? "alert delivery failed" }
          : { type: "AlertsDelivered", status: "True", reason: "Delivered", message: "every alert sink has the current alerts" },
      );
      const wasFailing = prev.conditions?.some((c) => c.type === "AlertsDelivered" && c.status === "False") ?? false;
      if (failing && !wasFailing) events.push({ type: "Warning", reason: "AlertSinkFailed", message: failures[0] ?? "alert delivery failed" });
    }
    // Kept in status so a restarted controller neither re-fires nor forgets them.
    fields["alerts"] = alertRecords(cred, observed, facts, now);
    return { writes, conditions, events, status: fields, outcome, ...(requeueAfterMs === undefined || requeueAfterMs === Infinity ? {} : { requeueAfterMs: Math.max(1, requeueAfterMs) }) };
  };

  if (!observed.candidate) {
    const message = `${observed.sourceError ?? "source unreadable"}; the targets keep the current credential`;
    conditions.push({ type: "Ready", status: "False", reason: CredentialReason.SourceUnavailable, message });
    return finish({ kind: "transient", reason: CredentialReason.SourceUnavailable, message });
  }
  const { value, version } = observed.candidate;

  if (version !== prev.provenVersion) {
    const probe = observed.probe;
    if (!probe || !probe.ok) {
      const message = rejectionMessage(cred, probe);
      conditions.push({ type: "Ready", status: "False", reason: CredentialReason.CredentialRejected, message });
      if (probe) {
        fields["rejectedVersion"] = version;
        fields["rejectedTime"] = iso(now);
        events.push({ type: "Warning", reason: CredentialReason.CredentialRejected, message });
      }
      return finish({ kind: "waiting", reason: CredentialReason.CredentialRejected, message, afterMs: REPROBE_AFTER_MS }, REPROBE_AFTER_MS);
    }
    for (const t of observed.targets) writes.push(targetWrite(t, value, cred));
    fields["provenVersion"] = version;
    fields["provenTime"] = iso(now);
    fields["rotatedTime"] = iso(now);
    if (prev.rejectedVersion) fields["rejectedVersion"] = null;
    const first = prev.provenVersion === undefined;
    const message = `credential proven (${probe.steps.length} steps: created, read back, deleted a probe TXT in ${cred.spec.zone}) and written to ${observed.targets.length} target(s)`;
    conditions.push({ type: "Ready", status: "True", reason: first ? CredentialReason.Propagated : CredentialReason.Rotated, message });
    events.push({ type: "Normal", reason: first ? CredentialReason.Propagated : CredentialReason.Rotated, message });
    return finish({ kind: "ok" });
  }

  // The source holds the proven credential: keep the targets in line with it.
  const drifted = observed.targets.filter((t) => t.value !== value);
  for (const t of drifted) writes.push(targetWrite(t, value, cred));
  conditions.push({ type: "Ready", status: "True", reason: CredentialReason.Propagated, message: drifted.length ? `rewrote ${drifted.length} target(s) that differed from the proven credential` : `the proven credential is in all ${observed.targets.length} target(s)` });
  return finish({ kind: "ok" });
}

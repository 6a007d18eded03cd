/**
 * The DnsCredential plan, pure: a candidate credential from the source reaches the targets only
 * after its DNS-01 round trip succeeded; a refused one changes nothing (the old credential stays
 * everywhere), and Ready=False names the provider's answer. Targets that drifted from the proven
 * credential are rewritten. Past maxAge, or near a provider-reported expiry, alerts ask for rotation.
 */
import type { CredentialTarget, DnsCredential } from "../../api/dns-credential.js";
import type { ProbeResult } from "../../acme/dns/probe.js";
import { parseDuration } from "../../duration.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { ChildWrite, Plan, PlannedEvent } from "../runtime/kind.js";
import { expiryState, type CredentialAlert } from "./credential-alerts.js";

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
  /** The alerts status held firing before this pass (for the sinks' transitions). */
  alertsBefore?: CredentialAlert[];
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

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
  const alerts: CredentialAlert[] = [];
  const labels = { namespace: cred.metadata.namespace ?? "", name: cred.metadata.name ?? "", zone: cred.spec.zone };
  const fields: Record<string, unknown> = {
    provenVersion: prev.provenVersion,
    provenTime: prev.provenTime,
    rotatedTime: prev.rotatedTime,
    expiresOn: observed.tokenExpiresOn ? iso(observed.tokenExpiresOn) : prev.expiresOn,
    rejectedVersion: prev.rejectedVersion,
  };
  const firing = (prev as { alerts?: CredentialAlert[] }).alerts ?? [];
  // An alert already firing keeps its startsAt, so a steady state writes nothing.
  const alert = (name: CredentialAlert["name"], severity: string, summary: string, since: string | undefined) =>
    alerts.push({ name, labels: { ...labels, severity }, annotations: { summary }, startsAt: firing.find((a) => a.name === name)?.startsAt ?? since ?? iso(now) });
  const finish = (outcome: Plan["outcome"], requeueAfterMs?: number): Plan => {
    if (outcome.kind === "ok" && cred.spec.source.vault) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, VAULT_REREAD_MS);
    // Age and expiry of the credential in use.
    const rotated = fields["rotatedTime"] as string | undefined;
    if (cred.spec.maxAge && rotated) {
      const due = new Date(new Date(rotated).getTime() + parseDuration(cred.spec.maxAge));
      const isDue = now >= due;
      conditions.push({ type: "RotationDue", status: isDue ? "True" : "False", reason: isDue ? CredentialReason.RotationDue : CredentialReason.Fresh, message: isDue ? `credential in use since ${rotated} is older than maxAge ${cred.spec.maxAge}: rotate it` : `rotation due at ${iso(due)}` });
      if (isDue) alert("DnsCredentialRotationDue", "warning", `DNS credential ${labels.namespace}/${labels.name} is older than maxAge ${cred.spec.maxAge}: rotate it (e.g. sealbridge dns rotate)`, iso(due));
      if (!isDue) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, due.getTime() - now.getTime());
    }
    const expires = fields["expiresOn"] as string | undefined;
    if (expires) {
      const state = expiryState(new Date(expires), rotated ? new Date(rotated) : undefined, now);
      if (state === "Expired") alert("DnsCredentialExpired", "critical", `DNS credential ${labels.namespace}/${labels.name} expired at ${expires}`, expires);
      else if (state !== "Valid") alert("DnsCredentialExpiring", state === "Critical" ? "critical" : "warning", `DNS credential ${labels.namespace}/${labels.name} expires at ${expires}: rotate it`, undefined);
    }
    // Kept in status so a restarted controller neither re-fires nor forgets them.
    fields["alerts"] = alerts.sort((a, b) => a.name.localeCompare(b.name));
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
      const answer = probe && !probe.ok ? probe.answer : (prev.conditions?.find((c) => c.type === "Ready")?.message?.match(/answered (\S+)/)?.[1] ?? "refused");
      const message = probe && !probe.ok ? `new credential failed its DNS-01 round trip (${probe.answer}): ${probe.message}; the targets keep the previous credential` : (prev.conditions?.find((c) => c.type === "Ready")?.message ?? `new credential refused (${answer}); the targets keep the previous credential`);
      conditions.push({ type: "Ready", status: "False", reason: CredentialReason.CredentialRejected, message });
      if (probe) {
        fields["rejectedVersion"] = version;
        fields["rejectedTime"] = iso(now);
        events.push({ type: "Warning", reason: CredentialReason.CredentialRejected, message });
      }
      alert("DnsCredentialRejected", "critical", `new DNS credential for ${labels.namespace}/${labels.name} was refused: ${message}`, prev.rejectedTime ?? iso(now));
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

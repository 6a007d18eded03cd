/**
 * plan() of CertificateCheck: status (every certificate's state, the alert records), Ready,
 * Events on state changes only, and a reload of workloads that serve a stale certificate.
 * Pure: what observe() found and `now` come in, so running it twice with nothing changed plans
 * the same status and no Events.
 */
import type { AlertRecord } from "../../alerts/transitions.js";
import { describeSource, stableMessage, type CertificateReport } from "../../certs/certificate-report.js";
import { nextTransition } from "../../certs/next-transition.js";
import type { KubeObject } from "../../kube/types.js";
import { RELOADABLE_WORKLOADS, reloadPatch } from "../reload.js";
import type { StaleSecret } from "./evaluate.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { ChildWrite, Plan, PlannedEvent } from "../runtime/kind.js";
import type { ParsedCheck } from "./parse.js";

/** What observe() hands to plan(). */
export interface ObservedCheck {
  reports: CertificateReport[];
  /** The alert records after this pass's deliveries (see alerts/transitions.ts). */
  alerts: AlertRecord[];
  /** Delivery failures of this pass, one secret-free message each. */
  deliveryFailures: string[];
  /** Whether any alert sink is configured (check or cluster default). */
  hasSinks: boolean;
  stale: StaleSecret[];
  /** Workloads in the check's namespace (for reloads of stale servers). */
  workloads: KubeObject[];
}

const RANK = { none: 0, info: 1, warning: 2, critical: 3 } as const;
const MIN_REQUEUE_MS = 1000;

function worst(reports: CertificateReport[]): CertificateReport | undefined {
  let out: CertificateReport | undefined;
  for (const r of reports) if (out === undefined || RANK[r.severity] > RANK[out.severity]) out = r;
  return out;
}

/** Plans one pass. */
export function planCertificateCheck(check: ParsedCheck, observed: ObservedCheck, now: Date): Plan {
  const { reports } = observed;
  const certificates = reports.map((r) => {
    const entry: Record<string, unknown> = { source: describeSource(r.source), state: r.state, message: stableMessage(r.message) };
    if (r.subject !== undefined) entry["subject"] = r.subject;
    if (r.notAfter !== undefined) entry["notAfter"] = r.notAfter;
    if (r.renewalTime !== undefined) entry["renewalTime"] = r.renewalTime;
    if (r.fingerprint256 !== undefined) entry["fingerprint"] = r.fingerprint256;
    return entry;
  });
  const events: PlannedEvent[] = [];
  for (const r of reports) {
    const line = describeSource(r.source);
    const before = check.previousStates.get(line);
    if (before === r.state || (before === undefined && r.state === "Valid")) continue;
    events.push({ type: RANK[r.severity] >= RANK.warning ? "Warning" : "Normal", reason: r.state, message: `${line}: ${r.message}` });
  }
  const bad = reports.filter((r) => RANK[r.severity] >= RANK.warning);
  const top = worst(bad);
  const conditions: ConditionInput[] = [
    top === undefined
      ? { type: "Ready", status: "True", reason: "Valid", message: `${reports.length} certificate(s) checked, none needs attention` }
      : {
          type: "Ready",
          status: "False",
          reason: top.state,
          message: `${bad.length} of ${reports.length} certificate(s) need attention; ${describeSource(top.source)}: ${stableMessage(top.message)}`,
        },
  ];
  if (observed.hasSinks) {
    const failing = observed.deliveryFailures.length > 0;
    conditions.push(
      failing
        ? { type: "AlertsDelivered", status: "False", reason: "AlertSinkFailed", message: observed.deliveryFailures[0] ?? "alert delivery failed" }
        : { type: "AlertsDelivered", status: "True", reason: "Delivered", message: "every alert sink has the current alerts" },
    );
    if (failing && !check.previousDeliveryFailing) events.push({ type: "Warning", reason: "AlertSinkFailed", message: observed.deliveryFailures[0] ?? "alert delivery failed" });
  }
  const writes: ChildWrite[] = [];
  for (const s of observed.stale) {
    for (const w of observed.workloads) {
      const patch = reloadPatch(w, s.secretName, s.fingerprint, now);
      const resource = RELOADABLE_WORKLOADS.find((r) => r.kind === w.kind);
      if (patch === null || resource === undefined) continue;
      const name = w.metadata.name ?? "";
      writes.push({ op: "patch", resource, namespace: check.namespace, name, patch, patchType: "merge" });
      events.push({ type: "Normal", reason: "StaleServing", message: `restarting ${w.kind}/${name} to serve the renewed certificate in ${s.secretName}` });
    }
  }
  const next = nextTransition(reports, check.thresholds, now);
  const untilNext = next === undefined ? check.intervalMs : Math.max(MIN_REQUEUE_MS, next.getTime() - now.getTime());
  return {
    writes,
    conditions,
    events,
    status: { certificates, alerts: observed.alerts },
    requeueAfterMs: Math.min(check.intervalMs, untilNext),
    outcome: { kind: "ok" },
  };
}

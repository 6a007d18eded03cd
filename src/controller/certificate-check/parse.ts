/**
 * parse() of CertificateCheck: zod once at the boundary, thresholds resolved, the previous
 * status (certificate states and alert records) read back so transitions survive restarts.
 */
import { certificateCheckSchema, type CertificateCheck } from "../../api/certificate-check.js";
import { alertRecordsSchema, type AlertRecord } from "../../alerts/transitions.js";
import { DEFAULT_THRESHOLDS, parseLimit, type Thresholds } from "../../certs/thresholds.js";
import { parseDuration } from "../../duration.js";
import type { KubeObject } from "../../kube/types.js";
import type { ParseResult } from "../runtime/kind.js";

/** A parsed CertificateCheck. */
export interface ParsedCheck {
  namespace: string;
  name: string;
  generation: number;
  spec: CertificateCheck["spec"];
  thresholds: Thresholds;
  intervalMs: number;
  /** state per source line, from status.certificates. */
  previousStates: Map<string, string>;
  previousAlerts: AlertRecord[];
  /** True when the last status said alert delivery was failing. */
  previousDeliveryFailing: boolean;
}

const DEFAULT_INTERVAL_MS = 3_600_000;

/** Parses a CertificateCheck from the watch; an invalid spec is stalled with the field named. */
export function parseCertificateCheck(object: KubeObject): ParseResult<ParsedCheck> {
  const r = certificateCheckSchema.safeParse(object);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    return { ok: false, reason: "InvalidSpec", message: `invalid CertificateCheck: ${path || "object"}: ${issue?.message ?? "invalid"} (fix the spec)` };
  }
  const check = r.data;
  const t = check.spec.thresholds ?? {};
  const thresholds: Thresholds = {
    renewBefore: t.renewBefore ? parseLimit(t.renewBefore, "spec.thresholds.renewBefore") : DEFAULT_THRESHOLDS.renewBefore,
    renewalGrace: t.renewalGrace ? parseLimit(t.renewalGrace, "spec.thresholds.renewalGrace") : DEFAULT_THRESHOLDS.renewalGrace,
    warning: t.warning ? parseLimit(t.warning, "spec.thresholds.warning") : DEFAULT_THRESHOLDS.warning,
    critical: t.critical ? parseLimit(t.critical, "spec.thresholds.critical") : DEFAULT_THRESHOLDS.critical,
  };
  const status = check.status ?? {};
  const alerts = alertRecordsSchema.safeParse(status.alerts ?? []);
  const conditions = status.conditions ?? [];
  return {
    ok: true,
    value: {
      namespace: check.metadata.namespace ?? "default",
      name: check.metadata.name ?? "",
      generation: typeof object.metadata.generation === "number" ? object.metadata.generation : 0,
      spec: check.spec,
      thresholds,
      intervalMs: check.spec.interval ? parseDuration(check.spec.interval) : DEFAULT_INTERVAL_MS,
      previousStates: new Map((status.certificates ?? []).map((c) => [c.source, c.state])),
      previousAlerts: alerts.success ? alerts.data : [],
      previousDeliveryFailing: conditions.some((c) => c.type === "AlertsDelivered" && c.status === "False"),
    },
  };
}

/**
 * The alert model every sink (Alertmanager, webhook, ntfy) receives. It follows Alertmanager's
 * v2 `postableAlert` shape (labels, annotations, startsAt, endsAt) so the Alertmanager sink sends
 * it as is and the other sinks render it.
 */
import { z } from "zod";

/** One alert: `name` becomes the `alertname` label; `endsAt` set means resolved at that time. */
export interface Alert {
  /** The alert name, e.g. `CertificateExpiring`; sent as label `alertname`. */
  name: string;
  /** Identifying labels (besides `alertname`); the same labels identify the same alert. */
  labels: Record<string, string>;
  /** Human text: `summary`, `description`; never a secret value. */
  annotations: Record<string, string>;
  /** RFC 3339 time the alert condition began. */
  startsAt: string;
  /** RFC 3339 time the alert resolved; absent while firing. */
  endsAt?: string;
  /** Where the alert comes from (a URL or an object reference), optional. */
  generatorURL?: string;
}

const labelMap = z.record(z.string(), z.string());

/** zod schema of {@link Alert}, for alerts read back from status or config. */
export const alertSchema = z.object({
  name: z.string().min(1),
  labels: labelMap,
  annotations: labelMap,
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
});

/** The identity of an alert: its name plus its labels in sorted order (annotations do not count). */
export function alertKey(alert: Pick<Alert, "name" | "labels">): string {
  const labels = Object.keys(alert.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(alert.labels[k])}`);
  return `${alert.name}{${labels.join(",")}}`;
}

/** The severity label value sealbridge puts on its alerts. */
export type AlertSeverity = "warning" | "critical" | "info";

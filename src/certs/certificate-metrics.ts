/**
 * Prometheus gauges per certificate, named like cert-manager's and x509-certificate-exporter's:
 * `sealbridge_certificate_not_after_timestamp_seconds`, `…_not_before_timestamp_seconds`,
 * `…_renewal_timestamp_seconds`, and `sealbridge_certificate_state{state}` (1 for the current
 * state; one series per certificate). Labels: source, namespace, name, key, subject, and check (the
 * CertificateCheck that found it; empty for the cluster-wide TLS Secret scan).
 */
import { Gauge, type Registry } from "prom-client";
import type { CertificateReport } from "./certificate-report.js";

const LABELS = ["source", "namespace", "name", "key", "subject", "check"] as const;
type Label = (typeof LABELS)[number];
type Labels = Record<Label, string>;

/** The certificate gauges on one registry; series are replaced and removed per certificate id. */
export class CertificateGauges {
  readonly #notAfter: Gauge<Label>;
  readonly #notBefore: Gauge<Label>;
  readonly #renewal: Gauge<Label>;
  readonly #state: Gauge<Label | "state">;
  readonly #series = new Map<string, { labels: Labels; state: string }>();

  constructor(registry: Registry) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> => {
      const existing = registry.getSingleMetric(name);
      if (existing) return existing as Gauge<L>;
      return new Gauge({ name, help, labelNames, registers: [registry] });
    };
    this.#notAfter = gauge("sealbridge_certificate_not_after_timestamp_seconds", "The certificate's notAfter (expiry) as a Unix timestamp.", LABELS);
    this.#notBefore = gauge("sealbridge_certificate_not_before_timestamp_seconds", "The certificate's notBefore as a Unix timestamp.", LABELS);
    this.#renewal = gauge("sealbridge_certificate_renewal_timestamp_seconds", "When renewal is due (cert-manager's renewalTime, else 2/3 of the lifetime) as a Unix timestamp.", LABELS);
    this.#state = gauge("sealbridge_certificate_state", "1 for the certificate's current state (Valid, RenewalDue, RenewalOverdue, Expiring, Expired, Invalid, StaleServing).", [...LABELS, "state"] as const);
  }

  /** Sets every gauge of the certificate `id` from its report (replacing older series of the id). */
  set(id: string, report: CertificateReport, check = ""): void {
    const labels: Labels = {
      source: report.source.kind,
      namespace: report.source.namespace ?? "",
      name: report.source.name,
      key: report.source.key ?? "",
      subject: report.subject ?? "",
      check,
    };
    const old = this.#series.get(id);
    if (old && (!sameLabels(old.labels, labels) || old.state !== report.state)) this.remove(id);
    const ts = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso) / 1000);
    const notAfter = ts(report.notAfter);
    const notBefore = ts(report.notBefore);
    const renewal = ts(report.renewalTime);
    if (notAfter !== undefined) this.#notAfter.set(labels, notAfter);
    if (notBefore !== undefined) this.#notBefore.set(labels, notBefore);
    if (renewal !== undefined) this.#renewal.set(labels, renewal);
    this.#state.set({ ...labels, state: report.state }, 1);
    this.#series.set(id, { labels, state: report.state });
  }

  /** Removes every series of the certificate `id` (its Secret or check is gone). */
  remove(id: string): void {
    const old = this.#series.get(id);
    if (!old) return;
    for (const g of [this.#notAfter, this.#notBefore, this.#renewal]) g.remove(old.labels);
    this.#state.remove({ ...old.labels, state: old.state });
    this.#series.delete(id);
  }

  /** Removes the series of every id starting with `prefix` (a deleted CertificateCheck's). */
  removePrefix(prefix: string): void {
    for (const id of [...this.#series.keys()]) if (id.startsWith(prefix)) this.remove(id);
  }

  /** Ids with series now. */
  ids(): string[] {
    return [...this.#series.keys()];
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  return LABELS.every((l) => a[l] === b[l]);
}

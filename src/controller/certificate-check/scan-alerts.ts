/**
 * Alerts of the cluster-wide TLS Secret scan, sent to the controller's cluster default sinks
 * (`--alert-sink`): fire when a Secret's certificate enters a warning or critical state, resolve
 * when it leaves it, never repeat on a steady rescan (src/alerts/transitions.ts).
 *
 * The scan has no object of its own to keep alert records in, so they live in memory: a
 * controller restart forgets them, and an alert still due after a restart fires again (once).
 * CertificateChecks keep theirs in status and do not re-fire.
 */
import { alertTransitions, settleAlertRecords, type AlertRecord, type DesiredAlert } from "../../alerts/transitions.js";
import { deliverAlerts } from "../../alerts/deliver.js";
import type { AlertSink } from "../../alerts/sink.js";
import { describeSource, stableMessage, type CertificateReport } from "../../certs/certificate-report.js";
import type { Clock } from "../../clock.js";
import type { ControllerLogger } from "../types.js";

const ALERTING = new Set(["warning", "critical"]);

/** The alerts the scan wants firing for `reports` (warning and critical states only). */
export function scanDesiredAlerts(reports: readonly CertificateReport[]): DesiredAlert[] {
  const out: DesiredAlert[] = [];
  for (const r of reports) {
    if (!ALERTING.has(r.severity)) continue;
    out.push({
      name: `Certificate${r.state}`,
      labels: { severity: r.severity, source: r.source.kind, namespace: r.source.namespace ?? "", name: r.source.name, key: r.source.key ?? "" },
      annotations: {
        summary: `${describeSource(r.source)}: ${r.state}${r.subject ? ` (${r.subject})` : ""}`,
        description: stableMessage(r.message),
      },
    });
  }
  return out;
}

/** Options of {@link ScanAlerts}. */
export interface ScanAlertsOptions {
  sinks: AlertSink[];
  /** The scan's current reports, read when a pass runs. */
  reports: () => readonly CertificateReport[];
  clock: Clock;
  log: ControllerLogger;
}

/** Delivers the scan's alert transitions; passes run one at a time and coalesce. */
export class ScanAlerts {
  readonly #o: ScanAlertsOptions;
  readonly #sinks: Map<string, AlertSink>;
  #records: AlertRecord[] = [];
  #running: Promise<void> | undefined;
  #dirty = false;

  constructor(options: ScanAlertsOptions) {
    this.#o = options;
    this.#sinks = new Map(options.sinks.map((s) => [s.describe, s]));
  }

  /** Asks for a pass (now, or right after the one running). Never throws. */
  poke(): void {
    if (this.#sinks.size === 0) return;
    this.#dirty = true;
    if (this.#running) return;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once no pass is running or due. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      try {
        await this.#pass();
      } catch (err) {
        this.#o.log.warn({ err }, "TLS Secret scan alerts failed");
      }
    }
  }

  async #pass(): Promise<void> {
    const refs = [...this.#sinks.values()].map((s) => ({ id: s.describe, ...(s.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: s.refreshIntervalMs }) }));
    const transitions = alertTransitions(this.#records, scanDesiredAlerts(this.#o.reports()), refs, this.#o.clock.now());
    if (transitions.deliveries.length === 0) {
      this.#records = transitions.next;
      return;
    }
    const failed = await deliverAlerts(this.#sinks, transitions.deliveries);
    for (const f of failed) this.#o.log.warn({ sink: f.delivery.sinkId, alert: f.delivery.alert.name, reason: f.message }, "TLS Secret scan alert delivery failed");
    this.#records = settleAlertRecords(transitions, this.#records, failed.map((f) => f.delivery));
  }
}

/**
 * Alerts of the cluster-wide TLS Secret scan, sent to the controller's cluster default sinks
 * (`--alert-sink`): fire when a Secret's certificate enters a warning or critical state, resolve
 * when it leaves it, never repeat on a steady rescan (src/alerts/transitions.ts).
 *
 * The scan has no object of its own to keep alert records in: they go to an {@link AlertStateStore}
 * (the ConfigMap `sealbridge-alert-state` in the controller's namespace, scan-alert-state.ts), read
 * before the first pass and written when they change, so a restarted controller neither re-fires
 * nor forgets them. Without a store (or while it cannot be read) they live in memory only.
 */
import { runAlertPass } from "../../alerts/alert-pass.js";
import type { AlertRecord, DesiredAlert } from "../../alerts/transitions.js";
import type { AlertSink } from "../../alerts/sink.js";
import { describeSource, stableMessage, type CertificateReport } from "../../certs/certificate-report.js";
import type { Clock } from "../../clock.js";
import type { ControllerLogger } from "../types.js";
import type { AlertStateStore } from "./scan-alert-state.js";

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
  /** Where the records survive a restart (default: memory only). */
  state?: AlertStateStore;
}

/** Delivers the scan's alert transitions; passes run one at a time and coalesce. */
export class ScanAlerts {
  readonly #o: ScanAlertsOptions;
  readonly #sinks: Map<string, AlertSink>;
  #records: AlertRecord[] = [];
  #loaded = false;
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
    if (!this.#loaded && this.#o.state) {
      try {
        this.#records = await this.#o.state.load();
      } catch (err) {
        this.#o.log.warn({ err }, "TLS Secret scan alert state not readable; alerting from memory (alerts still due may fire once more)");
      }
    }
    this.#loaded = true;
    const result = await runAlertPass(this.#records, scanDesiredAlerts(this.#o.reports()), this.#sinks, this.#o.clock.now());
    for (const f of result.failed) this.#o.log.warn({ sink: f.delivery.sinkId, alert: f.delivery.alert.name, reason: f.message }, "TLS Secret scan alert delivery failed");
    this.#records = result.records;
    await this.#o.state?.save(this.#records);
  }
}

/**
 * The cluster-wide scan: every `kubernetes.io/tls` Secret (list+watch with the server-side field
 * selector `type=kubernetes.io/tls`, as x509-certificate-exporter does) and, where the
 * cert-manager CRDs exist, every `cert-manager.io/v1 Certificate` (read only: its renewalTime and
 * a failed issuance sharpen the judgement of the Secret it names). Output: the certificate
 * gauges, and a Warning Event on the Secret when its state worsens while this instance runs.
 * It never writes anything else; a rescan with nothing changed writes nothing.
 */
import type { Clock } from "../../clock.js";
import { describeSource, inspectCertificate, reportFor, type CertificateInput, type CertificateReport, type Inspection } from "../../certs/certificate-report.js";
import type { CertificateGauges } from "../../certs/certificate-metrics.js";
import { CERT_MANAGER_CERTIFICATES, certManagerStatus, secretInputs, type CertManagerStatus } from "../../certs/kube-inputs.js";
import type { Thresholds } from "../../certs/thresholds.js";
import { KubeApiError } from "../../kube/errors.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import { Informer, objectKey } from "../runtime/informer.js";
import type { Timers } from "../runtime/work-queue.js";
import type { ControllerLogger } from "../types.js";
import { ScanAlerts } from "./scan-alerts.js";
import type { AlertSink } from "../../alerts/sink.js";
import type { AlertStateStore } from "./scan-alert-state.js";

/** Options of {@link TlsSecretScanner}. */
export interface TlsSecretScannerOptions {
  kube: KubeClient;
  log: ControllerLogger;
  clock: Clock;
  gauges: CertificateGauges;
  thresholds: Thresholds;
  /** How often states are re-judged as time passes (default 10 min). */
  rescanMs?: number;
  /** Read cert-manager Certificates when their CRD exists (default true). */
  certManager?: boolean;
  /** Records an Event on a Secret (Warning when its state worsens). */
  event?: (regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string) => Promise<void>;
  timers?: Timers;
  pageSize?: number;
  /** The cluster default alert sinks (`--alert-sink`). */
  alertSinks?: AlertSink[];
  /** Where the alert records survive restarts (scan-alert-state.ts); default: memory only. */
  alertState?: AlertStateStore;
}

const RANK = { none: 0, info: 1, warning: 2, critical: 3 } as const;

/** A TLS Secret reduced to its identity: no data (the certificate was inspected already). */
function identityOnly(secret: KubeObject): KubeObject {
  const m = secret.metadata;
  const metadata: KubeObject["metadata"] = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  return { apiVersion: "v1", kind: "Secret", metadata, type: secret["type"] };
}

interface Entry {
  resourceVersion: string;
  cm: string;
  /** The parse and chain check of this resourceVersion, kept so a rescan only re-judges dates. */
  inspection: Inspection;
  /** The source and (no PEM) what else the judgement needs. */
  input: CertificateInput;
  report: CertificateReport;
}

/** Scans TLS Secrets and cert-manager Certificates into gauges. */
export class TlsSecretScanner {
  readonly #o: TlsSecretScannerOptions;
  readonly #secrets: Informer;
  #certificates: Informer | undefined;
  /** cert-manager status by `namespace/secretName`. */
  readonly #cm = new Map<string, CertManagerStatus>();
  readonly #entries = new Map<string, Entry>();
  /** Inspections of arriving objects, by key, until the handler judges them. */
  readonly #arrived = new Map<string, { resourceVersion: string; input: CertificateInput; inspection: Inspection }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #alerts: ScanAlerts;
  #synced = false;

  constructor(options: TlsSecretScannerOptions) {
    this.#o = options;
    this.#secrets = new Informer({
      kube: options.kube,
      resource: SECRETS,
      fieldSelector: "type=kubernetes.io/tls",
      // The certificate is inspected as the object arrives; the cache keeps only its identity
      // (never the private key, no data at all), so 10,000 Secrets cost little memory.
      transform: (obj) => this.#arrive(obj),
      pageSize: options.pageSize ?? 250,
      log: options.log,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.#secrets.addHandler((type, obj) => {
      if (type === "delete") this.#forget(obj);
      else this.#judge(obj, false);
      if (this.#synced) this.#alerts.poke();
    });
    this.#alerts = new ScanAlerts({ sinks: options.alertSinks ?? [], reports: () => this.reports(), clock: options.clock, log: options.log, ...(options.alertState ? { state: options.alertState } : {}) });
  }

  /** Starts both watches; resolves once the Secrets are listed and every gauge is set. */
  async start(): Promise<void> {
    if (this.#o.certManager ?? true) await this.#startCertManager();
    this.#secrets.start();
    await this.#secrets.synced();
    this.#synced = true;
    this.#alerts.poke();
    this.#schedule();
  }

  /** Stops the watches and the rescan timer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all([this.#secrets.stop(), this.#certificates?.stop()]);
    await this.#alerts.idle();
  }

  /** The current report per Secret key (`namespace/name[key]`). */
  reports(): CertificateReport[] {
    return [...this.#entries.values()].map((e) => e.report);
  }

  /** Re-judges every Secret at the clock's now (time alone changes states). */
  rescan(): void {
    for (const obj of this.#secrets.list()) this.#judge(obj, true);
    if (this.#synced) this.#alerts.poke();
  }

  /** Resolves once no alert delivery is running or due. */
  async alertsIdle(): Promise<void> {
    await this.#alerts.idle();
  }

  async #startCertManager(): Promise<void> {
    try {
      await this.#o.kube.list(CERT_MANAGER_CERTIFICATES, undefined, { limit: 1 });
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 403)) {
        this.#o.log.info({ status: err.status }, "cert-manager Certificates not readable here; checking TLS Secrets without them");
        return;
      }
      throw err;
    }
    const informer = new Informer({ kube: this.#o.kube, resource: CERT_MANAGER_CERTIFICATES, log: this.#o.log, ...(this.#o.timers ? { timers: this.#o.timers } : {}) });
    informer.addHandler((type, obj, old) => {
      const ns = obj.metadata.namespace ?? "";
      if (old) {
        const was = certManagerStatus(old).secretName;
        if (was) this.#cm.delete(`${ns}/${was}`);
      }
      const status = certManagerStatus(obj);
      if (!status.secretName) return;
      const key = `${ns}/${status.secretName}`;
      if (type === "delete") this.#cm.delete(key);
      else this.#cm.set(key, status);
      const secret = this.#secrets.get(key);
      if (secret) this.#judge(secret, false);
      if (this.#synced) this.#alerts.poke();
    });
    this.#certificates = informer;
    informer.start();
    await informer.synced();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.rescan();
      this.#schedule();
    }, this.#o.rescanMs ?? 600_000);
    this.#timer.unref?.();
  }

  #judge(secret: KubeObject, rescan: boolean): void {
    const key = objectKey(secret);
    const cm = this.#cm.get(key);
    const cmId = cm ? JSON.stringify([cm.renewalTime, cm.issuanceFailure?.reason, cm.issuanceFailure?.message]) : "";
    const rv = secret.metadata.resourceVersion ?? "";
    const prev = this.#entries.get(key);
    if (!rescan && prev && prev.resourceVersion === rv && prev.cm === cmId) return;
    const arrived = this.#arrived.get(key);
    this.#arrived.delete(key);
    let inspection: Inspection;
    let input: CertificateInput;
    if (arrived && arrived.resourceVersion === rv) ({ inspection, input } = arrived);
    else if (prev && prev.resourceVersion === rv) ({ inspection, input } = prev);
    else return; // not inspected (cannot happen: every object passes #arrive first)
    input = { ...input };
    if (cm?.renewalTime) input.renewalTime = cm.renewalTime;
    else delete input.renewalTime;
    if (cm?.issuanceFailure) input.issuanceFailure = cm.issuanceFailure;
    else delete input.issuanceFailure;
    const report = reportFor(input, inspection, this.#o.thresholds, this.#o.clock.now());
    this.#entries.set(key, { resourceVersion: rv, cm: cmId, input, inspection, report });
    const changed = !prev || prev.report.state !== report.state || prev.report.notAfter !== report.notAfter || prev.report.renewalTime !== report.renewalTime || prev.report.subject !== report.subject;
    if (changed) this.#o.gauges.set(`secret:${key}`, report);
    if (prev && RANK[report.severity] > RANK[prev.report.severity] && RANK[report.severity] >= RANK.warning && this.#o.event) {
      this.#o.event(secret, "Warning", report.state, `${describeSource(report.source)}: ${report.message}`).catch((err: unknown) => {
        this.#o.log.warn({ secret: key, err }, "recording certificate Event failed");
      });
    }
  }

  /** Inspects an arriving Secret (list or watch) and returns what the cache keeps of it. */
  #arrive(secret: KubeObject): KubeObject {
    const key = objectKey(secret);
    const rv = secret.metadata.resourceVersion ?? "";
    const known = this.#entries.get(key);
    if (!known || known.resourceVersion !== rv) {
      const [full] = secretInputs(secret);
      if (full) {
        const inspection = inspectCertificate(full);
        // The PEM is not kept: a rescan re-judges the inspection.
        const { pem: _pem, bundlePem: _bundle, ...input } = full;
        this.#arrived.set(key, { resourceVersion: rv, input, inspection });
      }
    }
    return identityOnly(secret);
  }

  #forget(secret: KubeObject): void {
    const key = objectKey(secret);
    this.#arrived.delete(key);
    this.#entries.delete(key);
    this.#o.gauges.remove(`secret:${key}`);
  }
}

/**
 * The CertificateCheck kind for the reconciler kit, and the cluster-wide TLS Secret scanner it
 * runs while this instance leads. Adapters (endpoint probe, workload reads, alert sinks, gauges)
 * come in through {@link certificateCheckKind}'s options, never from globals.
 */
import { certificateCheckResource } from "../../api/certificate-check.js";
import { buildSink, type AlertSinkSpec } from "../../alerts/sink-config.js";
import type { AlertSink } from "../../alerts/sink.js";
import { CertificateGauges } from "../../certs/certificate-metrics.js";
import type { EndpointTarget, ServedChain } from "../../certs/endpoint.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../../certs/thresholds.js";
import { CONFIGMAPS, SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import { RELOADABLE_WORKLOADS } from "../reload.js";
import type { ControllerConfig } from "../config.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { ObjectCache, ObjectKey, ReconcileContext, Reconciler } from "../types.js";
import type { KindDefinition } from "../runtime/kind.js";
import { checkGaugePrefix, observeCertificateCheck } from "./observe.js";
import { parseCertificateCheck, type ParsedCheck } from "./parse.js";
import { planCertificateCheck, type ObservedCheck } from "./plan.js";
import { TlsSecretScanner } from "./tls-secret-scanner.js";
import { ConfigMapAlertState } from "./scan-alert-state.js";

/** Options of the CertificateCheck kind. */
export interface CertificateCheckKindOptions {
  gauges: CertificateGauges;
  /** Cluster default alert sinks (`--alert-sink`), used by checks that name none. */
  defaultSinks?: AlertSinkSpec[];
  /** The controller's namespace: the scan's alert records go to its ConfigMap `sealbridge-alert-state` (default: memory only). */
  alertStateNamespace?: string;
  /** Thresholds of the cluster-wide TLS Secret scan (default: lifetime-relative). */
  scanThresholds?: Thresholds;
  /** Run the cluster-wide TLS Secret scan (default true). */
  scanTlsSecrets?: boolean;
  /** Read cert-manager Certificates in the scan where their CRD exists (default true). */
  certManager?: boolean;
  scanRescanMs?: number;
  probe?: (target: EndpointTarget) => Promise<ServedChain>;
  buildSink?: (spec: AlertSinkSpec, token: string | undefined) => AlertSink;
}

/** Parsed checks by cached object (the cache replaces an object when it changes). */
const parsedChecks = new WeakMap<KubeObject, ParsedCheck | null>();

function parsedOf(check: KubeObject): ParsedCheck | null {
  let p = parsedChecks.get(check);
  if (p === undefined) {
    const r = parseCertificateCheck(check);
    p = r.ok ? r.value : null;
    parsedChecks.set(check, p);
  }
  return p;
}

/** Whether a check names this Secret or ConfigMap (by name, selector, bundle, endpoint or sink token). */
function references(check: KubeObject, obj: KubeObject): boolean {
  const parsed = parsedOf(check);
  if (parsed === null || obj.metadata.namespace !== parsed.namespace) return false;
  const spec = parsed.spec;
  const name = obj.metadata.name;
  if (obj.kind === "ConfigMap" || (obj.kind === undefined && obj["data"] && !obj["type"])) {
    if ((spec.configMaps ?? []).some((c) => c.name === name)) return true;
    return spec.trustBundle?.configMapRef?.name === name;
  }
  for (const s of spec.secrets ?? []) {
    if (s.name === name) return true;
    const sel = s.selector?.matchLabels;
    if (sel && Object.entries(sel).every(([k, v]) => obj.metadata.labels?.[k] === v)) return true;
  }
  if (spec.trustBundle?.secretRef?.name === name) return true;
  if ((spec.endpoints ?? []).some((e) => e.secretName === name)) return true;
  return (spec.alertSinks ?? []).some((s) => Object.values(s).some((v: { tokenSecretRef?: { name: string } }) => v.tokenSecretRef?.name === name));
}

/** The CertificateCheck kind definition. */
export function certificateCheckKind(options: CertificateCheckKindOptions): KindDefinition<ParsedCheck, ObservedCheck> {
  let checks: ObjectCache | undefined;
  let scanner: TlsSecretScanner | undefined;
  let kube: ReconcileContext["kube"] | undefined;
  const mapToChecks = (obj: KubeObject): ObjectKey[] =>
    (checks?.list(obj.metadata.namespace) ?? []).filter((c) => references(c, obj)).map((c) => `${c.metadata.namespace ?? ""}/${c.metadata.name ?? ""}`);
  return {
    name: "certificatecheck",
    resource: certificateCheckResource,
    statusShape: "conditions",
    secondaryWatches: [
      { resource: SECRETS, mapToPrimary: (o) => mapToChecks({ ...o, kind: "Secret" }) },
      { resource: CONFIGMAPS, mapToPrimary: (o) => mapToChecks({ ...o, kind: "ConfigMap" }) },
    ],
    parse: parseCertificateCheck,
    observe: (ctx, check) =>
      observeCertificateCheck(ctx, check, {
        defaultSinks: options.defaultSinks ?? [],
        gauges: options.gauges,
        ...(options.probe ? { probe: options.probe } : {}),
        ...(options.buildSink ? { buildSink: options.buildSink } : {}),
        listWorkloads: async (namespace) => {
          if (!kube) return [];
          const out: KubeObject[] = [];
          for (const res of RELOADABLE_WORKLOADS) for (const w of (await kube.list(res, namespace)).items) out.push({ ...w, kind: res.kind });
          return out;
        },
      }),
    plan: planCertificateCheck,
    forget: (key) => options.gauges.removePrefix(checkGaugePrefix(key)),
    async start(ctx) {
      checks = ctx.cache(certificateCheckResource);
      kube = ctx.kube;
      if (options.scanTlsSecrets ?? true) {
        const log = ctx.log.child({ component: "tls-secret-scan" });
        scanner = new TlsSecretScanner({
          kube: ctx.kube,
          log,
          clock: ctx.clock,
          gauges: options.gauges,
          thresholds: options.scanThresholds ?? DEFAULT_THRESHOLDS,
          ...(options.certManager === undefined ? {} : { certManager: options.certManager }),
          ...(options.scanRescanMs === undefined ? {} : { rescanMs: options.scanRescanMs }),
          event: ctx.event,
          alertSinks: (options.defaultSinks ?? []).map((spec) => (options.buildSink ? options.buildSink(spec, undefined) : buildSink(spec))),
          ...(options.alertStateNamespace === undefined ? {} : { alertState: new ConfigMapAlertState(ctx.kube, options.alertStateNamespace, log) }),
        });
        // The scan runs beside the reconciles; a failure to start is logged, the kind keeps working.
        scanner.start().catch((err: unknown) => ctx.log.error({ err }, "TLS Secret scan failed to start"));
      }
    },
    async stop() {
      await scanner?.stop();
    },
  };
}

/** The CertificateCheck reconciler (with the cluster-wide TLS Secret scan) for `sealbridge controller`. */
export async function certificateCheckFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const gauges = deps.share("certificate-gauges", () => new CertificateGauges(deps.metrics.registry));
  return kindReconciler(certificateCheckKind({ gauges, defaultSinks: cfg.alertSinks, alertStateNamespace: cfg.namespace }));
}

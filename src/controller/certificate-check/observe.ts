/**
 * observe() of CertificateCheck: reads the Secrets and ConfigMaps it names from the caches,
 * probes its endpoints, judges everything (evaluate.ts), sets the gauges, and delivers the
 * alert transitions. Alert delivery is this kind's one effect outside Kubernetes: the kit's plan
 * covers Kubernetes writes only, so the sends happen here and plan() records their outcome in
 * status (a restart reads it back and does not fire again).
 */
import { runAlertPass, sinkSet } from "../../alerts/alert-pass.js";
import type { AlertSinkSpec } from "../../alerts/sink-config.js";
import type { AlertSink } from "../../alerts/sink.js";
import type { CertificateGauges } from "../../certs/certificate-metrics.js";
import { describeSource } from "../../certs/certificate-report.js";
import { fetchServedChain, parseHostPort, type EndpointTarget, type ServedChain } from "../../certs/endpoint.js";
import { pemValue } from "../../certs/kube-inputs.js";
import { CONFIGMAPS, SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import { evaluateCheck, type CheckSources, type LoadedObject, type ProbedEndpoint } from "./evaluate.js";
import type { ObserveContext } from "../runtime/kind.js";
import type { ParsedCheck } from "./parse.js";
import type { ObservedCheck } from "./plan.js";

/** The adapters observe() uses, injected by the kind's factory. */
export interface ObserveAdapters {
  probe?: (target: EndpointTarget) => Promise<ServedChain>;
  /** Deployments/StatefulSets/DaemonSets of a namespace (read only), for reloads. */
  listWorkloads(namespace: string): Promise<KubeObject[]>;
  /** Cluster default sinks (controller flag `--alert-sink`). */
  defaultSinks: AlertSinkSpec[];
  buildSink?: (spec: AlertSinkSpec, token: string | undefined) => AlertSink;
  gauges?: CertificateGauges;
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The prefix of the gauge ids of one check (`namespace/name`). */
export function checkGaugePrefix(key: string): string {
  return `check:${key}:`;
}

/** Reads, probes, judges and alerts for one check. */
export async function observeCertificateCheck(ctx: ObserveContext, check: ParsedCheck, adapters: ObserveAdapters): Promise<ObservedCheck> {
  const secrets = ctx.cache(SECRETS);
  const configMaps = ctx.cache(CONFIGMAPS);
  const ns = check.namespace;
  const objects: LoadedObject[] = [];
  for (const s of check.spec.secrets ?? []) {
    const keys = s.keys ?? ["tls.crt"];
    if (s.name !== undefined) objects.push({ kind: "Secret", name: s.name, keys, object: secrets.get(`${ns}/${s.name}`) ?? null });
    else {
      const sel = s.selector?.matchLabels ?? {};
      for (const o of secrets.list(ns).filter((x) => matches(x.metadata.labels, sel))) objects.push({ kind: "Secret", name: o.metadata.name ?? "", keys, object: o });
    }
  }
  for (const c of check.spec.configMaps ?? []) {
    objects.push({ kind: "ConfigMap", name: c.name, keys: c.keys ?? ["ca.crt"], object: configMaps.get(`${ns}/${c.name}`) ?? null });
  }
  const sources: CheckSources = { objects, endpoints: [] };
  const tb = check.spec.trustBundle;
  if (tb) {
    const ref = tb.configMapRef ?? tb.secretRef;
    const obj = ref ? (tb.configMapRef ? configMaps : secrets).get(`${ns}/${ref.name}`) : undefined;
    const pem = obj && ref ? pemValue(obj, ref.key) : undefined;
    sources.bundle = pem !== undefined ? { pem } : { problem: `trust bundle ${tb.configMapRef ? "ConfigMap" : "Secret"} ${ns}/${ref?.name ?? ""} key "${ref?.key ?? ""}" not found (create it or fix spec.trustBundle)` };
  }
  const probe = adapters.probe ?? fetchServedChain;
  sources.endpoints = await Promise.all(
    (check.spec.endpoints ?? []).map(async (e): Promise<ProbedEndpoint> => {
      const hp = parseHostPort(e.address);
      const served: ServedChain = hp
        ? await probe({ ...hp, ...(e.serverName ? { serverName: e.serverName } : {}), ...(sources.bundle?.pem ? { caPem: sources.bundle.pem } : {}) })
        : { ok: false, message: `invalid endpoint address ${e.address}` };
      const probed: ProbedEndpoint = { address: e.address, served };
      if (e.serverName) probed.serverName = e.serverName;
      if (e.secretName) {
        probed.secretName = e.secretName;
        probed.stored = secrets.get(`${ns}/${e.secretName}`) ?? null;
      }
      return probed;
    }),
  );
  const now = ctx.clock.now();
  const evaluation = evaluateCheck(check, sources, now);
  if (adapters.gauges) {
    const prefix = checkGaugePrefix(`${ns}/${check.name}`);
    const ids = new Set(evaluation.reports.map((r) => `${prefix}${describeSource(r.source)}`));
    for (const id of adapters.gauges.ids()) if (id.startsWith(prefix) && !ids.has(id)) adapters.gauges.remove(id);
    for (const r of evaluation.reports) adapters.gauges.set(`${prefix}${describeSource(r.source)}`, r, check.name);
  }
  // Alert sinks: the check's own, else the cluster defaults.
  const specs = check.spec.alertSinks && check.spec.alertSinks.length > 0 ? check.spec.alertSinks : adapters.defaultSinks;
  const tokenOf = (ref: { name: string; key: string }) => {
    const obj = secrets.get(`${ns}/${ref.name}`);
    return obj ? pemValue(obj, ref.key)?.trim() : undefined;
  };
  const { sinks, problems } = sinkSet(specs, tokenOf, ns, adapters.buildSink);
  const failures = [...problems];
  const pass = await runAlertPass(check.previousAlerts, evaluation.desiredAlerts, sinks, now);
  for (const f of pass.failed) {
    failures.push(f.message);
    ctx.log.warn({ check: `${ns}/${check.name}`, sink: f.delivery.sinkId, alert: f.delivery.alert.name }, "alert delivery failed");
  }
  const alerts = pass.records;
  const workloads = evaluation.stale.length > 0 ? await adapters.listWorkloads(ns) : [];
  return { reports: evaluation.reports, alerts, deliveryFailures: failures, hasSinks: sinks.size > 0, stale: evaluation.stale, workloads };
}

/**
 * The judgement of one CertificateCheck from what observe() loaded: every certificate's report
 * (stale serving included) and the alerts that should be firing. Pure: `now` comes in.
 */
import type { DesiredAlert } from "../../alerts/transitions.js";
import { parseCertificateChain } from "../../certs/certificate-info.js";
import { checkCertificate, describeSource, stableMessage, type CertificateInput, type CertificateReport } from "../../certs/certificate-report.js";
import type { ServedChain } from "../../certs/endpoint.js";
import { pemValue, secretInputs } from "../../certs/kube-inputs.js";
import { staleServingMessage } from "../../certs/serving.js";
import type { KubeObject } from "../../kube/types.js";
import type { ParsedCheck } from "./parse.js";

/** A Secret or ConfigMap the spec names (null when it does not exist). */
export interface LoadedObject {
  name: string;
  keys: string[];
  object: KubeObject | null;
  kind: "Secret" | "ConfigMap";
}

/** An endpoint as probed, with the Secret it should serve. */
export interface ProbedEndpoint {
  address: string;
  serverName?: string;
  secretName?: string;
  served: ServedChain;
  /** The Secret named by secretName (null when missing; undefined when none is named). */
  stored?: KubeObject | null;
}

/** Everything observe() read for one check. */
export interface CheckSources {
  objects: LoadedObject[];
  bundle?: { pem?: string; problem?: string };
  endpoints: ProbedEndpoint[];
}

/** A Secret some endpoint serves stale, and the fingerprint it should serve. */
export interface StaleSecret {
  secretName: string;
  fingerprint: string;
}

/** The judgement of a check. */
export interface Evaluation {
  reports: CertificateReport[];
  desiredAlerts: DesiredAlert[];
  stale: StaleSecret[];
}

const ALERTING = new Set(["warning", "critical"]);

/** Judges every certificate of the check at `now`. Never throws. */
export function evaluateCheck(check: ParsedCheck, sources: CheckSources, now: Date): Evaluation {
  const bundlePem = sources.bundle?.pem;
  const bundleProblem = sources.bundle?.problem;
  const inputs: CertificateInput[] = [];
  const stale: StaleSecret[] = [];
  for (const o of sources.objects) {
    if (o.object === null) {
      inputs.push({ source: { kind: o.kind, namespace: check.namespace, name: o.name }, problems: [`${o.kind} ${check.namespace}/${o.name} not found (create it or fix the name in the CertificateCheck)`] });
      continue;
    }
    for (const input of secretInputs(o.object, o.keys, bundlePem)) {
      if (bundleProblem) input.problems = [...(input.problems ?? []), bundleProblem];
      inputs.push(input);
    }
  }
  for (const e of sources.endpoints) {
    const source = { kind: "Endpoint" as const, namespace: check.namespace, name: e.address, key: e.address };
    if (!e.served.ok) {
      inputs.push({ source, problems: [e.served.message] });
      continue;
    }
    const hostname = e.serverName ?? e.address.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    const input: CertificateInput = { source, pem: e.served.pem, hostname };
    if (bundlePem) input.bundlePem = bundlePem;
    else if (e.served.authorizationError) input.authorizationError = e.served.authorizationError;
    if (e.secretName !== undefined && e.stored) {
      const storedPem = pemValue(e.stored, "tls.crt");
      const storedLeaf = storedPem === undefined ? undefined : parseCertificateChain(storedPem).infos[0];
      const servedLeaf = parseCertificateChain(e.served.pem).infos[0];
      if (storedLeaf && servedLeaf) {
        const msg = staleServingMessage(servedLeaf, storedLeaf, e.secretName, e.serverName ?? e.address);
        if (msg !== undefined) {
          input.staleServing = msg;
          stale.push({ secretName: e.secretName, fingerprint: storedLeaf.fingerprint256 });
        }
      }
    } else if (e.secretName !== undefined && e.stored === null) {
      input.problems = [`Secret ${check.namespace}/${e.secretName} that ${e.address} should serve not found`];
    }
    inputs.push(input);
  }
  const reports = inputs.map((i) => checkCertificate(i, check.thresholds, now));
  const desiredAlerts: DesiredAlert[] = [];
  for (const r of reports) {
    if (!ALERTING.has(r.severity)) continue;
    desiredAlerts.push({
      name: `Certificate${r.state}`,
      labels: {
        severity: r.severity,
        certificatecheck: check.name,
        source: r.source.kind,
        namespace: r.source.namespace ?? check.namespace,
        name: r.source.name,
        key: r.source.key ?? "",
      },
      annotations: {
        summary: `${describeSource(r.source)}: ${r.state}${r.subject ? ` (${r.subject})` : ""}`,
        description: stableMessage(r.message),
      },
    });
  }
  return { reports, desiredAlerts, stale: dedupe(stale) };
}

function dedupe(stale: StaleSecret[]): StaleSecret[] {
  const seen = new Map<string, StaleSecret>();
  for (const s of stale) seen.set(s.secretName, s);
  return [...seen.values()];
}

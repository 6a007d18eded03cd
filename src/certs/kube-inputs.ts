/**
 * Turns Kubernetes objects into certificates to check: a Secret's PEM keys (with its `ca.crt`
 * as the trust bundle when present), a ConfigMap bundle, and what a cert-manager Certificate's
 * status says (renewalTime, a failed issuance). Pure: objects in, inputs out; values never
 * leave except as the PEM text being checked (certificates, never keys).
 */
import type { KubeObject } from "../kube/types.js";
import type { IssuanceFailure } from "./certificate-state.js";
import type { CertificateInput } from "./certificate-report.js";

/** The cert-manager Certificate resource (read only). */
export const CERT_MANAGER_CERTIFICATES = {
  group: "cert-manager.io",
  version: "v1",
  plural: "certificates",
  kind: "Certificate",
  namespaced: true,
} as const;

function dataValue(obj: KubeObject, key: string): string | undefined {
  const data = obj["data"];
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  if (typeof value !== "string") return undefined;
  return obj.kind === "ConfigMap" ? value : Buffer.from(value, "base64").toString("utf8");
}

/** The PEM in one key of a Secret (base64 `data`) or ConfigMap (`data`), or undefined. */
export function pemValue(obj: KubeObject, key: string): string | undefined {
  return dataValue(obj, key);
}

/**
 * The certificates to check in a Secret: one input per key (default `tls.crt`); `ca.crt` in the
 * same Secret, or `bundlePem`, is the trust bundle. A missing key is a finding.
 */
export function secretInputs(secret: KubeObject, keys: string[] = ["tls.crt"], bundlePem?: string): CertificateInput[] {
  const namespace = secret.metadata.namespace;
  const name = secret.metadata.name ?? "";
  const bundle = bundlePem ?? dataValue(secret, "ca.crt");
  return keys.map((key) => {
    const pem = dataValue(secret, key);
    const input: CertificateInput = { source: { kind: secret.kind === "ConfigMap" ? "ConfigMap" : "Secret", ...(namespace === undefined ? {} : { namespace }), name, key } };
    if (pem === undefined) input.problems = [`${secret.kind ?? "Secret"} ${namespace ?? ""}/${name} has no key "${key}" (name an existing key)`];
    else input.pem = pem;
    if (bundle !== undefined && key !== "ca.crt") input.bundlePem = bundle;
    return input;
  });
}

interface Condition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
}

/** What a cert-manager Certificate says about its renewal. */
export interface CertManagerStatus {
  secretName?: string;
  renewalTime?: Date;
  notAfter?: Date;
  issuanceFailure?: IssuanceFailure;
}

const asDate = (v: unknown): Date | undefined => {
  if (typeof v !== "string") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/**
 * Reads `spec.secretName` and `status.{notAfter, renewalTime, conditions, lastFailureTime,
 * failedIssuanceAttempts}`. A failed issuance is `lastFailureTime` set (cert-manager clears it
 * on success) or `Issuing=False` with reason `Failed`; its reason and message are cert-manager's.
 * Ready=True is not trusted (cert-manager#7895): the dates decide.
 */
export function certManagerStatus(certificate: KubeObject): CertManagerStatus {
  const spec = (certificate["spec"] ?? {}) as Record<string, unknown>;
  const status = (certificate["status"] ?? {}) as Record<string, unknown>;
  const out: CertManagerStatus = {};
  if (typeof spec["secretName"] === "string") out.secretName = spec["secretName"];
  const renewal = asDate(status["renewalTime"]);
  if (renewal) out.renewalTime = renewal;
  const notAfter = asDate(status["notAfter"]);
  if (notAfter) out.notAfter = notAfter;
  const conditions = Array.isArray(status["conditions"]) ? (status["conditions"] as Condition[]) : [];
  const issuing = conditions.find((c) => c.type === "Issuing");
  const ready = conditions.find((c) => c.type === "Ready");
  const lastFailure = asDate(status["lastFailureTime"]);
  const attempts = typeof status["failedIssuanceAttempts"] === "number" ? status["failedIssuanceAttempts"] : undefined;
  const issuingFailed = issuing?.status === "False" && issuing.reason === "Failed";
  if (lastFailure !== undefined || issuingFailed) {
    const from = issuingFailed ? issuing : ready?.status === "False" ? ready : issuing;
    const failure: IssuanceFailure = {
      reason: typeof from?.reason === "string" ? from.reason : "Failed",
      message: typeof from?.message === "string" ? from.message : "issuance failed",
    };
    if (attempts !== undefined) failure.failedIssuanceAttempts = attempts;
    if (lastFailure !== undefined) failure.lastFailureTime = lastFailure;
    out.issuanceFailure = failure;
  }
  return out;
}

/** The input for a cert-manager Certificate, given its Secret (null when missing). */
export function certManagerInput(certificate: KubeObject, secret: KubeObject | null): CertificateInput {
  const cm = certManagerStatus(certificate);
  const namespace = certificate.metadata.namespace;
  const name = certificate.metadata.name ?? "";
  const input: CertificateInput = { source: { kind: "Certificate", ...(namespace === undefined ? {} : { namespace }), name, key: cm.secretName ?? "" } };
  if (cm.renewalTime) input.renewalTime = cm.renewalTime;
  if (cm.issuanceFailure) input.issuanceFailure = cm.issuanceFailure;
  if (cm.secretName === undefined) input.problems = [`Certificate ${namespace ?? ""}/${name} has no spec.secretName`];
  else if (secret === null) input.problems = [`Secret ${namespace ?? ""}/${cm.secretName} of Certificate ${name} not found (cert-manager has not issued it yet, or it was deleted)`];
  else {
    const pem = dataValue(secret, "tls.crt");
    if (pem === undefined) input.problems = [`Secret ${namespace ?? ""}/${cm.secretName} has no key "tls.crt"`];
    else input.pem = pem;
    const ca = dataValue(secret, "ca.crt");
    if (ca !== undefined) input.bundlePem = ca;
  }
  return input;
}

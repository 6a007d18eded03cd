/**
 * The AcmeCertificate plan, pure: from what observe saw (the TLS Secret's certificate, the
 * account and next private keys, the result of the one ACME step it took) to the writes (account
 * key Secret, next-key Secret, the kubernetes.io/tls Secret with the chain), conditions (Ready:
 * a valid certificate is in place; Issuing: an order is under way), status (notBefore, notAfter,
 * renewalTime, the order to resume, failures and when they are retried) and the requeue.
 */
import type { AcmeCertificate } from "../../api/acme-certificate.js";
import type { StepResult } from "../../acme/order-steps.js";
import type { OrderProgress } from "../../acme/order-progress.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import type { ConditionInput } from "../runtime/conditions.js";
import type { ChildWrite, Plan, PlannedEvent } from "../runtime/kind.js";
import { failureBackoffMs, type Validity } from "./renewal-time.js";

/** Reasons, also Event reasons. */
export const AcmeReason = {
  Issued: "Issued",
  Renewing: "Renewing",
  DoesNotExist: "DoesNotExist",
  Expired: "Expired",
  NamesChanged: "NamesChanged",
  AccountKeyCreated: "AccountKeyCreated",
  KeyGenerated: "KeyGenerated",
  OrderPending: "OrderPending",
  RateLimited: "RateLimited",
  IssuanceFailed: "IssuanceFailed",
  Unreachable: "Unreachable",
  CAError: "CAError",
  MissingSecret: "MissingSecret",
} as const;

/** The certificate in the TLS Secret now. */
export interface CurrentCertificate extends Validity {
  dnsNames: string[];
}

/** What observe found and did. */
export interface AcmeObserved {
  tlsSecret: KubeObject | null;
  current: CurrentCertificate | null;
  /** When to renew `current` (ARI, renewBefore or 2/3), computed by observe from the CA's answer. */
  renewalTime: Date | null;
  /** A new account key, when the Secret was missing: plan writes it, no ACME step was taken. */
  newAccountKeyPem?: string;
  /** A new certificate key for the Finalizing stage: plan stores it, the next pass finalizes. */
  newNextKeyPem?: string;
  /** The stored next key (PEM), when there is one. */
  nextKeyPem?: string;
  /** The ACME step taken this pass. */
  step?: StepResult;
  /** The CA or DNS could not be reached: the order stays, retried with backoff. */
  unreachable?: string;
  /** The CA answered with a problem (a 5xx, or a 4xx before any order): the order stays, retried with backoff. */
  caError?: string;
  /** A Secret the spec names is missing (not the account key): waiting. */
  missing?: string;
}

/** Name of the Secret holding the private key of the certificate being issued. */
export function nextKeySecretName(spec: AcmeCertificate["spec"]): string {
  return `${spec.secretName}-next-key`;
}

/** A Secret of this certificate; only `owned` ones (the next key) go away with the AcmeCertificate. */
function secret(cert: AcmeCertificate, name: string, type: string, data: Record<string, string>, owned = false): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: cert.metadata.namespace,
      labels: { "app.kubernetes.io/managed-by": "sealbridge", "sealbridge.io/acme-certificate": cert.metadata.name ?? "" },
      ownerReferences: owned && cert.metadata["uid"]
        ? [{ apiVersion: cert.apiVersion, kind: cert.kind, name: cert.metadata.name ?? "", uid: String(cert.metadata["uid"]), controller: true }]
        : [],
    },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : undefined);

/** Why the current certificate needs replacing now, or null when it does not. */
export function issuanceNeed(cert: AcmeCertificate, observed: AcmeObserved, now: Date): { reason: string; message: string } | null {
  const c = observed.current;
  if (!c) return { reason: AcmeReason.DoesNotExist, message: `Secret ${cert.spec.secretName} holds no certificate yet` };
  const want = [...cert.spec.dnsNames].sort().join(",");
  if ([...c.dnsNames].sort().join(",") !== want) return { reason: AcmeReason.NamesChanged, message: `the certificate's names (${c.dnsNames.join(", ")}) differ from dnsNames` };
  if (now >= c.notAfter) return { reason: AcmeReason.Expired, message: `the certificate expired at ${iso(c.notAfter)}` };
  if (observed.renewalTime && now >= observed.renewalTime) return { reason: AcmeReason.Renewing, message: `renewal time ${iso(observed.renewalTime)} passed` };
  return null;
}

/**
 * The plan of one pass.
 */
export function planAcmeCertificate(cert: AcmeCertificate, observed: AcmeObserved, now: Date): Plan {
  const prev = cert.status ?? {};
  const writes: ChildWrite[] = [];
  const events: PlannedEvent[] = [];
  const conditions: ConditionInput[] = [];
  const c = observed.current;
  const valid = c !== null && now < c.notAfter;
  const fields: Record<string, unknown> = {
    notBefore: iso(c?.notBefore) ?? prev.notBefore,
    notAfter: iso(c?.notAfter) ?? prev.notAfter,
    renewalTime: iso(observed.renewalTime) ?? prev.renewalTime,
    lastFailureTime: prev.lastFailureTime,
    failedIssuanceAttempts: prev.failedIssuanceAttempts,
    nextAttemptTime: prev.nextAttemptTime,
  };
  const setOrder = (order: OrderProgress | undefined) => {
    if (order) fields["order"] = order;
    else if (prev.order) fields["order"] = null; // merge patch: remove it
  };
  setOrder(prev.order);
  const ready = (status: "True" | "False", reason: string, message: string) => conditions.push({ type: "Ready", status, reason, message });
  const readyFromCurrent = () =>
    valid
      ? ready("True", AcmeReason.Issued, `certificate valid until ${iso(c?.notAfter)}, renewal at ${iso(observed.renewalTime)}`)
      : ready("False", c ? AcmeReason.Expired : AcmeReason.DoesNotExist, c ? `certificate expired at ${iso(c.notAfter)}` : `no certificate in Secret ${cert.spec.secretName} yet`);
  const done = (outcome: Plan["outcome"], requeueAfterMs?: number): Plan => ({
    writes,
    conditions,
    events,
    status: fields,
    outcome,
    ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }),
  });

  if (observed.missing) {
    readyFromCurrent();
    conditions.push({ type: "Issuing", status: "False", reason: AcmeReason.MissingSecret, message: observed.missing });
    return done(valid ? { kind: "ok" } : { kind: "waiting", reason: AcmeReason.MissingSecret, message: observed.missing, afterMs: 30_000 }, 30_000);
  }
  if (observed.newAccountKeyPem) {
    const ref = cert.spec.issuer.accountKeySecretRef;
    writes.push({ op: "apply", resource: SECRETS, object: secret(cert, ref.name, "Opaque", { [ref.key ?? "tls.key"]: observed.newAccountKeyPem }) });
    events.push({ type: "Normal", reason: AcmeReason.AccountKeyCreated, message: `created ACME account key Secret ${ref.name}` });
    readyFromCurrent();
    conditions.push({ type: "Issuing", status: "True", reason: AcmeReason.AccountKeyCreated, message: `account key created in Secret ${ref.name}` });
    return done({ kind: "ok" }, 1);
  }
  const transient = observed.unreachable !== undefined ? { reason: AcmeReason.Unreachable, message: observed.unreachable } : observed.caError !== undefined ? { reason: AcmeReason.CAError, message: observed.caError } : undefined;
  if (transient) {
    readyFromCurrent();
    conditions.push({ type: "Issuing", status: prev.order ? "True" : "False", reason: transient.reason, message: transient.message });
    events.push({ type: "Warning", reason: transient.reason, message: transient.message });
    return done({ kind: "transient", reason: transient.reason, message: transient.message });
  }
  if (observed.newNextKeyPem) {
    writes.push({ op: "apply", resource: SECRETS, object: secret(cert, nextKeySecretName(cert.spec), "Opaque", { "tls.key": observed.newNextKeyPem }, true) });
    readyFromCurrent();
    conditions.push({ type: "Issuing", status: "True", reason: AcmeReason.KeyGenerated, message: "private key for the new certificate generated" });
    return done({ kind: "ok" }, 1);
  }

  const step = observed.step;
  if (!step) {
    const need = issuanceNeed(cert, observed, now);
    readyFromCurrent();
    const retryAt = prev.nextAttemptTime ? new Date(prev.nextAttemptTime) : undefined;
    if (need && retryAt && retryAt > now) {
      const last = prev.conditions?.find((x) => x.type === "Issuing");
      const reason = last?.reason ?? AcmeReason.IssuanceFailed;
      conditions.push({ type: "Issuing", status: "False", reason, message: last?.message ?? `retrying at ${iso(retryAt)}` });
      return done(valid ? { kind: "ok" } : { kind: "waiting", reason, message: `retrying at ${iso(retryAt)}`, afterMs: retryAt.getTime() - now.getTime() }, retryAt.getTime() - now.getTime());
    }
    conditions.push({ type: "Issuing", status: "False", reason: AcmeReason.Issued, message: "no issuance needed" });
    const wait = observed.renewalTime ? Math.max(1, observed.renewalTime.getTime() - now.getTime()) : undefined;
    return done({ kind: "ok" }, wait);
  }

  switch (step.kind) {
    case "progress": {
      setOrder(step.progress);
      readyFromCurrent();
      const message = step.waiting ? `${step.message}: ${step.waiting}` : step.message;
      conditions.push({ type: "Issuing", status: "True", reason: step.progress.stage, message });
      if (!prev.order) events.push({ type: "Normal", reason: AcmeReason.OrderPending, message: step.message });
      // Moved on: come back at once for the next step; waiting: poll with a short backoff.
      const age = now.getTime() - new Date(step.progress.startedAt).getTime();
      return done({ kind: "ok" }, step.waiting ? Math.min(Math.max(1000, Math.floor(age / 4)), 60_000) : 1);
    }
    case "issued": {
      const tls = secret(cert, cert.spec.secretName, "kubernetes.io/tls", { "tls.crt": step.chainPem, "tls.key": observed.nextKeyPem ?? "" });
      const typeChanged = observed.tlsSecret !== null && observed.tlsSecret["type"] !== "kubernetes.io/tls";
      writes.push({ op: typeChanged ? "replace" : "apply", resource: SECRETS, object: observed.tlsSecret ? { ...tls, metadata: { ...tls.metadata, resourceVersion: observed.tlsSecret.metadata.resourceVersion } } : tls, previous: observed.tlsSecret });
      writes.push({ op: "delete", resource: SECRETS, namespace: cert.metadata.namespace, name: nextKeySecretName(cert.spec) });
      setOrder(undefined);
      fields["failedIssuanceAttempts"] = prev.failedIssuanceAttempts ? 0 : prev.failedIssuanceAttempts;
      fields["nextAttemptTime"] = prev.nextAttemptTime ? null : undefined;
      // notAfter/renewalTime of the new certificate are recorded by the next pass, which reads it back.
      ready("True", AcmeReason.Issued, step.message);
      conditions.push({ type: "Issuing", status: "False", reason: AcmeReason.Issued, message: step.message });
      events.push({ type: "Normal", reason: AcmeReason.Issued, message: `${step.message}; stored in Secret ${cert.spec.secretName}` });
      return done({ kind: "ok" }, 1);
    }
    case "failed": {
      setOrder(undefined);
      const attempts = (prev.failedIssuanceAttempts ?? 0) + 1;
      const retryAt = step.retryAt ?? new Date(now.getTime() + failureBackoffMs(attempts));
      fields["failedIssuanceAttempts"] = attempts;
      fields["lastFailureTime"] = iso(now);
      fields["nextAttemptTime"] = iso(retryAt);
      const reason = step.reason === "RateLimited" ? AcmeReason.RateLimited : AcmeReason.IssuanceFailed;
      const message = `${step.message}; retrying at ${iso(retryAt)}`;
      readyFromCurrent();
      conditions.push({ type: "Issuing", status: "False", reason, message });
      events.push({ type: "Warning", reason, message });
      const afterMs = retryAt.getTime() - now.getTime();
      return done(valid ? { kind: "ok" } : { kind: "waiting", reason, message, afterMs }, afterMs);
    }
  }
}

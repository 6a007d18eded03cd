/**
 * Raw API objects reduced to what the checks judge (observed.ts types). Each is parsed with a
 * lenient zod schema: doctor reports on objects it did not write, so an odd field degrades one
 * summary, never the run. Only names, counts, conditions and public certificates are kept.
 */
import { z } from "zod";
import { secretInputs } from "../certs/kube-inputs.js";
import type { CertificateInput } from "../certs/certificate-report.js";
import type { KubeObject } from "../kube/types.js";
import type { ObservedCertificateCheck, ObservedCondition, ObservedExternalSecret, ObservedCrd, ObservedDeployment, ObservedLease, ObservedPod, ObservedService, ObservedStatusObject, ObservedStore, ObservedUnsealer } from "./observed.js";

const meta = z.looseObject({ name: z.string().default(""), namespace: z.string().optional(), generation: z.number().optional(), labels: z.record(z.string(), z.string()).optional() });
const condition = z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional(), observedGeneration: z.number().optional() });
const statusBase = z.looseObject({ conditions: z.array(condition).catch([]).optional(), observedGeneration: z.number().optional() });

function conditions(list: readonly z.infer<typeof condition>[] | undefined): ObservedCondition[] {
  return (list ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message.slice(0, 500) } : {}),
    ...(c.observedGeneration !== undefined ? { observedGeneration: c.observedGeneration } : {}),
  }));
}

const statusObjectSchema = z.looseObject({ kind: z.string().optional(), metadata: meta, status: statusBase.optional() });

/** Any object whose status carries conditions. */
export function statusObject(obj: KubeObject, kind: string): ObservedStatusObject {
  const o = statusObjectSchema.parse(obj);
  return {
    kind: o.kind ?? kind,
    name: o.metadata.name,
    ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
    ...(o.metadata.generation !== undefined ? { generation: o.metadata.generation } : {}),
    ...(o.status?.observedGeneration !== undefined ? { observedGeneration: o.status.observedGeneration } : {}),
    conditions: conditions(o.status?.conditions),
  };
}

const storeSchema = z.looseObject({ spec: z.looseObject({ provider: z.looseObject({ vault: z.looseObject({ server: z.string().optional() }).optional() }).optional() }).optional() });

/** A SecretStore or ClusterSecretStore. */
export function storeSummary(obj: KubeObject, kind: string): ObservedStore {
  const server = storeSchema.safeParse(obj).data?.spec?.provider?.vault?.server;
  return { ...statusObject(obj, kind), ...(server !== undefined ? { server } : {}) };
}

const esStoreRef = z.looseObject({ spec: z.looseObject({ secretStoreRef: z.looseObject({ name: z.string().default(""), kind: z.string().optional() }).optional() }).optional() });

/** An ExternalSecret and the store it reads through (`kind` defaults to SecretStore, as in ESO). */
export function externalSecretSummary(obj: KubeObject): ObservedExternalSecret {
  const ref = esStoreRef.safeParse(obj).data?.spec?.secretStoreRef;
  return { ...statusObject(obj, "ExternalSecret"), storeKind: ref?.kind === "ClusterSecretStore" ? "ClusterSecretStore" : "SecretStore", storeName: ref?.name ?? "" };
}

const unsealerNodes = z.looseObject({
  status: z.looseObject({
    nodes: z.array(z.looseObject({ name: z.string(), address: z.string().optional(), reachable: z.boolean().default(false), initialized: z.boolean().optional(), sealed: z.boolean().optional(), sealedSince: z.string().optional(), message: z.string().optional() })).optional(),
  }).optional(),
});

/** A VaultUnsealer with its per-node status. */
export function unsealerSummary(obj: KubeObject): ObservedUnsealer {
  const nodes = unsealerNodes.safeParse(obj).data?.status?.nodes ?? [];
  return {
    ...statusObject(obj, "VaultUnsealer"),
    nodes: nodes.map((n) => ({
      name: n.name,
      reachable: n.reachable,
      ...(n.address !== undefined ? { address: n.address } : {}),
      ...(n.initialized !== undefined ? { initialized: n.initialized } : {}),
      ...(n.sealed !== undefined ? { sealed: n.sealed } : {}),
      ...(n.sealedSince !== undefined ? { sealedSince: n.sealedSince } : {}),
      ...(n.message !== undefined ? { message: n.message.slice(0, 300) } : {}),
    })),
  };
}

const checkCerts = z.looseObject({ status: z.looseObject({ certificates: z.array(z.looseObject({ source: z.string(), state: z.string(), message: z.string().default("") })).optional() }).optional() });

/** A CertificateCheck with the certificates its status lists. */
export function certificateCheckSummary(obj: KubeObject): ObservedCertificateCheck {
  const certs = checkCerts.safeParse(obj).data?.status?.certificates ?? [];
  return { ...statusObject(obj, "CertificateCheck"), certificates: certs.map((c) => ({ source: c.source, state: c.state, message: c.message.slice(0, 300) })) };
}

const crdSchema = z.looseObject({
  metadata: meta,
  spec: z.looseObject({ versions: z.array(z.looseObject({ name: z.string(), served: z.boolean().default(false), storage: z.boolean().default(false) })).default([]) }),
  status: z.looseObject({ conditions: z.array(condition).nullish() }).optional(),
});

/** A CustomResourceDefinition, or null when it does not parse. */
export function crdSummary(obj: KubeObject): ObservedCrd | null {
  const c = crdSchema.safeParse(obj).data;
  if (c === undefined) return null;
  const established = (c.status?.conditions ?? []).some((x) => x.type === "Established" && x.status === "True");
  return { name: c.metadata.name, established, versions: c.spec.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage })) };
}

const container = z.looseObject({ command: z.array(z.string()).optional(), args: z.array(z.string()).optional() });
const deploymentSchema = z.looseObject({
  metadata: meta,
  spec: z.looseObject({ replicas: z.number().optional(), template: z.looseObject({ spec: z.looseObject({ containers: z.array(container).default([]) }).optional() }).optional() }).optional(),
  status: z.looseObject({ readyReplicas: z.number().optional() }).optional(),
});

/** A Deployment's replicas and its first container's command line. */
export function deploymentSummary(obj: KubeObject): ObservedDeployment {
  const d = deploymentSchema.parse(obj);
  const c = d.spec?.template?.spec?.containers[0];
  return { name: d.metadata.name, replicas: d.spec?.replicas ?? 1, readyReplicas: d.status?.readyReplicas ?? 0, args: [...(c?.command ?? []), ...(c?.args ?? [])] };
}

const podSchema = z.looseObject({
  metadata: meta,
  status: z.looseObject({
    phase: z.string().default("Unknown"),
    conditions: z.array(condition).nullish(),
    containerStatuses: z.array(z.looseObject({ restartCount: z.number().default(0), state: z.looseObject({ waiting: z.looseObject({ reason: z.string().optional() }).optional() }).optional() })).optional(),
  }).optional(),
});

/** A Pod's phase, readiness, restarts and waiting reason. */
export function podSummary(obj: KubeObject): ObservedPod {
  const p = podSchema.parse(obj);
  const statuses = p.status?.containerStatuses ?? [];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined);
  return {
    name: p.metadata.name,
    phase: p.status?.phase ?? "Unknown",
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    restarts: statuses.reduce((n, s) => n + s.restartCount, 0),
    ...(waiting !== undefined ? { waitingReason: waiting } : {}),
  };
}

const leaseSchema = z.looseObject({ spec: z.looseObject({ holderIdentity: z.string().nullable().optional(), renewTime: z.string().nullable().optional(), leaseDurationSeconds: z.number().optional() }).optional() });

/** A Lease's holder and renewal. */
export function leaseSummary(obj: KubeObject): ObservedLease {
  const s = leaseSchema.parse(obj).spec;
  return { holder: s?.holderIdentity ?? "", ...(s?.renewTime ? { renewTime: s.renewTime } : {}), ...(s?.leaseDurationSeconds !== undefined ? { durationSeconds: s.leaseDurationSeconds } : {}) };
}

const serviceSchema = z.looseObject({ spec: z.looseObject({ ports: z.array(z.looseObject({ name: z.string().optional() })).default([]) }).optional() });

/** A Service's port names ("" for an unnamed port). */
export function serviceSummary(obj: KubeObject): ObservedService {
  return { portNames: (serviceSchema.parse(obj).spec?.ports ?? []).map((p) => p.name ?? "") };
}

/** The label the controller puts on its sealing key Secrets: they are keys, not serving certificates. */
const SEALING_KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";

/** The `tls.crt` of a kubernetes.io/tls Secret to judge, or null for a sealing key Secret. Only the certificate is kept. */
export function tlsSecretInput(obj: KubeObject): CertificateInput | null {
  if (obj.metadata.labels?.[SEALING_KEY_LABEL] !== undefined) return null;
  return secretInputs(obj, ["tls.crt"])[0] ?? null;
}

/**
 * The target Secret of an ExternalSecret: what it should hold (template applied), and the one
 * write, if any, that brings the existing Secret there under the creation policy. Pure.
 */
import { createHash } from "node:crypto";
import type { ExternalSecret } from "../../api/external-secret.js";
import { renderTemplate } from "../../eso/template.js";
import { SECRETS } from "../../kube/resources.js";
import { contentHash } from "../../kube/secret-content.js";
import type { KubeObject, OwnerReference } from "../../kube/types.js";
import type { ChildWrite } from "../runtime/kind.js";
import { ownershipConflict } from "../secret-ownership.js";

/** Kinds whose controller rewrites the Secret it owns (sealbridge's sealing kinds). */
const SEALING_KINDS: ReadonlySet<string> = new Set(["SealedSecret", "AgeSecret"]);

export const LABEL_MANAGED = "reconcile.external-secrets.io/managed";
export const LABEL_CREATED_BY = "reconcile.external-secrets.io/created-by";
export const ANNOTATION_DATA_HASH = "reconcile.external-secrets.io/data-hash";

/** A Secret as sealbridge reads and writes it (`data` values are base64). */
export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

/** What the target Secret should contain. */
export interface DesiredContent {
  type: string;
  /** key → base64 */
  data: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  immutable: boolean;
  /** contentHash(type, data), computed once per pass (the data-hash annotation and the plan share it). */
  hash: string;
}


function renderAll(map: Record<string, string> | undefined, values: ReadonlyMap<string, string>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    out[renderTemplate(k, values, `${where} key`)] = renderTemplate(v, values, `${where}.${k}`);
  }
  return out;
}

/**
 * Applies `target.template` to the provider data. With template data, only the templated keys
 * are kept (ESO's default mergePolicy Replace); without, the provider data is used as is.
 * @throws TemplateError for templates sealbridge cannot render (names the template, not values).
 */
export function desiredContent(es: ExternalSecret, provider: ReadonlyMap<string, Buffer>): DesiredContent {
  const template = es.spec.target.template;
  const values = new Map<string, string>();
  for (const [k, v] of provider) values.set(k, v.toString("utf8"));
  let data: Record<string, string> = {};
  if (template?.data && Object.keys(template.data).length > 0) {
    for (const [k, v] of Object.entries(renderAll(template.data, values, "target.template.data"))) {
      data[k] = Buffer.from(v, "utf8").toString("base64");
    }
  } else {
    data = Object.fromEntries([...provider].map(([k, v]) => [k, v.toString("base64")]));
  }
  const type = template?.type ?? "Opaque";
  const labels = renderAll(template?.metadata?.labels, values, "target.template.metadata.labels");
  const annotations = renderAll(template?.metadata?.annotations, values, "target.template.metadata.annotations");
  return { type, data, labels, annotations, immutable: es.spec.target.immutable ?? false, hash: contentHash(type, data) };
}

/** The write that reconciles the target Secret (null: none), or why the policy forbids one. */
export type TargetDecision = { write: ChildWrite | null } | { blocked: { reason: "SecretMissing" | "SecretSyncedError"; message: string } };

const NONE: TargetDecision = { write: null };

/** The owner reference an Owner-policy Secret carries. */
export function ownerRefFor(es: ExternalSecret): OwnerReference {
  return { apiVersion: es.apiVersion, kind: "ExternalSecret", name: es.metadata.name, uid: es.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

function createdByValue(name: string): string {
  // Label values are at most 63 characters; long names are represented by a hash as ESO does.
  return name.length <= 63 ? name : createHash("sha256").update(name).digest("hex").slice(0, 63);
}

function subsetEqual(want: Record<string, string>, have: Record<string, string> | undefined): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

function mapEqual(a: Record<string, string>, b: Record<string, string> | undefined): boolean {
  const bb = b ?? {};
  return Object.keys(a).length === Object.keys(bb).length && subsetEqual(a, bb);
}

/**
 * Decides the write for the target Secret named `targetName` given its current state (`existing`,
 * null when absent) and the creation policy. Writes only what differs, so an unchanged resync
 * gives `none`. With `desired` null (every source gone under deletionPolicy Delete/Merge), applies
 * the deletion policy.
 */
export function planTargetWrite(es: ExternalSecret, targetName: string, desired: DesiredContent | null, existing: SecretObject | null): TargetDecision {
  const ns = es.metadata.namespace;
  const patchOf = (patch: Record<string, unknown>, previous: SecretObject): TargetDecision => ({
    write: { op: "patch", resource: SECRETS, namespace: ns, name: targetName, patch, patchType: "merge", previous },
  });
  const policy = es.spec.target.creationPolicy;
  if (policy === "None") return NONE;
  const owned = policy === "Owner" || policy === "Orphan";
  if (desired === null) {
    if (!existing) return NONE;
    if (es.spec.target.deletionPolicy === "Delete" && owned && existing.metadata.labels?.[LABEL_MANAGED] === "true") {
      return { write: { op: "delete", resource: SECRETS, namespace: ns, name: targetName } };
    }
    if (es.spec.target.deletionPolicy === "Merge" || (es.spec.target.deletionPolicy === "Delete" && policy === "Merge")) {
      const ours = managedKeys(existing);
      const removal: Record<string, null> = {};
      for (const k of ours) if (existing.data?.[k] !== undefined) removal[k] = null;
      return Object.keys(removal).length === 0 ? NONE : patchOf({ data: removal, metadata: { annotations: { [ANNOTATION_MANAGED_KEYS]: null } } }, existing);
    }
    return NONE;
  }
  const hash = desired.hash;
  const labels: Record<string, string> = { ...desired.labels };
  const annotations: Record<string, string> = { ...desired.annotations };
  if (owned) {
    labels[LABEL_MANAGED] = "true";
    if (policy === "Owner") labels[LABEL_CREATED_BY] = createdByValue(es.metadata.name);
    annotations[ANNOTATION_DATA_HASH] = hash;
  } else {
    annotations[ANNOTATION_MANAGED_KEYS] = Object.keys(desired.data).sort().join(",");
  }

  if (!existing) {
    if (policy === "Merge") {
      return { blocked: { reason: "SecretMissing", message: `target Secret ${es.metadata.namespace}/${targetName} does not exist (creationPolicy Merge only updates an existing Secret; create it or use Owner)` } };
    }
    return { write: { op: "apply", resource: SECRETS, object: buildSecret(es, targetName, desired, labels, annotations), previous: null } };
  }

  const controller = existing.metadata.ownerReferences?.find((r) => r.controller);
  if (policy === "Owner" && controller && controller.uid !== es.metadata.uid) {
    return { blocked: { reason: "SecretSyncedError", message: `target Secret ${es.metadata.namespace}/${targetName} is owned by ${controller.kind} ${controller.name} (use another target.name or creationPolicy Merge)` } };
  }
  // Orphan and Merge write into Secrets others own, but not into one a sealing kind owns: that
  // kind would put its content back, and the two would overwrite each other in a loop.
  if (policy !== "Owner" && controller && SEALING_KINDS.has(controller.kind)) {
    const conflict = ownershipConflict(existing, { kind: "ExternalSecret", name: es.metadata.name, uid: es.metadata.uid });
    if (conflict) return { blocked: { reason: "SecretSyncedError", message: `${conflict} (use another target.name)` } };
  }

  const dataSame = owned ? mapEqual(desired.data, existing.data) : subsetEqual(desired.data, existing.data);
  const typeSame = !owned || (existing.type ?? "Opaque") === desired.type;
  const metaSame = subsetEqual(labels, existing.metadata.labels) && subsetEqual(annotations, existing.metadata.annotations);
  const ownerSame = policy !== "Owner" || controller?.uid === es.metadata.uid;
  const immutableSame = !owned || (existing.immutable ?? false) === desired.immutable;
  if (dataSame && typeSame && metaSame && ownerSame && immutableSame) return NONE;

  // An immutable Secret, or a Secret's type, cannot change in place: delete and create.
  if ((existing.immutable && !(dataSame && typeSame && immutableSame)) || !typeSame) {
    const object = buildSecret(es, targetName, desired, { ...existing.metadata.labels, ...labels }, { ...existing.metadata.annotations, ...annotations });
    return { write: { op: "replace", resource: SECRETS, object, previous: existing } };
  }
  const data: Record<string, string | null> = { ...desired.data };
  if (owned) for (const k of Object.keys(existing.data ?? {})) if (!(k in desired.data)) data[k] = null;
  const patch: Record<string, unknown> = { metadata: { labels, annotations }, data };
  if (policy === "Owner" && !ownerSame) {
    const others = (existing.metadata.ownerReferences ?? []).filter((r) => !r.controller);
    (patch.metadata as Record<string, unknown>).ownerReferences = [...others, ownerRefFor(es)];
  }
  if (owned && desired.immutable) patch.immutable = true;
  return patchOf(patch, existing);
}

/** Annotation listing the keys a Merge-policy ExternalSecret wrote, so a later Merge deletion removes only those. */
export const ANNOTATION_MANAGED_KEYS = "sealbridge.io/external-secret-keys";

function managedKeys(existing: SecretObject): string[] {
  if (existing.metadata.labels?.[LABEL_MANAGED] === "true") return Object.keys(existing.data ?? {});
  return (existing.metadata.annotations?.[ANNOTATION_MANAGED_KEYS] ?? "").split(",").filter((k) => k !== "");
}

function buildSecret(es: ExternalSecret, name: string, desired: DesiredContent, labels: Record<string, string>, annotations: Record<string, string>): SecretObject {
  const secret: SecretObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: es.metadata.namespace, labels, annotations },
    type: desired.type,
    data: desired.data,
  };
  if (es.spec.target.creationPolicy === "Owner") secret.metadata.ownerReferences = [ownerRefFor(es)];
  if (desired.immutable) secret.immutable = true;
  return secret;
}

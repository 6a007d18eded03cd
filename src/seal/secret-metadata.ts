/**
 * What sealing keeps of a Secret, for SealedSecrets and AgeSecrets alike, as kubeseal does: its
 * values (`data`, then `stringData`, which wins on a clash) and its metadata minus what would
 * leak the plaintext (the last-applied annotations) or bind it to one cluster (ownerReferences,
 * uid, resourceVersion and the other server-set fields).
 */
import type { Secret } from "../api/secret.js";
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, scopeAnnotations, type Scope } from "../crypto/scope.js";

/** Annotations that hold a copy of the applied object, plaintext included (sealed-secrets #227). */
const LEAKING_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "kubecfg.ksonnet.io/last-applied-configuration"];
/** Metadata the API server sets; meaningless (and noisy) in a manifest for git. */
const SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields", "ownerReferences"];

/** The bytes of every value of a Secret: `data` (base64) then `stringData`, which wins on a clash. */
export function secretValues(secret: Secret): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(secret.data ?? {})) values.set(key, Buffer.from(value, "base64"));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) values.set(key, Buffer.from(value, "utf8"));
  return values;
}

/** A new object with the keys sorted, as Go's encoding/json writes maps. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

/** Metadata without server-set fields and without the annotations that hold the plaintext. */
export function cleanMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...meta };
  for (const field of SERVER_FIELDS) delete out[field];
  const annotations = out["annotations"] as Record<string, string> | undefined;
  if (annotations && LEAKING_ANNOTATIONS.some((key) => key in annotations)) {
    const rest = { ...annotations };
    for (const key of LEAKING_ANNOTATIONS) delete rest[key];
    if (Object.keys(rest).length > 0) out["annotations"] = rest;
    else delete out["annotations"];
  }
  return out;
}

/**
 * `spec.template.metadata` of a sealed object: the cleaned metadata with the scope annotations
 * replaced by those of the scope actually used (as kubeseal records it) and annotations sorted.
 */
export function templateMetadata(meta: Record<string, unknown>, scope: Scope): Record<string, unknown> {
  const out = cleanMetadata(meta);
  const annotations: Record<string, string> = { ...(out["annotations"] as Record<string, string> | undefined) };
  delete annotations[CLUSTER_WIDE_ANNOTATION];
  delete annotations[NAMESPACE_WIDE_ANNOTATION];
  Object.assign(annotations, scopeAnnotations(scope));
  if (Object.keys(annotations).length > 0) out["annotations"] = sortedRecord(annotations);
  else delete out["annotations"];
  return out;
}

/**
 * ObjectMeta rules of kube-apiserver's generic registry, as pure functions
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/):
 * timestamps, generated names, which fields clients cannot change, and what counts as a spec
 * change for `generation`.
 */
import type { KubeObject, ObjectMeta } from "../../../src/kube/types.js";
import { canonicalJson } from "./canonical-json.js";

/** ObjectMeta plus the deletion field sealbridge's own type leaves out. */
export type Meta = ObjectMeta & { deletionGracePeriodSeconds?: number };

/** Formats a time the way metav1.Time marshals (RFC 3339, seconds). */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The alphabet of generateName suffixes (k8s.io/apimachinery/pkg/util/rand: no vowels, no confusables). */
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** `prefix` plus five random characters, as the names generator does. */
export function generatedName(prefix: string, random: () => number): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)] ?? "x";
  return `${prefix}${s}`;
}

function specOf(obj: KubeObject, hasStatus: boolean): string {
  const rest: Record<string, unknown> = { ...obj };
  delete rest["metadata"];
  delete rest["apiVersion"];
  delete rest["kind"];
  if (hasStatus) delete rest["status"];
  return canonicalJson(rest);
}

/** True when anything but metadata (and status, for types with a status subresource) changed. */
export function specChanged(next: KubeObject, old: KubeObject, hasStatus: boolean): boolean {
  return specOf(next, hasStatus) !== specOf(old, hasStatus);
}

/**
 * The metadata of an update with the fields clients cannot change taken from the stored object:
 * name, namespace, uid, creationTimestamp, deletionTimestamp/-GracePeriodSeconds, resourceVersion.
 */
export function keepSystemFields(meta: Meta, old: Meta, namespace: string | undefined, name: string): Meta {
  const out: Meta = { ...meta, name, uid: old.uid, creationTimestamp: old.creationTimestamp, resourceVersion: old.resourceVersion };
  if (namespace) out.namespace = namespace;
  else delete out.namespace;
  if (old.deletionTimestamp) out.deletionTimestamp = old.deletionTimestamp;
  else delete out.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) out.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  else delete out.deletionGracePeriodSeconds;
  return out;
}

/**
 * Who owns a Secret, as sealed-secrets decides it: the controller owner reference (kind and
 * UID), never the presence of an annotation some writer left. A Secret controlled by another
 * object belongs to that object; a second claimant reports the conflict and writes nothing, so
 * two kinds aimed at one Secret (an AgeSecret and a SealedSecret of the same namespace/name, an
 * ExternalSecret with creationPolicy Orphan or Merge) cannot overwrite each other in a loop.
 */
import type { KubeObject, OwnerReference } from "../kube/types.js";

/** The object that claims a Secret: its kind and UID (and name, for messages). */
export interface Claimant {
  kind: string;
  name: string;
  uid: string | undefined;
}

/** The controller owner reference of `obj` (the one with `controller: true`), if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** True when `secret`'s controller owner reference is `claimant` (same kind and UID). */
export function isControlledBy(secret: KubeObject, claimant: Claimant): boolean {
  const owner = controllerOf(secret);
  return owner !== undefined && claimant.uid !== undefined && owner.uid === claimant.uid && owner.kind === claimant.kind;
}

/**
 * Why `claimant` must not write `secret`: it is controlled by another object. `undefined` when the
 * Secret has no controller or is controlled by the claimant (the claimant's own rules then apply:
 * sealed-secrets' `managed`/`patch` annotations, ESO's creation policies).
 * The message names both objects, e.g. "Secret a/strict1 is managed by SealedSecret a/strict1".
 */
export function ownershipConflict(secret: KubeObject, claimant: Claimant): string | undefined {
  const owner = controllerOf(secret);
  if (!owner || isControlledBy(secret, claimant)) return undefined;
  const ns = secret.metadata.namespace ? `${secret.metadata.namespace}/` : "";
  const same = owner.kind === claimant.kind && owner.name === claimant.name ? " (an earlier object of that name: delete the Secret to let this one create it)" : "";
  return `Secret ${ns}${secret.metadata.name ?? ""} is managed by ${owner.kind} ${ns}${owner.name}${same}`;
}

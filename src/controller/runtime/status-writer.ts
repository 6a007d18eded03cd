/**
 * Writes status through the status subresource, only when it changed, always with
 * `observedGeneration`. Reconcilers and the runtime share it so "write once, only if changed"
 * holds everywhere.
 */
import type { KubeClient, KubeObject, ResourceRef } from "../../kube/types.js";
import { conditionsEqual, setCondition } from "./conditions.js";
import type { Condition, ConditionInput } from "./conditions.js";

/** JSON with object keys sorted, for order-insensitive comparison of plain data. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * The status fields of `desired` that differ from `current.status` (with observedGeneration set
 * to the object's generation); `null` when nothing differs. Pure.
 */
export function statusChanges(current: KubeObject, desired: Record<string, unknown>): Record<string, unknown> | null {
  const existing = (current.status ?? {}) as Record<string, unknown>;
  const wanted: Record<string, unknown> = { ...desired };
  if (current.metadata.generation !== undefined) wanted.observedGeneration = current.metadata.generation;
  const changed = Object.entries(wanted).some(([key, value]) => {
    if (key === "conditions") return !conditionsEqual(existing.conditions as Condition[] | undefined, value as Condition[] | undefined);
    return canonicalJson(existing[key]) !== canonicalJson(value);
  });
  return changed ? wanted : null;
}

/**
 * Merge-patches `desired` into the object's status when it differs from what is there.
 * @returns true when a write happened.
 * @throws KubeApiError when the patch fails (404 when the object is gone: callers may ignore).
 */
export async function writeStatus(kube: KubeClient, res: ResourceRef, current: KubeObject, desired: Record<string, unknown>): Promise<boolean> {
  const changes = statusChanges(current, desired);
  if (changes === null) return false;
  await kube.patchStatus(res, current.metadata.namespace, current.metadata.name ?? "", changes);
  return true;
}

/**
 * Sets one condition on the object's status (keeping the others and lastTransitionTime when
 * the status is unchanged) and writes it only if something changed.
 * @returns true when a write happened.
 * @throws KubeApiError as writeStatus.
 */
export async function writeCondition(kube: KubeClient, res: ResourceRef, current: KubeObject, condition: ConditionInput, now: Date): Promise<boolean> {
  const existing = ((current.status ?? {}) as { conditions?: Condition[] }).conditions;
  const withGeneration: ConditionInput =
    current.metadata.generation !== undefined ? { ...condition, observedGeneration: current.metadata.generation } : condition;
  return writeStatus(kube, res, current, { conditions: setCondition(existing, withGeneration, now) });
}

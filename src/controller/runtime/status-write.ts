/**
 * Writing a plain Reconciler's Ready=False after a failed pass (`writeReadyOnError`), through the
 * one status summarizer: only when it changed, with observedGeneration.
 */
import type { KubeClient, KubeObject, ResourceRef } from "../../kube/types.js";
import type { ConditionInput } from "./conditions.js";
import { statusDiffers, statusStyle, summarizeStatus } from "./status-summary.js";

/**
 * Sets `condition` on the object's status (keeping the others, and lastTransitionTime when the
 * status is unchanged) and writes it only if something changed.
 * @returns true when a write happened.
 * @throws KubeApiError when the patch fails (404 when the object is gone: callers may ignore).
 */
export async function writeReadyCondition(kube: KubeClient, res: ResourceRef, current: KubeObject, condition: ConditionInput, now: Date): Promise<boolean> {
  const desired = summarizeStatus(current, { conditions: [condition], outcome: { kind: "ok" } }, statusStyle("conditions"), now);
  if (!statusDiffers(current, desired)) return false;
  await kube.patchStatus(res, current.metadata.namespace, current.metadata.name ?? "", desired);
  return true;
}

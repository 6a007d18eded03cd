/**
 * ExternalSecret status as ESO writes it: the Ready condition (reasons SecretSynced /
 * SecretSyncedError / SecretDeleted / SecretMissing), refreshTime, syncedResourceVersion and
 * binding. Pure; `statusPatch` returns null when nothing changed so status is written only then.
 */
import { createHash } from "node:crypto";
import type { Condition, ExternalSecret, ExternalSecretStatus } from "../api/external-secret.js";

/**
 * ESO's syncedResourceVersion: `<generation>-<hash of labels and annotations>`. Any annotation
 * change (such as `force-sync=$(date +%s)`) changes it, which triggers an immediate refresh.
 */
export function syncedResourceVersionOf(es: ExternalSecret): string {
  const meta = JSON.stringify([sorted(es.metadata.labels), sorted(es.metadata.annotations)]);
  return `${es.metadata.generation ?? 0}-${createHash("sha256").update(meta).digest("hex").slice(0, 32)}`;
}

function sorted(map: Record<string, string> | undefined): [string, string][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What a reconcile pass concluded, for the status. */
export interface SyncResult {
  ready: boolean;
  reason: string;
  message: string;
  /** True when the source was read and the target reconciled (whether or not a write was needed). */
  synced: boolean;
  /** True when the target Secret was written in this pass. */
  wrote: boolean;
}

/**
 * The status patch for `result`, or null when the status would not change. refreshTime moves
 * when a sync wrote the Secret or changed the status (so a steady resync writes nothing);
 * syncedResourceVersion only on a successful sync; lastTransitionTime only when the condition's
 * status flips.
 */
export function statusPatch(es: ExternalSecret, targetName: string, result: SyncResult, now: Date): ExternalSecretStatus | null {
  const old = es.status ?? {};
  const oldReady = old.conditions?.find((c) => c.type === "Ready");
  const status = result.ready ? "True" : "False";
  const condition: Condition = {
    type: "Ready",
    status,
    reason: result.reason,
    message: result.message,
    lastTransitionTime: oldReady && oldReady.status === status && oldReady.lastTransitionTime ? oldReady.lastTransitionTime : now.toISOString(),
  };
  const next: ExternalSecretStatus = {
    refreshTime: old.refreshTime ?? null,
    syncedResourceVersion: result.synced ? syncedResourceVersionOf(es) : old.syncedResourceVersion ?? "",
    binding: { name: targetName },
    conditions: [...(old.conditions ?? []).filter((c) => c.type !== "Ready"), condition],
  };
  const conditionSame =
    oldReady !== undefined && oldReady.status === condition.status && oldReady.reason === condition.reason && oldReady.message === condition.message;
  const same = conditionSame && !result.wrote && old.syncedResourceVersion === next.syncedResourceVersion && old.binding?.name === targetName;
  if (same) return null;
  if (result.synced) next.refreshTime = now.toISOString();
  return next;
}

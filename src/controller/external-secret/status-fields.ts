/**
 * What an ExternalSecret pass says for its status, as ESO writes it: the Ready condition
 * (reasons SecretSynced / SecretSyncedError / SecretDeleted / SecretMissing) and the fields
 * beside it — refreshTime, syncedResourceVersion and binding. Pure; the runtime's summarizer
 * builds the status from these.
 */
import { createHash } from "node:crypto";
import type { ExternalSecret } from "../../api/external-secret.js";
import type { ConditionInput } from "../runtime/conditions.js";
import { formatTime } from "../runtime/conditions.js";

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

/** The Ready condition and the status fields for `result`. */
export interface EsStatus {
  ready: ConditionInput;
  fields: Record<string, unknown>;
}

/**
 * The status for `result`: refreshTime moves when a sync wrote the Secret or changed the status
 * (so a steady resync writes nothing); syncedResourceVersion only on a successful sync.
 * `srv`: syncedResourceVersionOf(es) when already known.
 */
export function esStatus(es: ExternalSecret, targetName: string, result: SyncResult, now: Date, srv?: string): EsStatus {
  const old = es.status ?? {};
  const oldReady = old.conditions?.find((c) => c.type === "Ready");
  const ready: ConditionInput = { type: "Ready", status: result.ready ? "True" : "False", reason: result.reason, message: result.message };
  const syncedResourceVersion = result.synced ? (srv ?? syncedResourceVersionOf(es)) : (old.syncedResourceVersion ?? "");
  const conditionSame = oldReady !== undefined && oldReady.status === ready.status && oldReady.reason === ready.reason && oldReady.message === ready.message;
  const same = conditionSame && !result.wrote && old.syncedResourceVersion === syncedResourceVersion && old.binding?.name === targetName;
  const refreshTime = result.synced && !same ? formatTime(now) : (old.refreshTime ?? undefined);
  return { ready, fields: { refreshTime, syncedResourceVersion, binding: { name: targetName } } };
}

/**
 * The pure decision of one ExternalSecret reconcile: from the ExternalSecret, its store, the
 * Vault read results and the existing target Secret, to the Secret write and the Ready condition.
 */
import type { ExternalSecret } from "../api/external-secret.js";
import { EsReason } from "../api/external-secret.js";
import { buildSourceData, type ReadResult, type StoreKv } from "./source-data.js";
import { contentHash, desiredContent, planSecretAction, type SecretAction, type SecretObject } from "./target-secret.js";
import type { SyncResult } from "./es-status.js";

/** The outcome of planning. `hash` is the desired content hash (for reloads) when there is one. */
export interface EsPlan {
  action: SecretAction;
  result: SyncResult;
  hash?: string;
}

/** The Secret name an ExternalSecret writes: `target.name`, defaulting to its own name. */
export function targetNameOf(es: ExternalSecret): string {
  return es.spec.target.name ?? es.metadata.name;
}

function errorMessage(err: unknown): string {
  // Our errors never hold values; a foreign error is reduced to its class to stay secret-free.
  if (err instanceof Error && "code" in err) return err.message;
  return err instanceof Error ? `${err.name} (see controller logs)` : "unknown error";
}

/**
 * Plans a reconcile whose reads all completed (successfully or not).
 * Failed reads give Ready=False / SecretSyncedError and no write: the last good Secret stays.
 */
export function planExternalSecret(
  es: ExternalSecret,
  storeName: string,
  kv: StoreKv,
  results: ReadonlyMap<string, ReadResult>,
  existing: SecretObject | null,
): EsPlan {
  const target = targetNameOf(es);
  const fail = (reason: string, message: string): EsPlan => ({
    action: { kind: "none" },
    result: { ready: false, reason, message, synced: false, wrote: false },
  });
  let provider: Map<string, Buffer>;
  try {
    provider = buildSourceData(es.spec, kv, results, storeName);
  } catch (err) {
    return fail(EsReason.SecretSyncedError, errorMessage(err));
  }
  const sourcesGone = provider.size === 0 && es.spec.target.deletionPolicy !== "Retain" && (es.spec.data.length > 0 || es.spec.dataFrom.length > 0);
  if (sourcesGone) {
    const action = planSecretAction(es, target, null, existing);
    return {
      action,
      result: {
        ready: false,
        reason: EsReason.SecretDeleted,
        message: `secret deleted because the source is gone (deletionPolicy ${es.spec.target.deletionPolicy})`,
        synced: true,
        wrote: action.kind !== "none",
      },
    };
  }
  let desired;
  try {
    desired = desiredContent(es, provider);
  } catch (err) {
    return fail(EsReason.SecretSyncedError, errorMessage(err));
  }
  const action = planSecretAction(es, target, desired, existing);
  if (action.kind === "blocked") return fail(action.reason, action.message);
  return {
    action,
    hash: contentHash(desired.type, desired.data),
    result: {
      ready: true,
      reason: EsReason.SecretSynced,
      message: es.spec.target.creationPolicy === "None" ? "secret fetched (creationPolicy None: no Secret written)" : "secret synced",
      synced: true,
      wrote: action.kind !== "none",
    },
  };
}

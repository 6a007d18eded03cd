/**
 * The pure decisions of an ExternalSecret pass: from the ExternalSecret, the Vault read results
 * and the existing target Secret to the Secret write and the Ready condition (planSync), and
 * from what observe saw to the kit's Plan (planExternalSecret).
 */
import type { ExternalSecret } from "../../api/external-secret.js";
import { EsReason } from "../../api/external-secret.js";
import { isSealbridgeError } from "../../errors.js";
import { nextRefreshDelayMs } from "../../eso/refresh-schedule.js";
import { buildSourceData, type ReadResult, type StoreKv } from "../../eso/source-data.js";
import type { ChildWrite, Plan } from "../runtime/kind.js";
import { esStatus, type SyncResult } from "./status-fields.js";
import { desiredContent, planTargetWrite, type SecretObject } from "./target-secret.js";

/** Requeue delay while a store is missing, refused or cannot connect, or a Merge target is missing. */
export const STORE_MISSING_RETRY_MS = 60_000;

/** A parsed ExternalSecret with its target name and refresh interval. */
export interface ParsedExternalSecret {
  es: ExternalSecret;
  target: string;
  intervalMs: number;
  /** ESO's syncedResourceVersion of `es`, computed once at parse. */
  syncedResourceVersion: string;
}

/** What an ExternalSecret pass saw. */
export type ExternalSecretObserved =
  /** The store is missing, unusable or refuses the namespace, or its connection cannot be made. */
  | { kind: "store-failed"; message: string }
  /** refreshInterval 0 and already fetched once: nothing to do. */
  | { kind: "once" }
  | {
      kind: "read";
      storeName: string;
      kv: StoreKv;
      results: ReadonlyMap<string, ReadResult>;
      existing: SecretObject | null;
      /** Milliseconds the store backs off after the reads (0: none). */
      backoffMs: number;
      /** A number in [0, 1) for the refresh jitter. */
      jitter: number;
    };

/** The outcome of planning the sync. `hash` is the desired content hash when there is one. */
export interface SyncPlan {
  write: ChildWrite | null;
  result: SyncResult;
  hash?: string;
}

/** The Secret name an ExternalSecret writes: `target.name`, defaulting to its own name. */
export function targetNameOf(es: ExternalSecret): string {
  return es.spec.target.name ?? es.metadata.name;
}

function errorMessage(err: unknown): string {
  // Our errors never hold values; a foreign error is reduced to its class to stay secret-free.
  if (isSealbridgeError(err)) return err.message;
  return err instanceof Error ? `${err.name} (see controller logs)` : "unknown error";
}

/**
 * Plans a sync whose reads all completed (successfully or not).
 * Failed reads give Ready=False / SecretSyncedError and no write: the last good Secret stays.
 */
export function planSync(es: ExternalSecret, storeName: string, kv: StoreKv, results: ReadonlyMap<string, ReadResult>, existing: SecretObject | null): SyncPlan {
  const target = targetNameOf(es);
  const fail = (reason: string, message: string): SyncPlan => ({
    write: null,
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
    const decision = planTargetWrite(es, target, null, existing);
    const write = "write" in decision ? decision.write : null;
    return {
      write,
      result: {
        ready: false,
        reason: EsReason.SecretDeleted,
        message: `secret deleted because the source is gone (deletionPolicy ${es.spec.target.deletionPolicy})`,
        synced: true,
        wrote: write !== null,
      },
    };
  }
  let desired;
  try {
    desired = desiredContent(es, provider);
  } catch (err) {
    return fail(EsReason.SecretSyncedError, errorMessage(err));
  }
  const decision = planTargetWrite(es, target, desired, existing);
  if ("blocked" in decision) return fail(decision.blocked.reason, decision.blocked.message);
  return {
    write: decision.write,
    hash: desired.hash,
    result: {
      ready: true,
      reason: EsReason.SecretSynced,
      message: es.spec.target.creationPolicy === "None" ? "secret fetched (creationPolicy None: no Secret written)" : "secret synced",
      synced: true,
      wrote: decision.write !== null,
    },
  };
}

function failed(p: ParsedExternalSecret, message: string, now: Date): Pick<Plan, "conditions" | "status"> {
  const s = esStatus(p.es, p.target, { ready: false, reason: EsReason.SecretSyncedError, message, synced: false, wrote: false }, now, p.syncedResourceVersion);
  return { conditions: [s.ready], status: s.fields };
}

/** The kit plan of one ExternalSecret pass. Pure. */
export function planExternalSecret(p: ParsedExternalSecret, observed: ExternalSecretObserved, now: Date): Plan {
  if (observed.kind === "once") return { writes: [], conditions: [], events: [], outcome: { kind: "ok" }, keepStatus: true };
  if (observed.kind === "store-failed") {
    return { writes: [], events: [], ...failed(p, observed.message, now), outcome: { kind: "waiting", reason: EsReason.SecretSyncedError, message: observed.message, afterMs: STORE_MISSING_RETRY_MS } };
  }
  const sync = planSync(p.es, observed.storeName, observed.kv, observed.results, observed.existing);
  const { result } = sync;
  const status = esStatus(p.es, p.target, result, now, p.syncedResourceVersion);
  const base = { writes: sync.write ? [sync.write] : [], conditions: [status.ready], events: [], status: status.fields };
  if (!result.ready && result.reason !== EsReason.SecretDeleted) {
    if (observed.backoffMs > 0) return { ...base, outcome: { kind: "waiting", reason: EsReason.SecretSyncedError, message: result.message, afterMs: observed.backoffMs } };
    if (result.reason === EsReason.SecretMissing) return { ...base, outcome: { kind: "waiting", reason: EsReason.SecretMissing, message: result.message, afterMs: STORE_MISSING_RETRY_MS } };
    return { ...base, outcome: { kind: "transient", reason: EsReason.SecretSyncedError, message: result.message } };
  }
  const delay = nextRefreshDelayMs(now.getTime(), p.intervalMs, () => observed.jitter);
  return { ...base, outcome: { kind: "ok" }, ...(delay === null ? {} : { requeueAfterMs: delay }) };
}

/** The plan when writing the target Secret failed: Ready=False, transient (the last good Secret stays). */
export function planExternalSecretWriteFailure(p: ParsedExternalSecret, message: string, now: Date): Plan {
  const text = `writing Secret ${p.es.metadata.namespace}/${p.target} failed: ${message}`;
  return { writes: [], events: [], ...failed(p, text, now), outcome: { kind: "transient", reason: EsReason.SecretSyncedError, message: text } };
}

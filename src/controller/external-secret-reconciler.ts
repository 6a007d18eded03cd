/**
 * The ExternalSecret reconciler's IO shell: resolve the store, read Vault through the shared
 * VaultReader (coalesced, bounded, backing off per store), plan (src/eso/plan.ts), write the
 * target Secret only when it differs, restart consumers once per content change, and write the
 * ESO-shaped status only when it changed. Failures keep the last good Secret; they are reported
 * in status and thrown as Waiting/Transient/Stalled errors so the runtime requeues, backs off and
 * records the Warning Event.
 */
import { EsReason, type ExternalSecret, externalSecretFindings, externalSecretResource, externalSecretSchema } from "../api/external-secret.js";
import { clusterSecretStoreResource, type SecretStore, secretStoreFindings, secretStoreResource, secretStoreSchema } from "../api/secret-store.js";
import { parseDuration } from "../duration.js";
import { isConflict, isNotFound } from "../kube/errors.js";
import type { KubeObject } from "../kube/types.js";
import { schemaFindings } from "../eso/lint.js";
import { type EsPlan, planExternalSecret, targetNameOf } from "../eso/plan.js";
import { type SyncResult, statusPatch, syncedResourceVersionOf } from "../eso/es-status.js";
import { nextRefreshDelayMs } from "../eso/refresh-schedule.js";
import { planReads } from "../eso/source-data.js";
import type { StoreConnection, StoreConnections } from "../eso/store-connections.js";
import { contentHash, type SecretAction, type SecretObject } from "../eso/target-secret.js";
import type { VaultReader } from "../eso/vault-reader.js";
import { SECRETS } from "../kube/resources.js";
import { reloadConsumers } from "./reload.js";
import type { ObjectKey, ReconcileContext, ReconcileOutcome, Reconciler, SecondaryWatch } from "./types.js";
import { StalledError, TransientError, WaitingError } from "./types.js";

/** Window used to coalesce reads of `refreshInterval: 0` ExternalSecrets. */
const ONCE_WINDOW_MS = 60_000;
const STORE_MISSING_RETRY_MS = 60_000;

/** Counts syncs as ESO does (`externalsecret_sync_calls_total` / `_error` by name and namespace). */
export interface SyncObserver {
  called(name: string, namespace: string): void;
  failed(name: string, namespace: string): void;
}

export interface ExternalSecretReconcilerDeps {
  reader: VaultReader;
  connections: StoreConnections;
  observer?: SyncObserver;
  /** [0, 1) for refresh jitter; injected for tests. */
  random?: () => number;
}

function splitKey(key: ObjectKey): [string, string] {
  const slash = key.indexOf("/");
  return slash === -1 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
}

function messageOf(err: unknown): string {
  return err instanceof Error && "code" in err ? err.message : err instanceof Error ? `${err.name} (see controller logs)` : String(err);
}

/** Reconciles `external-secrets.io` ExternalSecrets (Vault provider) into Secrets. */
export class ExternalSecretReconciler implements Reconciler {
  readonly name = "externalsecret";
  readonly resource = externalSecretResource;
  readonly secondaryWatches: SecondaryWatch[];
  #ctx: ReconcileContext | undefined;
  /** Per ExternalSecret, the outcome of the last status this process wrote. */
  readonly #lastStatus = new Map<ObjectKey, string>();
  readonly #random: () => number;

  constructor(private readonly deps: ExternalSecretReconcilerDeps) {
    this.#random = deps.random ?? Math.random;
    this.secondaryWatches = [
      {
        resource: SECRETS,
        // A changed or deleted target Secret brings its ExternalSecret back (Owner policy).
        mapToPrimary: (secret) => {
          const owner = secret.metadata.ownerReferences?.find((r) => r.controller && r.kind === "ExternalSecret");
          return owner && secret.metadata.namespace ? [`${secret.metadata.namespace}/${owner.name}`] : [];
        },
      },
      { resource: secretStoreResource, mapToPrimary: (store) => this.#referencing(store, "SecretStore") },
      { resource: clusterSecretStoreResource, mapToPrimary: (store) => this.#referencing(store, "ClusterSecretStore") },
    ];
  }

  async start(ctx: ReconcileContext): Promise<void> {
    this.#ctx = ctx;
  }

  /** ExternalSecrets using `store` (they re-sync when it changes). */
  #referencing(store: KubeObject, kind: "SecretStore" | "ClusterSecretStore"): ObjectKey[] {
    const ctx = this.#ctx;
    if (!ctx) return [];
    const { namespace, name } = store.metadata;
    // Connections (and so cached reads) are keyed by the store's generation: a changed store gets
    // new ones; the old generations are dropped here. Status-only updates keep them.
    this.deps.connections.forgetOtherGenerations(kind, namespace, name ?? "", `${store.metadata.uid ?? ""}:${store.metadata.generation ?? 0}`);
    const out: ObjectKey[] = [];
    for (const es of ctx.cache(externalSecretResource).list(kind === "SecretStore" ? namespace : undefined)) {
      const ref = (es.spec as { secretStoreRef?: { name?: string; kind?: string } } | undefined)?.secretStoreRef;
      if (ref && ref.name === name && (ref.kind ?? "SecretStore") === kind) out.push(`${es.metadata.namespace}/${es.metadata.name}`);
    }
    return out;
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const observer = this.deps.observer;
    const [namespace, name] = splitKey(key);
    if (!observer || !ctx.cache(externalSecretResource).get(key)) return this.#reconcile(key, ctx);
    observer.called(name, namespace);
    try {
      return await this.#reconcile(key, ctx);
    } catch (err) {
      observer.failed(name, namespace);
      throw err;
    }
  }

  async #reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const obj = ctx.cache(externalSecretResource).get(key);
    if (!obj || obj.metadata.deletionTimestamp) {
      this.#lastStatus.delete(key);
      return {}; // an Owner Secret goes with it (garbage collection)
    }
    const [namespace] = splitKey(key);
    const parsed = externalSecretSchema.safeParse(obj);
    if (!parsed.success) {
      const first = schemaFindings(parsed.error.issues).slice(0, 3).map((f) => f.message).join("; ");
      // statusPatch reads only metadata and status, which the API server guarantees.
      const rawTarget = (obj.spec as { target?: { name?: unknown } } | undefined)?.target?.name;
      await this.#writeStatus(ctx, obj as unknown as ExternalSecret, typeof rawTarget === "string" ? rawTarget : (obj.metadata.name ?? ""), fail(first));
      throw new StalledError(EsReason.SecretSyncedError, first);
    }
    const es = parsed.data;
    const target = targetNameOf(es);
    const findings = externalSecretFindings(obj.spec);
    if (findings.length > 0) {
      const message = findings.slice(0, 3).map((f) => f.message).join("; ");
      await this.#writeStatus(ctx, es, target, fail(message));
      throw new StalledError(EsReason.SecretSyncedError, message);
    }
    let intervalMs: number;
    try {
      intervalMs = parseDuration(es.spec.refreshInterval, `ExternalSecret ${key} spec.refreshInterval`);
    } catch (err) {
      await this.#writeStatus(ctx, es, target, fail(messageOf(err)));
      throw new StalledError(EsReason.SecretSyncedError, messageOf(err));
    }

    const store = await this.#store(ctx, es, target);
    let conn: StoreConnection;
    try {
      conn = await this.deps.connections.get(store, namespace);
    } catch (err) {
      await this.#writeStatus(ctx, es, target, fail(messageOf(err)));
      throw new WaitingError(EsReason.SecretSyncedError, messageOf(err), STORE_MISSING_RETRY_MS);
    }

    const existing = (ctx.cache(SECRETS).get(`${namespace}/${target}`) as SecretObject | undefined) ?? null;
    const srv = syncedResourceVersionOf(es);
    const ready = es.status?.conditions?.find((c) => c.type === "Ready");
    if (intervalMs === 0 && es.status?.syncedResourceVersion === srv && ready?.status === "True" && (existing || es.spec.target.creationPolicy !== "Owner")) {
      return {}; // refreshInterval 0: fetched once already
    }
    // A metadata or spec change after a sync (e.g. the force-sync annotation) reads Vault afresh.
    const fresh = es.status?.syncedResourceVersion !== undefined && es.status.syncedResourceVersion !== "" && es.status.syncedResourceVersion !== srv;
    const results = await this.deps.reader.readAll(conn, planReads(es.spec, conn.kv), intervalMs > 0 ? intervalMs : ONCE_WINDOW_MS, fresh);
    let plan = planExternalSecret(es, conn.storeName, conn.kv, results, existing);

    let written: SecretObject | null = null;
    try {
      written = await this.#apply(ctx, es, target, plan.action);
    } catch (err) {
      if (!isConflict(err)) return this.#writeFailed(ctx, es, target, err);
      // Our cache was behind (the Secret exists, or changed): plan again on a fresh read, once.
      const current = (await ctx.kube.get<SecretObject>(SECRETS, namespace, target)) ?? null;
      plan = planExternalSecret(es, conn.storeName, conn.kv, results, current);
      try {
        written = await this.#apply(ctx, es, target, plan.action);
      } catch (err2) {
        return this.#writeFailed(ctx, es, target, err2);
      }
      if (current) await this.#maybeReload(ctx, namespace, target, current, written);
      return this.#finish(ctx, es, target, plan, conn, intervalMs);
    }
    if (existing) await this.#maybeReload(ctx, namespace, target, existing, written);
    return this.#finish(ctx, es, target, plan, conn, intervalMs);
  }

  async #finish(ctx: ReconcileContext, es: ExternalSecret, target: string, plan: EsPlan, conn: StoreConnection, intervalMs: number): Promise<ReconcileOutcome> {
    await this.#writeStatus(ctx, es, target, plan.result);
    if (!plan.result.ready && plan.result.reason !== EsReason.SecretDeleted) {
      const backoff = this.deps.reader.backoffRemainingMs(conn);
      if (backoff > 0) throw new WaitingError(EsReason.SecretSyncedError, plan.result.message, backoff);
      if (plan.result.reason === EsReason.SecretMissing) throw new WaitingError(EsReason.SecretMissing, plan.result.message, STORE_MISSING_RETRY_MS);
      throw new TransientError(EsReason.SecretSyncedError, plan.result.message);
    }
    const delay = nextRefreshDelayMs(ctx.clock.now().getTime(), intervalMs, this.#random);
    return delay === null ? {} : { requeueAfterMs: delay };
  }

  async #writeFailed(ctx: ReconcileContext, es: ExternalSecret, target: string, err: unknown): Promise<never> {
    const message = `writing Secret ${es.metadata.namespace}/${target} failed: ${messageOf(err)}`;
    await this.#writeStatus(ctx, es, target, { ready: false, reason: EsReason.SecretSyncedError, message, synced: false, wrote: false });
    throw new TransientError("UpdateFailed", message, { cause: err });
  }

  /** Applies the planned write. @returns the Secret as written (null when nothing was written). */
  async #apply(ctx: ReconcileContext, es: ExternalSecret, target: string, action: SecretAction): Promise<SecretObject | null> {
    const ns = es.metadata.namespace;
    switch (action.kind) {
      case "create":
        return ctx.kube.create<SecretObject>(SECRETS, action.secret);
      case "patch":
        return ctx.kube.mergePatch<SecretObject>(SECRETS, ns, target, action.patch);
      case "recreate":
        await ctx.kube.delete(SECRETS, ns, target);
        return ctx.kube.create<SecretObject>(SECRETS, action.secret);
      case "delete":
        await ctx.kube.delete(SECRETS, ns, target);
        return null;
      default:
        return null;
    }
  }

  /** Restarts consumers when the Secret's content (not just its metadata) changed. */
  async #maybeReload(ctx: ReconcileContext, namespace: string, name: string, before: SecretObject, after: SecretObject | null): Promise<void> {
    if (!after) return;
    const oldHash = contentHash(before.type ?? "Opaque", before.data ?? {});
    const newHash = contentHash(after.type ?? "Opaque", after.data ?? {});
    if (oldHash === newHash) return;
    await reloadConsumers(ctx.kube, namespace, name, newHash, ctx.clock, ctx.log);
  }

  /** The parsed, supported store an ExternalSecret points at. @throws WaitingError when it is missing, invalid or refuses the namespace. */
  async #store(ctx: ReconcileContext, es: ExternalSecret, target: string): Promise<SecretStore> {
    const ref = es.spec.secretStoreRef;
    const ns = es.metadata.namespace;
    const cluster = ref.kind === "ClusterSecretStore";
    const raw = ctx.cache(cluster ? clusterSecretStoreResource : secretStoreResource).get(cluster ? ref.name : `${ns}/${ref.name}`);
    const refuse = async (message: string): Promise<never> => {
      await this.#writeStatus(ctx, es, target, fail(message));
      throw new WaitingError(EsReason.SecretSyncedError, message, STORE_MISSING_RETRY_MS);
    };
    if (!raw) {
      const other = ctx.cache(cluster ? secretStoreResource : clusterSecretStoreResource).get(cluster ? `${ns}/${ref.name}` : ref.name);
      const hint = other
        ? `a ${cluster ? "SecretStore" : "ClusterSecretStore"} of that name exists: set secretStoreRef.kind: ${cluster ? "SecretStore" : "ClusterSecretStore"}`
        : `create it or fix secretStoreRef`;
      return refuse(`${ref.kind} ${cluster ? "" : `${ns}/`}${ref.name} not found (${hint})`);
    }
    const parsed = secretStoreSchema.safeParse(raw);
    const problems = [...(parsed.success ? [] : schemaFindings(parsed.error.issues)), ...secretStoreFindings(raw.spec)];
    if (!parsed.success || problems.length > 0) {
      return refuse(`${ref.kind} ${ref.name} is not usable: ${problems.slice(0, 2).map((p) => p.message).join("; ")}`);
    }
    const store = parsed.data;
    if (cluster && store.spec.conditions && store.spec.conditions.length > 0) {
      const allowed = store.spec.conditions.some(
        (c) => (c.namespaces ?? []).includes(ns) || (c.namespaceRegexes ?? []).some((re) => safeRegExp(re)?.test(ns) ?? false),
      );
      if (!allowed) return refuse(`ClusterSecretStore ${ref.name} does not allow namespace ${ns} (see its spec.conditions)`);
    }
    return store;
  }

  async #writeStatus(ctx: ReconcileContext, es: ExternalSecret, target: string, result: SyncResult): Promise<void> {
    const status = statusPatch(es, target, result, ctx.clock.now());
    if (!status) return;
    // The cache can lag behind our own last status write (a reconcile right after the previous
    // one, e.g. triggered by the Secret we just created): do not write the same outcome twice.
    const key = `${es.metadata.namespace}/${es.metadata.name}`;
    const ready = status.conditions?.find((c) => c.type === "Ready");
    const outcome = JSON.stringify([es.metadata.uid, ready?.status, ready?.reason, ready?.message, status.syncedResourceVersion, target]);
    if (!result.wrote && this.#lastStatus.get(key) === outcome) return;
    const withGeneration = es.metadata.generation !== undefined ? { ...status, observedGeneration: es.metadata.generation } : status;
    try {
      await ctx.kube.patchStatus(externalSecretResource, es.metadata.namespace, es.metadata.name, withGeneration);
      this.#lastStatus.set(key, outcome);
    } catch (err) {
      if (!isNotFound(err)) throw new TransientError("StatusUpdateFailed", `writing status of ExternalSecret ${es.metadata.namespace}/${es.metadata.name} failed`, { cause: err });
    }
  }
}

function fail(message: string): SyncResult {
  return { ready: false, reason: EsReason.SecretSyncedError, message, synced: false, wrote: false };
}

function safeRegExp(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}


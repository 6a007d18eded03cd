/**
 * The ExternalSecret kind (`external-secrets.io` ExternalSecrets, Vault provider) → target
 * Secrets with ESO's status; and the Vault services the ESO kinds share, built once per
 * controller process (`deps.share`). observe.ts reads, plan.ts decides.
 */
import { EsReason, externalSecretFindings, externalSecretResource, externalSecretSchema } from "../../api/external-secret.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../api/secret-store.js";
import type { Clock } from "../../clock.js";
import { parseDuration } from "../../duration.js";
import { schemaFindings } from "../../eso/lint.js";
import { StoreConnections } from "../../eso/store-connections.js";
import { StoreRecovery } from "../../eso/store-recovery.js";
import { VaultReader } from "../../eso/vault-reader.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import type { ControllerMetrics } from "../../server/metrics.js";
import type { ControllerConfig } from "../config.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import { realTimers } from "../runtime/work-queue.js";
import type { KindDefinition, ObserveContext, ParseResult } from "../runtime/kind.js";
import type { ObjectKey, Reconciler } from "../types.js";
import { memoStoreParser, observeExternalSecret, reobserveExternalSecret, safeMessage } from "./observe.js";
import { planExternalSecret, planExternalSecretWriteFailure, targetNameOf } from "./plan.js";
import { syncedResourceVersionOf } from "./status-fields.js";
import type { ExternalSecretObserved, ParsedExternalSecret } from "./plan.js";

/** The Vault services the ESO kinds share. */
export interface EsoServices {
  connections: StoreConnections;
  reader: VaultReader;
  /** Probes stores in outage; when one is back, its ExternalSecrets are retried at once. */
  recovery?: StoreRecovery;
}

/** ESO's provider label for Vault. */
const VAULT_PROVIDER = "HashiCorp/Vault";

/** New Vault services for one controller; Vault calls are counted on `metrics`. */
export function createEsoServices(kube: KubeClient, clock: Clock, opts: { vaultConcurrency?: number; metrics?: ControllerMetrics } = {}): EsoServices {
  const metrics = opts.metrics;
  const recovery = new StoreRecovery({ timers: realTimers });
  const reader = new VaultReader(clock, {
    concurrency: opts.vaultConcurrency ?? 16,
    recovery,
    ...(metrics ? { onApiCall: (call, status) => metrics.providerApiCalls.inc({ provider: VAULT_PROVIDER, call, status }) } : {}),
  });
  return { connections: new StoreConnections(kube, clock), reader, recovery };
}

/** The services of this controller process, shared by the ESO factories. */
export function esoServicesOf(deps: ControllerDeps): EsoServices {
  return deps.share("eso-vault-services", () => createEsoServices(deps.kube, deps.clock, { metrics: deps.metrics }));
}

/** Counts syncs as ESO does (`externalsecret_sync_calls_total` / `_error` by name and namespace). */
export interface SyncObserver {
  called(name: string, namespace: string): void;
  failed(name: string, namespace: string): void;
}

/** What the ExternalSecret kind is built with. */
export interface ExternalSecretKindDeps extends EsoServices {
  observer?: SyncObserver;
  /** [0, 1) for refresh jitter; injected for tests. */
  random?: () => number;
}

function parseExternalSecret(obj: KubeObject): ParseResult<ParsedExternalSecret> {
  const parsed = externalSecretSchema.safeParse(obj);
  if (!parsed.success) {
    const rawTarget = (obj.spec as { target?: { name?: unknown } } | undefined)?.target?.name;
    return {
      ok: false,
      reason: EsReason.SecretSyncedError,
      message: schemaFindings(parsed.error.issues).slice(0, 3).map((f) => f.message).join("; "),
      status: { binding: { name: typeof rawTarget === "string" ? rawTarget : (obj.metadata.name ?? "") } },
    };
  }
  const es = parsed.data;
  const target = targetNameOf(es);
  const stalled = (message: string): ParseResult<ParsedExternalSecret> => ({ ok: false, reason: EsReason.SecretSyncedError, message, status: { binding: { name: target } } });
  const findings = externalSecretFindings(obj.spec);
  if (findings.length > 0) return stalled(findings.slice(0, 3).map((f) => f.message).join("; "));
  try {
    const intervalMs = parseDuration(es.spec.refreshInterval, `ExternalSecret ${es.metadata.namespace}/${es.metadata.name} spec.refreshInterval`);
    return { ok: true, value: { es, target, intervalMs, syncedResourceVersion: syncedResourceVersionOf(es) } };
  } catch (err) {
    return stalled(safeMessage(err));
  }
}

/** The ExternalSecret kind. */
export function externalSecretKind(deps: ExternalSecretKindDeps): KindDefinition<ParsedExternalSecret, ExternalSecretObserved> {
  const readers = { reader: deps.reader, connections: deps.connections, random: deps.random ?? Math.random, parseStore: memoStoreParser() };
  let cacheCtx: ObserveContext | undefined;
  /** ExternalSecrets using `store` (they re-sync when it changes). */
  const referencing = (store: KubeObject, kind: "SecretStore" | "ClusterSecretStore"): ObjectKey[] => {
    const { namespace, name } = store.metadata;
    // Connections (and so cached reads) are keyed by the store's generation: a changed store gets
    // new ones; the old generations are dropped here. Status-only updates keep them.
    deps.connections.forgetOtherGenerations(kind, namespace, name ?? "", `${store.metadata.uid ?? ""}:${store.metadata.generation ?? 0}`);
    if (!cacheCtx) return [];
    const out: ObjectKey[] = [];
    for (const es of cacheCtx.cache(externalSecretResource).list(kind === "SecretStore" ? namespace : undefined)) {
      const ref = (es.spec as { secretStoreRef?: { name?: string; kind?: string } } | undefined)?.secretStoreRef;
      if (ref && ref.name === name && (ref.kind ?? "SecretStore") === kind) out.push(`${es.metadata.namespace}/${es.metadata.name}`);
    }
    return out;
  };
  return {
    name: "externalsecret",
    resource: externalSecretResource,
    statusShape: "conditions",
    // ESO's CRD has no observedGeneration, neither in status nor in its conditions (the
    // apiserver would prune it, and every pass would then write the status again).
    observedGenerationIn: "none",
    statusTimeFields: ["refreshTime"],
    secondaryWatches: [
      {
        resource: SECRETS,
        // A changed or deleted target Secret brings its ExternalSecret back (Owner policy).
        mapToPrimary: (secret) => {
          const owner = secret.metadata.ownerReferences?.find((r) => r.controller && r.kind === "ExternalSecret");
          return owner && secret.metadata.namespace ? [`${secret.metadata.namespace}/${owner.name}`] : [];
        },
      },
      { resource: secretStoreResource, mapToPrimary: (store) => referencing(store, "SecretStore") },
      { resource: clusterSecretStoreResource, mapToPrimary: (store) => referencing(store, "ClusterSecretStore") },
    ],
    parse: parseExternalSecret,
    observe: (ctx, p) => observeExternalSecret(readers, ctx, p),
    reobserve: (ctx, p, _raw, observed) => reobserveExternalSecret(ctx, p, observed),
    plan: planExternalSecret,
    planWriteFailure: (p, _observed, message, now) => planExternalSecretWriteFailure(p, message, now),
    passEnded(raw, plan) {
      const { name = "", namespace = "" } = raw.metadata;
      deps.observer?.called(name, namespace);
      if (plan.outcome.kind !== "ok") deps.observer?.failed(name, namespace);
    },
    async start(ctx) {
      cacheCtx = { clock: ctx.clock, log: ctx.log, cache: (r) => ctx.cache(r), live: { get: (r, ns, n) => ctx.kube.get(r, ns, n) } };
      // Back to whole within seconds: a store whose Vault is reachable and unsealed again gets
      // every ExternalSecret waiting on it retried now, not at each one's backoff.
      deps.recovery?.onRecovered((store) => {
        const keys = externalSecretsOfStore(ctx.cache(externalSecretResource).list(), store);
        ctx.log.info({ store, externalSecrets: keys.length }, "store is back: retrying its ExternalSecrets now");
        ctx.retryNow?.(keys);
      });
    },
    stop() {
      deps.recovery?.stop();
    },
  };
}

/** Keys of the ExternalSecrets whose store label (`storeLabel`: `Kind ns/name`, `Kind name`) is `store`. */
export function externalSecretsOfStore(externalSecrets: readonly KubeObject[], store: string): ObjectKey[] {
  const out: ObjectKey[] = [];
  for (const es of externalSecrets) {
    const ref = (es.spec as { secretStoreRef?: { name?: string; kind?: string } } | undefined)?.secretStoreRef;
    if (!ref?.name) continue;
    const label = (ref.kind ?? "SecretStore") === "ClusterSecretStore" ? `ClusterSecretStore ${ref.name}` : `SecretStore ${es.metadata.namespace}/${ref.name}`;
    if (label === store) out.push(`${es.metadata.namespace}/${es.metadata.name}`);
  }
  return out;
}

/** The ExternalSecret reconciler (the kind run by the kit). */
export function externalSecretReconciler(deps: ExternalSecretKindDeps): Reconciler {
  return kindReconciler(externalSecretKind(deps));
}

/** The ExternalSecret reconciler for `sealbridge controller`. */
export async function externalSecretFactory(_cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const { metrics } = deps;
  return externalSecretReconciler({
    ...esoServicesOf(deps),
    observer: {
      called: (name, namespace) => metrics.esSyncCalls.inc({ name, namespace }),
      failed: (name, namespace) => metrics.esSyncErrors.inc({ name, namespace }),
    },
  });
}

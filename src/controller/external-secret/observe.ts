/**
 * What an ExternalSecret pass reads: the store it points at (from the caches), its Vault
 * connection, the target Secret, and the Vault reads through the shared VaultReader (coalesced,
 * bounded, backing off per store). Reads only; failures become data for the plan.
 */
import type { ExternalSecret } from "../../api/external-secret.js";
import { clusterSecretStoreResource, type SecretStore, secretStoreFindings, secretStoreResource, secretStoreSchema } from "../../api/secret-store.js";
import { isSealbridgeError } from "../../errors.js";
import { schemaFindings } from "../../eso/lint.js";
import { planReads } from "../../eso/source-data.js";
import type { StoreConnections } from "../../eso/store-connections.js";
import type { VaultReader } from "../../eso/vault-reader.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import type { ObjectCache } from "../types.js";
import type { ObserveContext } from "../runtime/kind.js";
import type { ExternalSecretObserved, ParsedExternalSecret } from "./plan.js";
import type { SecretObject } from "./target-secret.js";

/** Window used to coalesce reads of `refreshInterval: 0` ExternalSecrets. */
const ONCE_WINDOW_MS = 60_000;

/** The Vault services an ExternalSecret pass reads through. */
export interface ExternalSecretReaders {
  reader: VaultReader;
  connections: StoreConnections;
  /** [0, 1) for refresh jitter. */
  random: () => number;
  /** How store objects from the cache are parsed (default: afresh each pass). */
  parseStore?: StoreParser;
}

/** A message that never carries a foreign error's text (it might hold a value). */
export function safeMessage(err: unknown): string {
  return isSealbridgeError(err) ? err.message : err instanceof Error ? `${err.name} (see controller logs)` : String(err);
}

function safeRegExp(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** A store object parsed (zod and the supported-field rules): the store, or what is wrong with it. */
export type StoreParse = { store: SecretStore } | { problems: string };

/** Parses a store object from the cache. */
export type StoreParser = (raw: KubeObject) => StoreParse;

/** Parses `raw` (no memory). */
export function parseStoreObject(raw: KubeObject): StoreParse {
  const parsed = secretStoreSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : schemaFindings(parsed.error.issues)), ...secretStoreFindings(raw.spec)];
  if (!parsed.success || problems.length > 0) return { problems: problems.slice(0, 2).map((p) => p.message).join("; ") };
  return { store: parsed.data };
}

/**
 * A StoreParser that parses each cached store object once: thousands of ExternalSecrets share a
 * handful of stores, and the cache replaces an object (never edits it) when it changes.
 */
export function memoStoreParser(): StoreParser {
  const parsed = new WeakMap<KubeObject, StoreParse>();
  return (raw) => {
    let result = parsed.get(raw);
    if (!result) {
      result = parseStoreObject(raw);
      parsed.set(raw, result);
    }
    return result;
  };
}

/** The parsed, supported store an ExternalSecret points at, or why it cannot be used. Pure over the caches. */
export function resolveStore(es: ExternalSecret, stores: ObjectCache, clusterStores: ObjectCache, parseStore: StoreParser = parseStoreObject): SecretStore | { refused: string } {
  return resolveStoreRef(es.spec.secretStoreRef, es.metadata.namespace, stores, clusterStores, parseStore);
}

/** The parsed, supported store `ref` names as used from namespace `ns` (ESO's rules), or why it cannot be used. Pure over the caches. */
export function resolveStoreRef(
  ref: { name: string; kind: "SecretStore" | "ClusterSecretStore" },
  ns: string,
  stores: ObjectCache,
  clusterStores: ObjectCache,
  parseStore: StoreParser = parseStoreObject,
): SecretStore | { refused: string } {
  const cluster = ref.kind === "ClusterSecretStore";
  const raw: KubeObject | undefined = cluster ? clusterStores.get(ref.name) : stores.get(`${ns}/${ref.name}`);
  if (!raw) {
    const other = cluster ? stores.get(`${ns}/${ref.name}`) : clusterStores.get(ref.name);
    const hint = other
      ? `a ${cluster ? "SecretStore" : "ClusterSecretStore"} of that name exists: set secretStoreRef.kind: ${cluster ? "SecretStore" : "ClusterSecretStore"}`
      : `create it or fix secretStoreRef`;
    return { refused: `${ref.kind} ${cluster ? "" : `${ns}/`}${ref.name} not found (${hint})` };
  }
  const parsed = parseStore(raw);
  if ("problems" in parsed) return { refused: `${ref.kind} ${ref.name} is not usable: ${parsed.problems}` };
  const store = parsed.store;
  if (cluster && store.spec.conditions && store.spec.conditions.length > 0) {
    const allowed = store.spec.conditions.some(
      (c) => (c.namespaces ?? []).includes(ns) || (c.namespaceRegexes ?? []).some((re) => safeRegExp(re)?.test(ns) ?? false),
    );
    if (!allowed) return { refused: `ClusterSecretStore ${ref.name} does not allow namespace ${ns} (see its spec.conditions)` };
  }
  return store;
}

/** Reads what the pass needs. Never throws for store, connection or Vault failures (they are data). */
export async function observeExternalSecret(readers: ExternalSecretReaders, ctx: ObserveContext, p: ParsedExternalSecret): Promise<ExternalSecretObserved> {
  const { es, target, intervalMs } = p;
  const namespace = es.metadata.namespace;
  const store = resolveStore(es, ctx.cache(secretStoreResource), ctx.cache(clusterSecretStoreResource), readers.parseStore);
  if ("refused" in store) return { kind: "store-failed", message: store.refused };
  let conn;
  try {
    conn = await readers.connections.get(store, namespace);
  } catch (err) {
    return { kind: "store-failed", message: safeMessage(err) };
  }
  const existing = (ctx.cache(SECRETS).get(`${namespace}/${target}`) as SecretObject | undefined) ?? null;
  const srv = p.syncedResourceVersion;
  const ready = es.status?.conditions?.find((c) => c.type === "Ready");
  if (intervalMs === 0 && es.status?.syncedResourceVersion === srv && ready?.status === "True" && (existing || es.spec.target.creationPolicy !== "Owner")) {
    return { kind: "once" };
  }
  // A metadata or spec change after a sync (e.g. the force-sync annotation) reads Vault afresh.
  const synced = es.status?.syncedResourceVersion;
  const fresh = synced !== undefined && synced !== "" && synced !== srv;
  const results = await readers.reader.readAll(conn, planReads(es.spec, conn.kv), intervalMs > 0 ? intervalMs : ONCE_WINDOW_MS, fresh);
  return { kind: "read", storeName: conn.storeName, kv: conn.kv, results, existing, backoffMs: readers.reader.backoffRemainingMs(conn), jitter: readers.random() };
}

/** After a 409: the same reads, with the target Secret read from the API server. */
export async function reobserveExternalSecret(ctx: ObserveContext, p: ParsedExternalSecret, observed: ExternalSecretObserved): Promise<ExternalSecretObserved> {
  if (observed.kind !== "read") return observed;
  return { ...observed, existing: await ctx.live.get<SecretObject>(SECRETS, p.es.metadata.namespace, p.target) };
}

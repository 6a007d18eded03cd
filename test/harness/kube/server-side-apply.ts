/**
 * Server-side apply for the Kubernetes test server (`PATCH` with `application/apply-patch+yaml`),
 * as the real API server does it (structured-merge-diff), for what sealbridge and kubectl need:
 * - field ownership in `metadata.managedFields` (FieldsV1, one entry per manager and operation,
 *   `operation: Apply` for appliers, `Update` for later writers of an applied object);
 * - the applied configuration merged into the live object; fields the manager applied before and
 *   no longer applies are removed unless another manager owns them;
 * - conflicts: a field another manager owns with a different value is a 409 `Apply failed with N
 *   conflict(s)` unless `force=true`, which moves the field to the applier; equal values are
 *   co-owned;
 * - creates and updates through the API record `Update` entries for their field manager (query
 *   `fieldManager`, else the User-Agent's program name), as the real server does; objects the
 *   test server makes itself (default ServiceAccounts) carry none, and one without any entry is
 *   owned by `before-first-apply` on its first apply;
 * - an apply that changes nothing writes nothing (same resourceVersion, same entry time).
 * Simplification (recorded in realstack-divergences terms): lists are atomic (the real server
 * merges lists with `x-kubernetes-list-type: map` item by item, `k:{…}` keys); sealbridge's
 * installer always applies whole objects, so owning a list whole gives the same results.
 */
import { sameJson } from "./canonical-json.js";
import { ApiError } from "./status.js";
import type { KubeObject } from "../../../src/kube/types.js";

/** One metadata.managedFields entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

type Path = string[];
type Json = Record<string, unknown>;

/** Fields of metadata that identify or are set by the server: never owned. */
const SYSTEM_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields", "generateName"]);

function isMap(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function leaves(value: unknown, prefix: Path, out: Path[]): void {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...prefix, k], out);
  } else out.push(prefix);
}

/** The leaf paths a configuration (or an object) sets: identity, system metadata and status excluded. */
export function ownedPaths(obj: Json): Path[] {
  const out: Path[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || k === "status") continue;
    if (k === "metadata" && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SYSTEM_META.has(mk)) leaves(mv, ["metadata", mk], out);
      continue;
    }
    leaves(v, [k], out);
  }
  return out;
}

/** Paths as FieldsV1 (`{"f:spec":{"f:replicas":{}}}`). */
export function toFieldsV1(paths: readonly Path[]): Json {
  const root: Json = {};
  for (const p of paths) {
    let node = root;
    for (const k of p) {
      const key = `f:${k}`;
      node[key] ??= {};
      node = node[key] as Json;
    }
  }
  return root;
}

/** FieldsV1 back to leaf paths (list item keys `k:`/`v:`/`i:` end a path: the list is the leaf). */
export function fromFieldsV1(fields: unknown, prefix: Path = []): Path[] {
  if (!isMap(fields)) return [prefix];
  const keys = Object.keys(fields).filter((k) => k !== ".");
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  if (keys.some((k) => !k.startsWith("f:"))) return [prefix];
  return keys.flatMap((k) => fromFieldsV1(fields[k], [...prefix, k.slice(2)]));
}

function at(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const k of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function removeAt(obj: Json, path: Path): void {
  let cur: unknown = obj;
  for (const k of path.slice(0, -1)) {
    if (!isMap(cur)) return;
    cur = cur[k];
  }
  const last = path[path.length - 1];
  if (isMap(cur) && last !== undefined) delete cur[last];
}

function merge(live: unknown, config: unknown): unknown {
  if (!isMap(live) || !isMap(config)) return structuredClone(config);
  const out: Json = { ...live };
  for (const [k, v] of Object.entries(config)) out[k] = merge(live[k], v);
  return out;
}

const key = (p: Path): string => JSON.stringify(p);
/** An applied empty map merges into a live map without changing it: no conflict. */
const differs = (live: unknown, applied: unknown): boolean => !(isMap(applied) && Object.keys(applied).length === 0 && isMap(live)) && !sameJson(live, applied);
const related = (a: Path, b: Path): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

function entriesOf(live: KubeObject | undefined, apiVersion: string): ManagedFieldsEntry[] {
  if (!live) return [];
  const existing = (live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields;
  if (existing !== undefined) return existing.map((e) => ({ ...e }));
  // Made before any apply: the real server reports its fields as owned by "before-first-apply".
  const paths = ownedPaths(live as Json);
  return paths.length === 0 ? [] : [{ manager: "before-first-apply", operation: "Update", apiVersion, time: live.metadata.creationTimestamp ?? "", fieldsType: "FieldsV1", fieldsV1: toFieldsV1(paths) }];
}

function conflictError(conflicts: Array<{ entry: ManagedFieldsEntry; path: Path }>, t: { group: string; plural: string }, name: string): ApiError {
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) {
    // As the real server prints a manager: its apiVersion only for Update entries.
    const label = `"${c.entry.manager}"${c.entry.subresource ? ` with subresource "${c.entry.subresource}"` : ""}${c.entry.operation === "Update" ? ` using ${c.entry.apiVersion}` : ""}`;
    byManager.set(label, [...(byManager.get(label) ?? []), c.path]);
  }
  const field = (p: Path): string => `.${p.join(".")}`;
  const parts = [...byManager].map(([who, paths]) =>
    paths.length === 1 ? `conflict with ${who}: ${field(paths[0] ?? [])}` : `conflicts with ${who}:\n${paths.map((p) => `- ${field(p)}`).join("\n")}`,
  );
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${parts.join("\n")}`;
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.entry.manager}"${c.entry.operation === "Update" ? ` using ${c.entry.apiVersion}` : ""}`, field: field(c.path) }));
  const details: Json = { name, ...(t.group !== "" ? { group: t.group } : {}), kind: t.plural, causes };
  return new ApiError(409, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "Conflict", details, code: 409 });
}

/**
 * The object after applying `config` as `manager`, with its managedFields; `live` undefined
 * creates. An unchanged result is `live` itself (the caller writes nothing).
 * @throws ApiError 409 for conflicts with other managers when `force` is false.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  opts: { manager: string; force: boolean; apiVersion: string; now: string; type: { group: string; plural: string } },
): KubeObject {
  const name = config.metadata?.name ?? "";
  const paths = ownedPaths(config as Json);
  const entries = entriesOf(live, opts.apiVersion);
  const mine = entries.findIndex((e) => e.manager === opts.manager && e.operation === "Apply" && e.subresource === undefined);
  const conflicts: Array<{ entry: ManagedFieldsEntry; path: Path }> = [];
  for (const [i, e] of entries.entries()) {
    if (i === mine) continue;
    for (const q of fromFieldsV1(e.fieldsV1)) {
      for (const p of paths) {
        const path = p.length >= q.length ? p : q;
        if (related(p, q) && differs(at(live, p), at(config, p)) && !conflicts.some((c) => c.entry === e && key(c.path) === key(path))) conflicts.push({ entry: e, path });
      }
    }
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts, opts.type, name);
  // Forced: the conflicting fields move to the applier.
  const others = entries.map((e, i) => {
    if (i === mine) return e;
    const lost = conflicts.filter((c) => c.entry === e).map((c) => c.path);
    if (lost.length === 0) return e;
    const kept = fromFieldsV1(e.fieldsV1).filter((q) => !lost.some((p) => related(p, q)));
    return { ...e, fieldsV1: toFieldsV1(kept) };
  });
  const ownedByOthers = others.filter((_, i) => i !== mine).flatMap((e) => fromFieldsV1(e.fieldsV1));
  const base = structuredClone((live ?? {}) as Json);
  // Fields this manager applied before and no longer applies go, unless someone else owns them.
  const before = mine >= 0 ? fromFieldsV1(entries[mine]?.fieldsV1) : [];
  const now = new Set(paths.map(key));
  for (const p of before) if (!now.has(key(p)) && !ownedByOthers.some((q) => related(p, q))) removeAt(base, p);
  const merged = merge(base, config) as KubeObject;
  const fieldsV1 = toFieldsV1(paths);
  const unchangedEntry = mine >= 0 && sameJson(entries[mine]?.fieldsV1, fieldsV1);
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: "Apply",
    apiVersion: opts.apiVersion,
    time: unchangedEntry ? (entries[mine]?.time ?? opts.now) : opts.now,
    fieldsType: "FieldsV1",
    fieldsV1,
  };
  const next = others.filter((e) => Object.keys(e.fieldsV1).length > 0 || e === others[mine]);
  const managedFields = mine >= 0 ? next.map((e) => (e === others[mine] ? entry : e)) : [...next, entry];
  const out = { ...merged, metadata: { ...merged.metadata, managedFields } } as KubeObject;
  if (live && sameJson({ ...out, metadata: { ...out.metadata, resourceVersion: live.metadata.resourceVersion } }, live)) return live;
  return out;
}

/** managedFields of an object created (POST) by `manager`: one Update entry owning what it set. */
export function afterCreate(obj: KubeObject, manager: string, apiVersion: string, now: string): ManagedFieldsEntry[] {
  const paths = ownedPaths(obj as Json);
  return paths.length === 0 ? [] : [{ manager, operation: "Update", apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(paths) }];
}

/**
 * managedFields after a non-apply write (PUT, JSON/merge/strategic patch) by `manager`: the fields
 * it changed become its `Update` entry's, and leave the other entries.
 */
export function afterUpdate(old: KubeObject, next: KubeObject, manager: string, apiVersion: string, now: string): ManagedFieldsEntry[] {
  const entries = (old.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
  const oldPaths = ownedPaths(old as Json);
  const newPaths = ownedPaths(next as Json);
  const changed = newPaths.filter((p) => !sameJson(at(old, p), at(next, p)));
  const removed = oldPaths.filter((p) => at(next, p) === undefined);
  if (changed.length === 0 && removed.length === 0) return entries;
  const out: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const e of entries) {
    const kept = fromFieldsV1(e.fieldsV1).filter((q) => !changed.some((p) => related(p, q)) && !removed.some((p) => related(p, q)));
    if (e.manager === manager && e.operation === "Update" && e.subresource === undefined) {
      own = { ...e, time: now, fieldsV1: toFieldsV1([...kept, ...changed]) };
      out.push(own);
    } else if (kept.length > 0) out.push({ ...e, fieldsV1: toFieldsV1(kept) });
  }
  if (!own && changed.length > 0) out.push({ manager, operation: "Update", apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(changed) });
  return out;
}

/**
 * The three patch formats kube-apiserver accepts
 * (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/):
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch for built-in kinds
 * (lists merged by their patchMergeKey, `$patch` directives, `$deleteFromPrimitiveList`).
 */

/** Thrown for a malformed patch or a failed JSON patch `test`; the server answers 422/400. */
export class PatchError extends Error {}

/**
 * A strategic-merge error kube-apiserver passes on as a plain error (not a Status), such as
 * mergepatch.ErrNoMergeKey: the server answers 500 with no reason.
 */
export class PatchInternalError extends PatchError {}

/** Go's `%v` of a decoded JSON value, as mergepatch error messages print maps (`map[k:v]`). */
function goValue(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue(v[k] ?? null)}`).join(" ")}]`;
  return v === null ? "<nil>" : String(v);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...(clone(target) as Record<string, Json>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parsePointer(p: unknown): string[] {
  if (typeof p !== "string") throw new PatchError("missing path");
  if (p === "") return [];
  if (!p.startsWith("/")) throw new PatchError(`invalid JSON pointer: ${p}`);
  return p.slice(1).split("/").map(unescapePointer);
}

function getAt(doc: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function containerOf(doc: Json, path: string[], op: string): { parent: Json; key: string } {
  if (path.length === 0) throw new PatchError(`${op} at document root is not supported`);
  const parent = getAt(doc, path.slice(0, -1));
  if (parent === undefined || (!Array.isArray(parent) && !isObject(parent))) {
    throw new PatchError(`doc is missing path: "/${path.join("/")}": missing value`);
  }
  return { parent, key: path[path.length - 1] ?? "" };
}

function addAt(doc: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const { parent, key } = containerOf(doc, path, "add");
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`add operation does not apply: index ${key} out of bounds`);
    parent.splice(i, 0, value);
  } else (parent as Record<string, Json>)[key] = value;
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const { parent, key } = containerOf(doc, path, "remove");
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new PatchError(`remove operation does not apply: doc is missing path: "/${path.join("/")}"`);
    parent.splice(i, 1);
  } else {
    if (!(key in (parent as object))) throw new PatchError(`remove operation does not apply: doc is missing path: "/${path.join("/")}": missing value`);
    delete (parent as Record<string, Json>)[key];
  }
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). @throws PatchError. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError("json patch must be an array of operations");
  let doc = clone(target) as Json;
  for (const raw of ops) {
    if (!isObject(raw)) throw new PatchError("json patch operation must be an object");
    const op = raw["op"];
    const path = parsePointer(raw["path"]);
    switch (op) {
      case "add":
        doc = addAt(doc, path, clone(raw["value"] ?? null));
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "replace":
        if (getAt(doc, path) === undefined) throw new PatchError(`replace operation does not apply: doc is missing key: /${path.join("/")}: missing value`);
        doc = path.length === 0 ? clone(raw["value"] ?? null) : addAt(removeAt(doc, path), path, clone(raw["value"] ?? null));
        break;
      case "move":
      case "copy": {
        const from = parsePointer(raw["from"]);
        const v = getAt(doc, from);
        if (v === undefined) throw new PatchError(`${op} operation does not apply: doc is missing from path: /${from.join("/")}`);
        if (op === "move") doc = removeAt(doc, from);
        doc = addAt(doc, path, clone(v));
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw["value"])) {
          throw new PatchError(`testing value /${path.join("/")} failed: test failed`);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(op)}`);
    }
  }
  return doc;
}

/** Strategic-merge metadata of one list field (the `patchStrategy`/`patchMergeKey` Go struct tags). */
export interface ListPatchMeta {
  mergeKey?: string;
  /** e.g. "merge", "retainKeys", "merge,retainKeys"; absent: the list is atomic (replaced whole). */
  strategy?: string;
}

/**
 * Looks up the patch metadata of the field at a path of field names (list items stepped
 * through); null when the field is not described (it is then replaced whole, as a merge patch).
 */
export type PatchMetaLookup = (path: readonly string[]) => ListPatchMeta | null;

/**
 * Fallback for kinds without a schema in openapi-schemas.ts: patchMergeKey by field name alone,
 * as the k8s.io/api struct tags mostly agree (`ports` is keyed by containerPort in containers and
 * port in services). Kinds with a schema use `patchMetaAt` instead, which knows e.g. that
 * ServiceAccount.imagePullSecrets is atomic while PodSpec.imagePullSecrets merges by name.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  ownerReferences: "uid",
  conditions: "type",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
  secrets: "name",
};
/** Primitive lists with patchStrategy merge (set union). */
const MERGED_PRIMITIVES = new Set(["finalizers"]);

function byFieldName(path: readonly string[]): ListPatchMeta | null {
  const field = path[path.length - 1] ?? "";
  if (MERGED_PRIMITIVES.has(field)) return { strategy: "merge" };
  const key = MERGE_KEYS[field];
  return key === undefined ? null : { mergeKey: key, strategy: "merge" };
}

function metaOf(lookup: PatchMetaLookup, path: readonly string[], items: Json[]): ListPatchMeta | null {
  const field = path[path.length - 1];
  if (lookup === byFieldName && field === "ports") {
    return { mergeKey: items.some((i) => isObject(i) && "containerPort" in i) ? "containerPort" : "port", strategy: "merge" };
  }
  return lookup(path);
}

function smpList(lookup: PatchMetaLookup, path: readonly string[], target: Json[] | undefined, patch: Json[]): Json[] {
  const directive = patch.find((p) => isObject(p) && p["$patch"] === "replace");
  if (directive) return clone(patch.filter((p) => p !== directive));
  const meta = metaOf(lookup, path, [...patch, ...(target ?? [])]);
  const merges = meta?.strategy?.split(",").includes("merge") ?? false;
  // No patchStrategy=merge: the list is atomic and the patch's list replaces it (apimachinery
  // strategicpatch mergeSlice is only reached for "merge").
  if (!merges) return clone(patch.filter((p) => !(isObject(p) && "$patch" in p)));
  const key = meta?.mergeKey;
  if (key === undefined) {
    const out = [...(target ?? [])];
    for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(clone(p));
    return out;
  }
  const out: Json[] = clone(target ?? []);
  for (const p of patch) {
    if (!isObject(p)) continue;
    // mergepatch.ErrNoMergeKey (k8s.io/apimachinery/pkg/util/mergepatch/errors.go).
    if (!(key in p)) throw new PatchInternalError(`map: ${goValue(p)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((x) => isObject(x) && JSON.stringify(x[key]) === JSON.stringify(p[key]));
    if (p["$patch"] === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = smpMap(lookup, path, out[idx], p);
    else out.push(smpMap(lookup, path, {}, p));
  }
  return out;
}

function smpMap(lookup: PatchMetaLookup, path: readonly string[], target: unknown, patch: Record<string, Json>): Json {
  if (patch["$patch"] === "replace") {
    const rest = { ...patch };
    delete rest["$patch"];
    return clone(rest);
  }
  if (patch["$patch"] === "delete") return {};
  const out: Record<string, Json> = isObject(target) ? { ...(clone(target) as Record<string, Json>) } : {};
  const retain = patch["$retainKeys"];
  if (Array.isArray(retain)) {
    // $retainKeys (patchStrategy retainKeys): keys not listed are cleared.
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) {
        const drop = new Set(v.map((x) => JSON.stringify(x)));
        out[field] = cur.filter((x) => !drop.has(JSON.stringify(x)));
      }
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = smpList(lookup, [...path, k], Array.isArray(out[k]) ? (out[k] as Json[]) : undefined, v);
    else if (isObject(v)) {
      if (v["$patch"] === "delete") delete out[k];
      else out[k] = smpMap(lookup, [...path, k], out[k], v);
    } else out[k] = v;
  }
  return out;
}

/**
 * Strategic merge patch for built-in kinds
 * (https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md):
 * like a merge patch, but lists whose field has patchStrategy `merge` are merged — item by item
 * on their patchMergeKey, or as a set for primitive lists — while other lists are replaced whole;
 * `$patch: replace|delete`, `$deleteFromPrimitiveList/<f>` and `$retainKeys` are honoured,
 * `$setElementOrder/<f>` is accepted (order not enforced). `lookup` gives the per-kind metadata
 * (see `patchMetaAt` in openapi-schemas.ts); without it, merge keys are guessed by field name.
 * @throws PatchInternalError when a list item lacks its declared merge key.
 */
export function strategicMergePatch(target: unknown, patch: unknown, lookup: PatchMetaLookup = byFieldName): unknown {
  if (!isObject(patch)) return clone(patch);
  return smpMap(lookup, [], target, patch);
}

/**
 * The three patch formats kube-apiserver accepts
 * (https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/):
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch for built-in kinds
 * (lists merged by their patchMergeKey, `$patch` directives, `$deleteFromPrimitiveList`).
 */

/** Thrown for a malformed patch or a failed JSON patch `test`; the server answers 422/400. */
export class PatchError extends Error {}

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

/**
 * patchMergeKey of list fields in built-in types, by field name (the Go struct tags in
 * k8s.io/api). `ports` is keyed by containerPort in containers and port in services.
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

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === "ports") {
    return items.some((i) => isObject(i) && "containerPort" in i) ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

function smpList(field: string, target: Json[] | undefined, patch: Json[]): Json[] {
  const directive = patch.find((p) => isObject(p) && p["$patch"] === "replace");
  if (directive) return clone(patch.filter((p) => p !== directive));
  if (MERGED_PRIMITIVES.has(field)) {
    const out = [...(target ?? [])];
    for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(clone(p));
    return out;
  }
  const key = mergeKeyFor(field, [...patch, ...(target ?? [])]);
  if (!key) return clone(patch.filter((p) => !(isObject(p) && "$patch" in p)));
  const out: Json[] = clone(target ?? []);
  for (const p of patch) {
    if (!isObject(p)) continue;
    const idx = out.findIndex((x) => isObject(x) && JSON.stringify(x[key]) === JSON.stringify(p[key]));
    if (p["$patch"] === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p) as Json;
    else out.push(strategicMergePatch({}, p) as Json);
  }
  return out;
}

/**
 * Strategic merge patch for built-in kinds: like a merge patch, but lists with a merge key are
 * merged item by item, `$patch: replace|delete` and `$deleteFromPrimitiveList/<f>` honoured,
 * `$setElementOrder/<f>` and `$retainKeys` accepted (order and retainKeys are not enforced).
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch["$patch"] === "replace") {
    const rest = { ...patch };
    delete rest["$patch"];
    return clone(rest);
  }
  if (patch["$patch"] === "delete") return {};
  const out: Record<string, Json> = isObject(target) ? { ...(clone(target) as Record<string, Json>) } : {};
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
    else if (Array.isArray(v)) out[k] = smpList(k, Array.isArray(out[k]) ? (out[k] as Json[]) : undefined, v);
    else if (isObject(v)) {
      if (v["$patch"] === "delete") delete out[k];
      else out[k] = strategicMergePatch(out[k], v) as Json;
    } else out[k] = v;
  }
  return out;
}

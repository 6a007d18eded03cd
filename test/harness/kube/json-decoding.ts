/**
 * The JSON decoding step of built-in kinds: kube-apiserver decodes a body into the Go types of
 * k8s.io/api with sigs.k8s.io/json (encoding/json semantics), so a value of the wrong JSON type
 * fails the whole request with 400 BadRequest before any validation, e.g.
 * `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into
 * Go struct field ObjectMeta.metadata.labels of type string` (a map value: the element type is
 * named; the field path is the JSON path from the object root, prefixed by the Go struct that
 * holds the field — e.g. `ObjectMeta.spec.jobTemplate.metadata.labels`, `ServiceSpec.spec.selector`,
 * as seen in kubectl/helm error reports such as netbox-community/netbox-chart#1034).
 * Only the typed fields cheap to check are covered: ObjectMeta (the object's and embedded pod/job
 * templates'), ConfigMap data/binaryData, Secret data/stringData, Service spec.selector, and the
 * MicroTime strings of Leases and Events (micro-time.ts).
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { ResourceType } from "./resource-types.js";
import { microTimeError, microTimeFields } from "./micro-time.js";
import { badRequest } from "./status.js";

/** The JSON type names encoding/json prints in an UnmarshalTypeError. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "object" : typeof v;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A field whose wrong type was found: Go struct name, JSON path, Go type, JSON type found. */
interface Mismatch {
  struct: string;
  path: string;
  goType: string;
  found: string;
}

type Check = (v: unknown) => { goType: string; found: string } | undefined;

const scalar = (goType: string, ok: (v: unknown) => boolean): Check => (v) => (ok(v) ? undefined : { goType, found: jsonType(v) });
const str = scalar("string", (v) => typeof v === "string");

/** map[string]<elem>: a non-object is reported against the map type, a bad value against the element type. */
function mapOf(elemGo: string, elemOk: (v: unknown) => boolean): Check {
  return (v) => {
    if (!isMap(v)) return { goType: `map[string]${elemGo}`, found: jsonType(v) };
    // null map values decode to the zero value, as encoding/json does.
    for (const x of Object.values(v)) if (x !== null && !elemOk(x)) return { goType: elemGo, found: jsonType(x) };
    return undefined;
  };
}
const stringMap = mapOf("string", (x) => typeof x === "string");
const bytesMap = mapOf("[]uint8", (x) => typeof x === "string");

const OBJECT_META: Record<string, Check> = {
  name: str,
  generateName: str,
  namespace: str,
  resourceVersion: str,
  labels: stringMap,
  annotations: stringMap,
  finalizers: (v) => (!Array.isArray(v) ? { goType: "[]string", found: jsonType(v) } : v.some((x) => typeof x !== "string") ? { goType: "string", found: jsonType(v.find((x) => typeof x !== "string")) } : undefined),
  ownerReferences: (v) => (!Array.isArray(v) ? { goType: "[]v1.OwnerReference", found: jsonType(v) } : v.some((x) => !isMap(x)) ? { goType: "v1.OwnerReference", found: jsonType(v.find((x) => !isMap(x))) } : undefined),
};

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isMap(cur) ? cur[p] : undefined;
  return cur;
}

function checkFields(obj: unknown, struct: string, base: readonly string[], fields: Record<string, Check>): Mismatch | undefined {
  const holder = at(obj, base);
  if (!isMap(holder)) return undefined;
  for (const [field, check] of Object.entries(fields)) {
    const v = holder[field];
    if (v === undefined || v === null) continue;
    const bad = check(v);
    if (bad) return { struct, path: [...base, field].join("."), ...bad };
  }
  return undefined;
}

/** Where each built-in kind embeds an ObjectMeta besides its own (pod and job templates). */
function templateMetaPaths(t: ResourceType): string[][] {
  if (t.group === "apps" && ["deployments", "statefulsets", "daemonsets", "replicasets"].includes(t.plural)) return [["spec", "template", "metadata"]];
  if (t.group === "batch" && t.plural === "jobs") return [["spec", "template", "metadata"]];
  if (t.group === "batch" && t.plural === "cronjobs") return [["spec", "jobTemplate", "metadata"], ["spec", "jobTemplate", "spec", "template", "metadata"]];
  if (t.group === "" && t.plural === "podtemplates") return [["template", "metadata"]];
  return [];
}

function kindFields(t: ResourceType): { struct: string; base: string[]; fields: Record<string, Check> }[] {
  if (t.group !== "") return [];
  if (t.plural === "configmaps") return [{ struct: "ConfigMap", base: [], fields: { data: stringMap, binaryData: bytesMap } }];
  if (t.plural === "secrets") return [{ struct: "Secret", base: [], fields: { data: bytesMap, stringData: stringMap, type: str } }];
  if (t.plural === "services") return [{ struct: "ServiceSpec", base: ["spec"], fields: { selector: stringMap } }];
  return [];
}

/**
 * Fails like kube-apiserver's decoder when a typed field of a built-in object has the wrong JSON
 * type (custom resources are checked against their CRD schema instead). `null` members count as
 * absent and are dropped from the object's metadata.
 * @throws ApiError 400 BadRequest naming the Go struct field and type.
 */
export function checkJsonTypes(t: ResourceType, obj: KubeObject): void {
  const metaPaths = t.custom ? [["metadata"]] : [["metadata"], ...templateMetaPaths(t)];
  const checks = [
    ...metaPaths.map((base) => ({ struct: "ObjectMeta", base, fields: OBJECT_META })),
    ...(t.custom ? [] : kindFields(t)),
  ];
  for (const c of checks) {
    const bad = checkFields(obj, c.struct, c.base, c.fields);
    if (bad) {
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: json: cannot unmarshal ${bad.found} into Go struct field ${bad.struct}.${bad.path} of type ${bad.goType}`,
      );
    }
  }
  if (!t.custom) {
    for (const [, value] of microTimeFields(t.group, t.plural, obj)) {
      const err = microTimeError(value);
      if (err !== undefined) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${err}`);
    }
  }
  const meta = obj.metadata as Record<string, unknown>;
  for (const field of Object.keys(OBJECT_META)) if (meta[field] === null) delete meta[field];
}

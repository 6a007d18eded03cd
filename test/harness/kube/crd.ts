/**
 * CustomResourceDefinitions (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/):
 * validating a CRD, marking it NamesAccepted/Established a moment after it is created (the create
 * answers `conditions: null` and empty acceptedNames, as kube-apiserver 1.37.2 does), serving each served version
 * as a ResourceType (status subresource, printer columns), deleting its objects with it, and
 * checking custom objects against the version's structural schema (schema.ts).
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { TypeRegistry, CustomVersionInfo } from "./registry.js";
import type { ResourceType } from "./resource-types.js";
import { celCauses, hasCelRules } from "./cel.js";
import { checkSchema, type Schema } from "./schema.js";
import { validateCrdShared, validateCrdVersions, validateStoredVersions } from "./crd-validation.js";
import type { CustomHooks } from "./semantics.js";
import { kubeTime } from "./object-meta.js";
import { invalidValue, notSupported, required, type Cause } from "./status.js";
import { objectKey, resourceKey, type ObjectStore } from "./store.js";
import type { PrinterColumn } from "./table.js";

interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  selectableFields?: Array<{ jsonPath?: string }>;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function specOf(obj: KubeObject): CrdSpec {
  return (obj["spec"] ?? {}) as CrdSpec;
}

/** Validates a CRD as apiextensions-apiserver does (names here, versions and schemas in crd-validation.ts). */
export function validateCrd(obj: KubeObject): Cause[] {
  const spec = specOf(obj);
  const causes: Cause[] = [];
  const group = spec.group ?? "";
  const plural = spec.names?.plural ?? "";
  // ValidateCustomResourceDefinition's order: metadata, group, scope, versions, names, shared schema.
  if (obj.metadata.name !== `${plural}.${group}`) {
    causes.push(invalidValue("metadata.name", obj.metadata.name ?? "", 'must be spec.names.plural+"."+spec.group'));
  }
  if (!group) causes.push(required("spec.group"));
  else if (!group.includes(".")) causes.push(invalidValue("spec.group", group, "should be a domain with at least one dot"));
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") causes.push(notSupported("spec.scope", spec.scope ?? "", ["Cluster", "Namespaced"]));
  causes.push(...validateCrdVersions(obj));
  if (!plural) causes.push(required("spec.names.plural"));
  if (!spec.names?.kind) causes.push(required("spec.names.kind"));
  causes.push(...validateCrdShared(obj));
  return causes;
}

/**
 * apiextensions-apiserver's default warning for a deprecated version: `<group>/<version> <Kind> is
 * deprecated; use <group>/<version> <Kind>` naming the storage version (or the first other served,
 * non-deprecated one).
 */
function defaultDeprecationWarning(spec: CrdSpec, v: CrdVersion): string {
  const kind = spec.names?.kind ?? "";
  const others = (spec.versions ?? []).filter((x) => x !== v && x.served !== false && !x.deprecated);
  const use = others.find((x) => x.storage) ?? others[0];
  const head = `${spec.group ?? ""}/${v.name ?? ""} ${kind} is deprecated`;
  return use ? `${head}; use ${spec.group ?? ""}/${use.name ?? ""} ${kind}` : head;
}

/** The ResourceTypes a CRD serves, one per served version. */
export function crdResourceTypes(obj: KubeObject): { type: ResourceType; info: CustomVersionInfo }[] {
  const spec = specOf(obj);
  const names = spec.names ?? {};
  const kind = names.kind ?? "";
  return (spec.versions ?? [])
    .filter((v) => v.served !== false && v.name)
    .map((v) => ({
      type: {
        group: spec.group ?? "",
        version: v.name ?? "",
        kind,
        listKind: names.listKind ?? `${kind}List`,
        plural: names.plural ?? "",
        singular: names.singular ?? kind.toLowerCase(),
        namespaced: spec.scope !== "Cluster",
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        verbs: ALL_VERBS,
        // The scale subresource of custom resources is not served, so it is not advertised either.
        subresources: v.subresources?.status ? ["status"] : [],
        custom: true,
        storage: v.storage === true,
      },
      info: {
        crdName: obj.metadata.name ?? "",
        schema: v.schema?.openAPIV3Schema,
        statusSubresource: v.subresources?.status !== undefined,
        columns: v.additionalPrinterColumns,
        ...(v.selectableFields ? { selectableFields: v.selectableFields.map((f) => (f.jsonPath ?? "").replace(/^\./, "")) } : {}),
        ...(v.deprecated ? { deprecationWarning: v.deprecationWarning ?? defaultDeprecationWarning(spec, v) } : {}),
      },
    }));
}

function condition(type: string, reason: string, message: string, now: Date): Record<string, unknown> {
  return { type, status: "True", lastTransitionTime: kubeTime(now), reason, message };
}

/** The names a CRD's status accepts: its spec's, with kube-apiserver's defaults. */
function acceptedNames(obj: KubeObject): Record<string, unknown> {
  const names = specOf(obj).names ?? {};
  const kind = names.kind ?? "";
  return {
    plural: names.plural,
    singular: names.singular ?? kind.toLowerCase(),
    kind,
    listKind: names.listKind ?? `${kind}List`,
    ...(names.shortNames ? { shortNames: names.shortNames } : {}),
    ...(names.categories ? { categories: names.categories } : {}),
  };
}

/** The custom-resource hooks of Semantics, bound to a registry and store. */
export function customResourceHooks(registry: TypeRegistry, store: ObjectStore, now: () => Date): CustomHooks {
  const CRDS = resourceKey("apiextensions.k8s.io", "customresourcedefinitions");
  const pending = new Set<string>();
  /** The naming and establishing controllers: conditions and accepted names written, the versions served. */
  const establish = (name: string): void => {
    pending.delete(name);
    const current = store.get(CRDS, name);
    if (!current || current.metadata.deletionTimestamp) return;
    const status = (current["status"] ?? {}) as Record<string, unknown>;
    if (!status["conditions"]) {
      const t = now();
      const conditions = [
        condition("NamesAccepted", "NoConflicts", "no conflicts found", t),
        condition("Established", "InitialNamesAccepted", "the initial names have been accepted", t),
      ];
      const next = { ...current, metadata: { ...current.metadata, resourceVersion: String(store.nextRV()) }, status: { ...status, conditions, acceptedNames: acceptedNames(current) } };
      store.put(CRDS, name, next);
      registry.setCrdTypes(name, crdResourceTypes(next));
      return;
    }
    registry.setCrdTypes(name, crdResourceTypes(current));
  };
  return {
    checkCustom(t, obj) {
      const schema = registry.customInfo(t)?.schema as Schema | undefined;
      if (!schema) return { obj, causes: [], unknown: [] };
      const checked = checkSchema(obj, schema);
      // Stored at the storage version: what its schema does not know is pruned there too.
      const storage = registry.all().find((x) => x.custom && x.group === t.group && x.plural === t.plural && x.storage === true);
      const storageSchema = storage && storage.version !== t.version ? (registry.customInfo(storage)?.schema as Schema | undefined) : undefined;
      const r = storageSchema ? { ...checked, value: checkSchema(checked.value, storageSchema, { defaults: false }).value } : checked;
      if (!hasCelRules(schema)) return { obj: r.value as KubeObject, causes: r.causes, unknown: r.unknown };
      // The CEL rules run only when schema validation found no "blocking" error (strategy.go hasBlockingErr).
      const blocking = r.causes.some((c) => ["FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"].includes(c.reason));
      const cel = blocking
        ? [{ reason: "FieldValueInvalid" as const, field: "<nil>", message: "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation" }]
        : celCauses(r.value, schema);
      return { obj: r.value as KubeObject, causes: [...r.causes, ...cel], unknown: r.unknown };
    },
    convert(t, obj) {
      const schema = registry.customInfo(t)?.schema as Schema | undefined;
      // Conversion None: only pruning by the read version's schema, no defaulting (checked against kube-apiserver 1.37.2).
      return schema ? (checkSchema(obj, schema, { defaults: false }).value as KubeObject) : obj;
    },
    prepareCrd(obj, old, subresource) {
      if (subresource === "status" && old) {
        // The status strategy keeps the stored spec and does not check storedVersions (a client
        // rewrites them after a storage migration); v1 defaulting fills an empty list with the
        // storage version.
        const st = (obj["status"] ?? {}) as { storedVersions?: string[] };
        if ((st.storedVersions ?? []).length > 0) return { obj, causes: [] };
        const storage = (specOf(obj).versions ?? []).find((v) => v.storage)?.name;
        return { obj: { ...obj, status: { ...st, storedVersions: storage ? [storage] : [] } }, causes: [] };
      }
      const causes = validateCrd(obj);
      if (old && JSON.stringify(specOf(old).names?.plural) !== JSON.stringify(specOf(obj).names?.plural)) {
        causes.push(invalidValue("status.acceptedNames.plural", specOf(obj).names?.plural ?? "", "cannot change plural name"));
      }
      if (old && specOf(old).scope !== specOf(obj).scope) causes.push(invalidValue("spec.scope", specOf(obj).scope ?? "", "field is immutable"));
      const spec = specOf(obj);
      const oldStatus = (old?.["status"] ?? {}) as { storedVersions?: string[]; conditions?: unknown[] };
      // PrepareForCreate/Update: the first version marked storage joins storedVersions.
      const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
      const stored = [...new Set([...(oldStatus.storedVersions ?? []), ...(storage ? [storage] : [])])];
      // A new CRD is stored unestablished: kube-apiserver's naming and establishing controllers
      // write its conditions and accepted names a moment later (establish() below).
      const status = {
        conditions: old ? (oldStatus.conditions ?? null) : null,
        acceptedNames: old && oldStatus.conditions ? acceptedNames(obj) : { plural: "", kind: "" },
        storedVersions: stored,
      };
      const out = { ...obj, status };
      causes.push(...validateStoredVersions(out));
      return { obj: out, causes };
    },
    crdChanged(obj, removed) {
      const name = obj.metadata.name ?? "";
      if (!removed) {
        if ((obj["status"] as { conditions?: unknown } | undefined)?.conditions) registry.setCrdTypes(name, crdResourceTypes(obj));
        else if (!pending.has(name)) {
          pending.add(name);
          setImmediate(() => establish(name));
        }
        return;
      }
      const spec = specOf(obj);
      const res = resourceKey(spec.group ?? "", spec.names?.plural ?? "");
      for (const o of store.list(res)) store.remove(res, objectKey(o.metadata.namespace, o.metadata.name ?? ""));
      registry.setCrdTypes(name, []);
    },
  };
}

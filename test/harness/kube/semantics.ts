/**
 * The object semantics of kube-apiserver's generic registry
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/): uid/creationTimestamp on
 * create, one increasing resourceVersion, generation bumped on spec changes only, optimistic
 * concurrency, no-op updates that write nothing, status subresource split, dry-run, deletion with
 * finalizers and deletionTimestamp. HTTP-free: the server layer maps requests onto these calls.
 */
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../../../src/kube/types.js";
import type { TypeRegistry } from "./registry.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import { objectKey, resourceKey, type ObjectStore } from "./store.js";
import {
  ApiError, alreadyExists, badRequest, conflict, forbiddenMessage, invalid, notFound, required, type Cause,
} from "./status.js";
import { sameJson } from "./canonical-json.js";
import { afterCreate, afterUpdate } from "./server-side-apply.js";
import { generatedName, keepSystemFields, kubeTime, specChanged, type Meta } from "./object-meta.js";
import { eventFromCore, eventToCore, isEventsV1 } from "./event-conversion.js";
import { checkJsonTypes } from "./json-decoding.js";
import { normalizeSecret, unknownBuiltinFields, validateBuiltin, validateMetadata, validateName, validateNamespaceName } from "./validation.js";

/** What custom-resource support (crd.ts) plugs into the generic semantics. */
export interface CustomHooks {
  /** Validates and prunes a custom object; `unknown` lists pruned field paths. */
  checkCustom(t: ResourceType, obj: KubeObject): { obj: KubeObject; causes: Cause[]; unknown: string[] };
  /** Extra validation and defaulting of a CRD object (returns causes; may set status); `subresource` "status" for status writes. */
  prepareCrd(obj: KubeObject, old: KubeObject | undefined, subresource?: string): { obj: KubeObject; causes: Cause[] };
  /** After a CRD was stored or removed. */
  crdChanged(obj: KubeObject, removed: boolean): void;
  /** A stored custom object read at another version (None conversion: pruned by that version's schema). */
  convert(t: ResourceType, obj: KubeObject): KubeObject;
}

/** What garbage collection (gc.ts) wants to hear about. */
export interface DeletionHooks {
  /** An object left the store. */
  removed(t: ResourceType, obj: KubeObject): void;
  /** An object got (or still has) a deletionTimestamp and finalizers. */
  terminating(t: ResourceType, obj: KubeObject): void;
}

/** Per-request write options. */
export interface WriteOptions {
  dryRun?: boolean;
  /** Strict | Warn | Ignore (query parameter fieldValidation; default Warn as in 1.27+). */
  fieldValidation?: string;
  /** "status" when writing through the status subresource. */
  subresource?: string;
  /** Collects `Warning` header texts. */
  warnings?: string[];
  /** Validating admission: runs after validation (dry runs too), before storing; throws to refuse. */
  admit?: (obj: KubeObject, old: KubeObject | undefined) => void;
  /** The field manager of a non-apply write (query fieldManager, else the User-Agent's program name). */
  manager?: string;
  /** A server-side apply: its body already carries the managedFields (server-side-apply.ts). */
  applied?: boolean;
}

/** DeleteOptions as the body/query of DELETE carries them. */
export interface DeleteOptions {
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

/** The generic registry semantics over an ObjectStore; see the module comment. */
export class Semantics {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: TypeRegistry,
    private readonly now: () => Date,
    private readonly random: () => number,
    private readonly custom: CustomHooks,
    private readonly deletion: DeletionHooks,
    /** Fills in what controllers add right after a create (legacy ServiceAccount token Secrets). */
    private readonly afterCreateDefaults: (t: ResourceType, obj: KubeObject) => KubeObject = (_t, o) => o,
  ) {}

  /** True when the type keeps metadata.generation. */
  tracksGeneration(t: ResourceType): boolean {
    return t.custom || t.group === "apps" || t.group === "apiextensions.k8s.io";
  }

  private hasStatus(t: ResourceType): boolean {
    if (t.custom) return this.registry.customInfo(t)?.statusSubresource ?? false;
    return t.subresources.includes("status");
  }

  /** Where a type's objects are stored (events.k8s.io Events share the core Events' storage). */
  storageKey(t: Pick<ResourceType, "group" | "plural">): string {
    return isEventsV1(t) ? resourceKey("", "events") : resourceKey(t.group, t.plural);
  }

  private res(t: ResourceType): string {
    return this.storageKey(t);
  }

  /** For events.k8s.io: the core Event type that stores them. */
  private coreEvents(): ResourceType {
    const t = this.registry.find("", "v1", "events");
    if (!t) throw new Error("core events type missing from the registry");
    return t;
  }

  /** The stored object as served at `t`'s version, or undefined. */
  find(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.store.get(this.res(t), objectKey(t.namespaced ? namespace : undefined, name));
    return o && this.asVersion(t, o);
  }

  /** Sets apiVersion/kind for the version being served (CRD versions share storage). */
  asVersion(t: ResourceType, o: KubeObject): KubeObject {
    if (isEventsV1(t)) return o.apiVersion === "v1" ? eventFromCore(o) : o;
    const apiVersion = apiVersionOf(t);
    if (o.apiVersion === apiVersion && o.kind === t.kind) return o;
    return t.custom ? this.custom.convert(t, { ...o, apiVersion, kind: t.kind }) : { ...o, apiVersion, kind: t.kind };
  }

  /** GET one. @throws ApiError 404. */
  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const o = this.find(t, namespace, name);
    if (!o) throw notFound(t, name);
    return o;
  }

  /** All objects of a type (optionally one namespace), in key order, at `t`'s version. */
  list(t: ResourceType, namespace: string | undefined): KubeObject[] {
    const items = this.store.list(this.res(t), t.namespaced ? namespace : undefined);
    return t.custom || isEventsV1(t) ? items.map((o) => this.asVersion(t, o)) : items;
  }

  private checkNamespace(t: ResourceType, namespace: string | undefined, name: string): void {
    if (!t.namespaced) return;
    const ns = this.store.get("/namespaces", namespace ?? "");
    if (!ns) throw notFound({ group: "", plural: "namespaces" }, namespace ?? "");
    if (ns.metadata.deletionTimestamp) {
      throw forbiddenMessage(t, name, `unable to create new content in namespace ${namespace ?? ""} because it is being terminated`);
    }
  }

  private decode(t: ResourceType, obj: KubeObject, opts: WriteOptions): KubeObject {
    if (t.custom) return obj;
    const unknown = unknownBuiltinFields(t, obj);
    this.reportUnknown(t, unknown, opts);
    let out = obj;
    for (const f of unknown) {
      if (!f.includes(".")) {
        out = { ...out };
        delete out[f];
      }
    }
    if (t.group === "" && t.plural === "secrets") out = normalizeSecret(out);
    return out;
  }

  private reportUnknown(t: ResourceType, unknown: string[], opts: WriteOptions): void {
    if (unknown.length === 0) return;
    const mode = opts.fieldValidation ?? "Warn";
    if (mode === "Strict") {
      const list = unknown.map((f) => `unknown field "${f}"`);
      const what = list.length === 1 ? list[0] : list.join(", ");
      throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${what}`);
    }
    if (mode === "Warn") for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
  }

  private validate(t: ResourceType, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): KubeObject {
    const causes: Cause[] = validateMetadata(obj, t.custom);
    let out = obj;
    if (t.custom) {
      const r = this.custom.checkCustom(t, obj);
      this.reportUnknown(t, r.unknown, opts);
      out = r.obj;
      causes.push(...r.causes);
    } else {
      causes.push(...validateBuiltin(t, obj, old));
      if (t.group === "apiextensions.k8s.io" && t.plural === "customresourcedefinitions") {
        const r = this.custom.prepareCrd(obj, old, opts.subresource);
        out = r.obj;
        causes.push(...r.causes);
      }
    }
    if (causes.length > 0) throw invalid(t, obj.metadata.name ?? "", causes);
    return out;
  }

  /**
   * POST: creates an object. `namespace` is the path's namespace.
   * @throws ApiError 400/404/409/422 as the real server.
   */
  create(t: ResourceType, namespace: string | undefined, body: KubeObject, opts: WriteOptions = {}): KubeObject {
    if (isEventsV1(t) && body && typeof body === "object") return this.asVersion(t, this.create(this.coreEvents(), namespace, eventToCore(body), opts));
    if (!body || typeof body !== "object" || typeof body.metadata !== "object" || body.metadata === null) {
      if (!body || typeof body !== "object") throw badRequest("the body of the request was in an unknown format");
      body = { ...body, metadata: {} };
    }
    const meta = { ...body.metadata };
    checkJsonTypes(t, { ...body, metadata: meta });
    if (t.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace ?? meta.namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName, this.random);
    const name = meta.name ?? "";
    const causes: Cause[] = [];
    if (!name) causes.push(required("metadata.name", "name or generateName is required"));
    else causes.push(...validateName(t, name));
    if (t.namespaced && meta.namespace) causes.push(...validateNamespaceName(meta.namespace));
    if (causes.length > 0) throw invalid(t, name, causes);
    let obj = this.decode(t, { ...body, apiVersion: apiVersionOf(t), kind: t.kind, metadata: meta }, opts);
    this.checkNamespace(t, meta.namespace, name);
    if (this.store.get(this.res(t), objectKey(meta.namespace, name))) throw alreadyExists(t, name);
    // etcd3 store Create: a set (parseable, non-zero) resourceVersion is a plain 500 (no reason).
    const rvIn = obj.metadata.resourceVersion;
    if (rvIn !== undefined && /^\d+$/.test(rvIn) && Number(rvIn) !== 0) {
      throw new ApiError(500, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "resourceVersion should not be set on objects to be created", code: 500 });
    }
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    delete (obj.metadata as Meta).deletionGracePeriodSeconds;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = kubeTime(this.now());
    if (this.tracksGeneration(t)) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    if (t.group === "" && t.plural === "namespaces") {
      obj.metadata.labels = { ...obj.metadata.labels, "kubernetes.io/metadata.name": name };
      obj["spec"] = { finalizers: ["kubernetes"] };
      obj["status"] = { phase: "Active" };
    }
    if (this.hasStatus(t) && t.custom) delete obj["status"];
    if (!opts.applied && opts.manager !== undefined) {
      const managed = afterCreate(obj, opts.manager, apiVersionOf(t), kubeTime(this.now()));
      if (managed.length > 0) obj.metadata = { ...obj.metadata, managedFields: managed } as KubeObject["metadata"];
      else delete (obj.metadata as { managedFields?: unknown }).managedFields;
    }
    obj = this.validate(t, obj, undefined, opts);
    opts.admit?.(obj, undefined);
    if (opts.dryRun) return obj;
    obj = this.afterCreateDefaults(t, obj);
    obj.metadata.resourceVersion = String(this.store.nextRV());
    this.store.put(this.res(t), objectKey(meta.namespace, name), obj);
    if (t.plural === "customresourcedefinitions" && t.group === "apiextensions.k8s.io") this.custom.crdChanged(obj, false);
    if (t.group === "" && t.plural === "namespaces") this.ensureDefaultServiceAccount(name);
    return this.asVersion(t, obj);
  }

  /** Creates the namespace's `default` ServiceAccount, as the ServiceAccount controller does. */
  private ensureDefaultServiceAccount(ns: string): void {
    const sa = this.registry.find("", "v1", "serviceaccounts");
    if (sa && !this.find(sa, ns, "default")) this.create(sa, ns, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
  }

  /**
   * PUT (also the last step of PATCH): replaces an object, honouring metadata.resourceVersion.
   * A write that changes nothing stores nothing and keeps the resourceVersion.
   * @throws ApiError 400/404/409/422.
   */
  update(t: ResourceType, namespace: string | undefined, name: string, body: KubeObject, opts: WriteOptions = {}): KubeObject {
    if (isEventsV1(t) && body && typeof body === "object") return this.asVersion(t, this.update(this.coreEvents(), namespace, name, eventToCore(body), opts));
    const ns = t.namespaced ? namespace : undefined;
    const old = this.find(t, ns, name);
    if (!old) throw notFound(t, name);
    if (!body || typeof body !== "object" || typeof body.metadata !== "object" || body.metadata === null) {
      throw badRequest("the body of the request was in an unknown format");
    }
    checkJsonTypes(t, body);
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (t.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const rv = body.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw conflict(t, name);
    if ((rv === undefined || rv === "") && t.custom) {
      // Go prints the uint64 zero with %#v: `Invalid value: 0x0`.
      throw invalid(t, name, [{ reason: "FieldValueInvalid", field: "metadata.resourceVersion", message: "Invalid value: 0x0: must be specified for an update" }]);
    }
    let obj = this.decode(t, { ...body, apiVersion: apiVersionOf(t), kind: t.kind }, opts);
    const hasStatus = this.hasStatus(t);
    if (opts.subresource === "status") {
      // The status strategy keeps everything but status from the stored object.
      obj = { ...old, status: obj["status"] };
      if (obj["status"] === undefined) delete obj["status"];
    } else if (hasStatus) {
      obj = { ...obj };
      if (old["status"] === undefined) delete obj["status"];
      else obj["status"] = old["status"];
    }
    const oldMeta: Meta = old.metadata;
    // System fields cannot be changed by clients.
    const meta = keepSystemFields(obj.metadata, oldMeta, ns, name);
    if (this.tracksGeneration(t)) meta.generation = (oldMeta.generation ?? 1) + (specChanged(obj, old, hasStatus) ? 1 : 0);
    else delete meta.generation;
    if (old.metadata.deletionTimestamp && (meta.finalizers ?? []).some((f) => !(old.metadata.finalizers ?? []).includes(f))) {
      throw invalid(t, name, [{ reason: "FieldValueForbidden", field: "metadata.finalizers", message: "Forbidden: no new finalizers can be added if the object is being deleted" }]);
    }
    if (t.group === "" && t.plural === "namespaces") {
      // Only the finalize subresource changes a namespace's spec (spec.finalizers).
      const spec = opts.subresource === "finalize" ? { ...(old["spec"] as object | undefined), finalizers: (obj["spec"] as { finalizers?: unknown } | undefined)?.finalizers ?? [] } : old["spec"];
      obj = { ...obj, spec };
    }
    // A write without managedFields keeps them; a non-apply write moves the fields it changed to
    // its manager's Update entry (server-side-apply.ts).
    const oldManaged = (oldMeta as { managedFields?: unknown }).managedFields;
    if ((meta as { managedFields?: unknown }).managedFields === undefined && oldManaged !== undefined) (meta as { managedFields?: unknown }).managedFields = oldManaged;
    obj = { ...obj, metadata: meta };
    if (!opts.applied && opts.subresource === undefined && opts.manager !== undefined) {
      const managed = afterUpdate(old, obj, opts.manager, apiVersionOf(t), kubeTime(this.now()));
      if (managed.length > 0 || oldManaged !== undefined) obj = { ...obj, metadata: { ...obj.metadata, managedFields: managed } as KubeObject["metadata"] };
    }
    obj = this.validate(t, obj, old, opts);
    opts.admit?.(obj, old);
    if (sameJson(obj, old)) return old;
    if (opts.dryRun) return obj;
    const key = objectKey(ns, name);
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
      this.removeNow(t, key, old);
      return { ...obj, metadata: { ...meta, resourceVersion: String(this.store.currentRV()) } };
    }
    obj.metadata.resourceVersion = String(this.store.nextRV());
    this.store.put(this.res(t), key, obj);
    if (t.plural === "customresourcedefinitions" && t.group === "apiextensions.k8s.io") this.custom.crdChanged(obj, false);
    if (meta.deletionTimestamp) this.deletion.terminating(t, obj);
    return this.asVersion(t, obj);
  }

  private removeNow(t: ResourceType, key: string, old: KubeObject): KubeObject {
    const gone = this.store.remove(this.res(t), key) ?? old;
    if (t.plural === "customresourcedefinitions" && t.group === "apiextensions.k8s.io") this.custom.crdChanged(gone, true);
    this.deletion.removed(t, gone);
    return gone;
  }

  /**
   * DELETE: removes the object at once, or — with finalizers or a Foreground/Orphan policy —
   * sets deletionTimestamp and leaves it for the finalizers' owners (returns deleted=false).
   * @throws ApiError 404, 409 (preconditions).
   */
  delete(t: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): { obj: KubeObject; deleted: boolean } {
    const ns = t.namespaced ? namespace : undefined;
    const old = this.find(t, ns, name);
    if (!old) throw notFound(t, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(t, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ""}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(t, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ""}`);
    }
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    const isNamespace = t.group === "" && t.plural === "namespaces";
    if (isNamespace && ["default", "kube-system", "kube-public"].includes(name)) {
      throw forbiddenMessage(t, name, "this namespace may not be deleted");
    }
    if (finalizers.length === 0 && !isNamespace) {
      if (opts.dryRun) return { obj: old, deleted: true };
      return { obj: this.removeNow(t, objectKey(ns, name), old), deleted: true };
    }
    const meta: Meta = { ...old.metadata, finalizers: finalizers.length > 0 ? finalizers : undefined };
    if (meta.finalizers === undefined) delete meta.finalizers;
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = kubeTime(this.now());
      meta.deletionGracePeriodSeconds = 0;
      if (this.tracksGeneration(t)) meta.generation = (meta.generation ?? 1) + 1;
    }
    const obj: KubeObject = { ...old, metadata: meta };
    if (isNamespace) obj["status"] = { ...(old["status"] as object | undefined), phase: "Terminating" };
    if (opts.dryRun) return { obj, deleted: false };
    if (!sameJson(obj, old)) {
      obj.metadata.resourceVersion = String(this.store.nextRV());
      this.store.put(this.res(t), objectKey(ns, name), obj);
    }
    this.deletion.terminating(t, obj);
    return { obj: this.asVersion(t, obj), deleted: false };
  }

  /** Removes a terminating namespace once its content is gone (namespace controller's last step). */
  finalizeNamespace(name: string): void {
    const old = this.store.get("/namespaces", name);
    const t = this.registry.find("", "v1", "namespaces");
    if (old && t && old.metadata.deletionTimestamp && (old.metadata.finalizers ?? []).length === 0) this.removeNow(t, name, old);
  }

  /** Wraps non-ApiError failures (bugs) so the HTTP layer still answers with a Status. */
  static isApiError(e: unknown): e is ApiError {
    return e instanceof ApiError;
  }
}

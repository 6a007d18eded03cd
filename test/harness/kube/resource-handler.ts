/**
 * Serves resource requests (get, list, watch, create, update, patch, delete, deletecollection and
 * the status/token/proxy subresources, TokenReview) on top of Semantics, in kube-apiserver's
 * wire format (https://kubernetes.io/docs/reference/using-api/api-concepts/).
 */
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { accessReviewResponse, selfSubjectReviewResponse } from "./access-review.js";
import { list, selectors, watch } from "./collection-handler.js";
import { itemForList, parseBody, sendJson, TABLE_TYPE, warningHeaders, type KubeContext, type ResourceRequest } from "./http-io.js";
import { builtinSchemaName, patchMetaAt } from "./openapi-schemas.js";
import { jsonPatch, mergePatch, PatchError, PatchInternalError, strategicMergePatch, type PatchMetaLookup } from "./patch.js";
import { ownerReferencesAdmission } from "./owner-references-admission.js";
import { kubeTime } from "./object-meta.js";
import { serverSideApply } from "./server-side-apply.js";
import { forward, parseProxyName } from "./proxy.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import type { DeleteOptions, WriteOptions } from "./semantics.js";
import {
  badRequest, invalid, invalidValue, methodNotAllowed, notFound, pathNotFound, serviceUnavailable, success, unknownError, unsupportedMediaType,
} from "./status.js";
import { toTable, wantsTable, type PrinterColumn } from "./table.js";
import { scaleOf, withScale } from "./scale.js";
import { tokenRequestResponse, tokenReviewResponse } from "./token-endpoints.js";

function writeOptions(ctx: KubeContext, r: ResourceRequest, warnings: string[], subresource?: string): WriteOptions {
  const q = r.query;
  const fv = q.get("fieldValidation") ?? undefined;
  if (fv !== undefined && !["Strict", "Warn", "Ignore"].includes(fv)) {
    throw badRequest(`fieldValidation must be one of "Strict", "Warn", or "Ignore", got "${fv}"`);
  }
  const dr = q.getAll("dryRun");
  if (dr.some((d) => d !== "All")) throw badRequest(`Invalid dry run value: ${dr.join(",")}`);
  const admit = ctx.admission.ownerReferencesPermissionEnforcement ? ownerReferencesAdmission(ctx, r.user, r.type, subresource) : undefined;
  // The real server's default field manager: the User-Agent's program name (before the first "/").
  const manager = q.get("fieldManager") ?? (String(r.req.headers["user-agent"] ?? "").split("/")[0] || "unknown");
  return { dryRun: dr.includes("All"), fieldValidation: fv, warnings, subresource, admit, manager };
}

/** Serves one resource request; returns the HTTP status written. @throws ApiError. */
export async function handleResource(ctx: KubeContext, r: ResourceRequest): Promise<number> {
  const { type: t, path: p } = r;
  const sub = p.subresource;
  const builtinSub = (sub === "scale" && t.group === "apps" && !t.custom) || (sub === "finalize" && t.group === "" && t.plural === "namespaces");
  if (sub !== undefined && sub !== "status" && !(sub === "token" && t.plural === "serviceaccounts") && sub !== "proxy" && !builtinSub) {
    throw pathNotFound();
  }
  if (sub !== undefined && !t.subresources.includes(sub) && !(sub === "status" && ctx.registry.customInfo(t)?.statusSubresource)) {
    throw pathNotFound();
  }
  if (sub === "proxy") return proxy(ctx, r);
  if (sub === "scale") return scale(ctx, r);
  if (sub === "finalize") {
    if (r.verb !== "update") throw methodNotAllowed(r.verb, t);
    return update(ctx, r);
  }
  if (sub === "token") return tokenRequest(ctx, r);
  if (t.group === "authentication.k8s.io" && t.plural === "tokenreviews") return tokenReview(ctx, r);
  if (t.namespaced && p.namespace === undefined && !["list", "watch"].includes(r.verb)) throw pathNotFound();
  if (t.group === "authorization.k8s.io" || (t.group === "authentication.k8s.io" && t.plural === "selfsubjectreviews")) return review(ctx, r);
  switch (r.verb) {
    case "get":
      return sendObject(r, 200, ctx.semantics.get(t, p.namespace, p.name ?? ""), [], ctx.registry.customInfo(t)?.columns, ctx.now());
    case "list":
      return list(ctx, r);
    case "watch":
      return watch(ctx, r);
    case "create":
      return create(ctx, r);
    case "update":
      return update(ctx, r);
    case "patch":
      return patch(ctx, r);
    case "delete":
      return remove(ctx, r);
    case "deletecollection":
      return deleteCollection(ctx, r);
    default:
      throw methodNotAllowed(r.verb, t);
  }
}

function sendObject(r: ResourceRequest, status: number, obj: KubeObject, warnings: string[] = [], columns?: PrinterColumn[], now?: Date): number {
  if (wantsTable(r.req.headers.accept) && (r.verb === "get")) {
    sendJson(r.res, status, toTable(r.type, [obj], { resourceVersion: obj.metadata.resourceVersion }, r.query.get("includeObject") ?? undefined, columns, now), warningHeaders(warnings), TABLE_TYPE);
    return status;
  }
  sendJson(r.res, status, obj, warningHeaders(warnings));
  return status;
}

function create(ctx: KubeContext, r: ResourceRequest): number {
  if (r.path.name !== undefined) throw methodNotAllowed("create", r.type);
  const warnings: string[] = [];
  const opts = writeOptions(ctx, r, warnings);
  const body = parseBody(r);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was in an unknown format");
  checkKind(r.type, body as KubeObject);
  const obj = ctx.semantics.create(r.type, r.path.namespace, body as KubeObject, opts);
  return sendObject(r, 201, obj, warnings);
}

function checkKind(t: ResourceType, body: KubeObject): void {
  if (body.kind !== undefined && body.kind !== "" && body.kind !== t.kind) {
    throw badRequest(`the API version in the data (${body.apiVersion ?? ""}) does not match the expected API version (${apiVersionOf(t)})`);
  }
}

function update(ctx: KubeContext, r: ResourceRequest): number {
  if (r.path.name === undefined) throw methodNotAllowed("update", r.type);
  const warnings: string[] = [];
  const opts = writeOptions(ctx, r, warnings, r.path.subresource);
  const body = parseBody(r);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was in an unknown format");
  checkKind(r.type, body as KubeObject);
  const obj = ctx.semantics.update(r.type, r.path.namespace, r.path.name, body as KubeObject, opts);
  return sendObject(r, 200, obj, warnings);
}

const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

function patch(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const name = r.path.name;
  if (name === undefined) throw methodNotAllowed("patch", t);
  const ct = (r.req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
  const warnings: string[] = [];
  const opts = writeOptions(ctx, r, warnings, r.path.subresource);
  const accepted = t.custom ? PATCH_TYPES : [...PATCH_TYPES.slice(0, 2), "application/strategic-merge-patch+json", PATCH_TYPES[2] ?? ""];
  if (!accepted.includes(ct)) throw unsupportedMediaType(ct, `${apiVersionOf(t)}, Kind=${t.kind}`, accepted);
  let patchBody: unknown;
  try {
    patchBody = ct === "application/apply-patch+yaml" ? parseYaml(r.body.toString("utf8")) : JSON.parse(r.body.toString("utf8"));
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  const current = ctx.semantics.find(t, r.path.namespace, name);
  if (ct === "application/apply-patch+yaml" && r.path.subresource === undefined) return apply(ctx, r, current, patchBody, opts);
  if (!current) throw notFound(t, name);
  let patched: unknown;
  try {
    if (ct === "application/json-patch+json") patched = jsonPatch(current, patchBody);
    else if (ct === "application/strategic-merge-patch+json") patched = strategicMergePatch(current, patchBody, patchMetaLookup(t));
    else {
      if (patchBody === null || typeof patchBody !== "object" || Array.isArray(patchBody)) throw new PatchError("patch must be a JSON object");
      patched = mergePatch(current, patchBody);
    }
  } catch (e) {
    if (e instanceof PatchInternalError) throw unknownError(e.message);
    if (e instanceof PatchError) throw invalid(t, name, [invalidValue("patch", "", e.message)]);
    throw e;
  }
  const obj = patched as KubeObject;
  if (!obj || typeof obj !== "object" || typeof obj.metadata !== "object") throw badRequest("the patched object is not a Kubernetes object");
  if (obj.metadata.resourceVersion === undefined) obj.metadata = { ...obj.metadata, resourceVersion: current.metadata.resourceVersion };
  const out = ctx.semantics.update(t, r.path.namespace, name, obj, opts);
  return sendObject(r, 200, out, warnings);
}

/** Server-side apply (server-side-apply.ts): creates, or merges with field ownership and conflicts. */
function apply(ctx: KubeContext, r: ResourceRequest, current: KubeObject | undefined, body: unknown, opts: WriteOptions): number {
  const t = r.type;
  const name = r.path.name ?? "";
  const manager = r.query.get("fieldManager");
  if (!manager) {
    throw invalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", [{ reason: "FieldValueRequired", field: "fieldManager", message: "Required value: is required for apply patch" }]);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("error decoding patch: the applied configuration is not an object");
  const config = body as KubeObject;
  if (config.metadata === undefined || config.metadata === null) config.metadata = {};
  if ((config.metadata as { managedFields?: unknown }).managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
  if (config.metadata.name !== undefined && config.metadata.name !== name) {
    throw badRequest(`the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${name})`);
  }
  const force = r.query.get("force") === "true";
  const next = serverSideApply(current, { ...config, metadata: { ...config.metadata, name } }, { manager, force, apiVersion: apiVersionOf(t), now: kubeTime(ctx.now()), type: t });
  const warnings = opts.warnings ?? [];
  const applied = { ...opts, applied: true };
  if (!current) return sendObject(r, 201, ctx.semantics.create(t, r.path.namespace, next, applied), warnings);
  if (next === current) return sendObject(r, 200, ctx.semantics.asVersion(t, current), warnings);
  const out = ctx.semantics.update(t, r.path.namespace, name, { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } }, applied);
  return sendObject(r, 200, out, warnings);
}

/**
 * The per-kind strategic-merge metadata (x-kubernetes-patch-merge-key / -patch-strategy, from the
 * k8s.io/api struct tags) for kinds with a schema in openapi-schemas.ts; other built-in kinds fall
 * back to merge keys by field name.
 */
function patchMetaLookup(t: ResourceType): PatchMetaLookup | undefined {
  if (builtinSchemaName(t.group, t.version, t.kind) === null) return undefined;
  return (path) => patchMetaAt(t.group, t.version, t.kind, path);
}

function deleteOptions(r: ResourceRequest): DeleteOptions {
  const body = parseBody(r) as Record<string, unknown> | undefined;
  const q = r.query;
  const opts: DeleteOptions = {};
  const policy = (body?.["propagationPolicy"] as string | undefined) ?? q.get("propagationPolicy") ?? undefined;
  if (policy !== undefined) {
    if (!["Background", "Foreground", "Orphan"].includes(policy)) {
      throw invalid({ group: "meta.k8s.io", kind: "DeleteOptions" }, "", [{ reason: "FieldValueNotSupported", field: "propagationPolicy", message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` }]);
    }
    opts.propagationPolicy = policy;
  }
  const grace = body?.["gracePeriodSeconds"] ?? q.get("gracePeriodSeconds");
  if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
  const dry = (body?.["dryRun"] as string[] | undefined) ?? q.getAll("dryRun");
  opts.dryRun = dry.includes("All");
  const pre = body?.["preconditions"] as DeleteOptions["preconditions"] | undefined;
  if (pre) opts.preconditions = pre;
  const orphan = body?.["orphanDependents"] ?? q.get("orphanDependents") ?? undefined;
  if (orphan !== undefined && orphan !== null) opts.orphanDependents = orphan === true || orphan === "true";
  return opts;
}

function remove(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const name = r.path.name ?? "";
  const opts = deleteOptions(r);
  const { obj, deleted } = ctx.semantics.delete(t, r.path.namespace, name, opts);
  // handlers/delete.go: 202 only when not deleted at once and orphanDependents=false was asked;
  // otherwise 200 with the object still there (deletionTimestamp set).
  if (!deleted) return sendObject(r, opts.orphanDependents === false ? 202 : 200, obj);
  if (t.custom) return sendObject(r, 200, obj);
  sendJson(r.res, 200, success(t, name, obj.metadata.uid));
  return 200;
}

function deleteCollection(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const opts = deleteOptions(r);
  const match = selectors(t, r.query, undefined, ctx.registry.customInfo(t)?.selectableFields);
  const out: KubeObject[] = [];
  for (const o of ctx.semantics.list(t, r.path.namespace).filter(match)) {
    out.push(ctx.semantics.delete(t, o.metadata.namespace, o.metadata.name ?? "", opts).obj);
  }
  sendJson(r.res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(ctx.store.currentRV()) }, items: out.map((o) => itemForList(t, o)) });
  return 200;
}

function tokenRequest(ctx: KubeContext, r: ResourceRequest): number {
  if (r.verb !== "create") throw methodNotAllowed(r.verb, r.type);
  const sa = ctx.semantics.get(r.type, r.path.namespace, r.path.name ?? "");
  sendJson(r.res, 201, tokenRequestResponse(ctx.tokens, sa, parseBody(r)));
  return 201;
}

function tokenReview(ctx: KubeContext, r: ResourceRequest): number {
  if (r.verb !== "create") throw methodNotAllowed(r.verb, r.type);
  sendJson(r.res, 201, tokenReviewResponse(ctx.tokens, parseBody(r)));
  return 201;
}

/** POST of a SelfSubjectReview or an authorization.k8s.io access review (`kubectl auth whoami` / `can-i`). */
function review(ctx: KubeContext, r: ResourceRequest): number {
  if (r.verb !== "create") throw methodNotAllowed(r.verb, r.type);
  const t = r.type;
  const body = t.kind === "SelfSubjectReview"
    ? selfSubjectReviewResponse(r.user)
    : accessReviewResponse(
      t.kind === "LocalSubjectAccessReview" ? { kind: t.kind, namespace: r.path.namespace ?? "" } : { kind: t.kind === "SubjectAccessReview" ? t.kind : "SelfSubjectAccessReview" },
      parseBody(r),
      r.user,
      ctx.rbac,
    );
  sendJson(r.res, 201, body);
  return 201;
}

async function proxy(ctx: KubeContext, r: ResourceRequest): Promise<number> {
  const t = r.type;
  const target = parseProxyName(r.path.name ?? "");
  const ns = r.path.namespace ?? "";
  ctx.semantics.get(t, ns, target.name);
  const base = ctx.backends.get(t.plural, ns, target.name);
  if (!base) throw serviceUnavailable(`no endpoints available for service "${target.name}"`);
  const q = r.query.toString();
  return forward(r.req, r.res, r.body, base, r.path.tail, q ? `?${q}` : "");
}

/** GET/PUT/PATCH of `…/deployments/<name>/scale` (autoscaling/v1 Scale). */
function scale(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const name = r.path.name ?? "";
  const current = ctx.semantics.get(t, r.path.namespace, name);
  if (r.verb === "get") return sendObject(r, 200, scaleOf(current));
  if (r.verb !== "update" && r.verb !== "patch") throw methodNotAllowed(r.verb, t);
  let wanted: KubeObject;
  if (r.verb === "update") wanted = parseBody(r) as KubeObject;
  else {
    const ct = (r.req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    let body: unknown;
    try {
      body = JSON.parse(r.body.toString("utf8"));
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    try {
      const base = scaleOf(current);
      wanted = (ct === "application/json-patch+json" ? jsonPatch(base, body) : ct === "application/strategic-merge-patch+json" ? strategicMergePatch(base, body) : mergePatch(base, body)) as KubeObject;
    } catch (e) {
      if (e instanceof PatchError) throw invalid({ group: "autoscaling", kind: "Scale" }, name, [invalidValue("patch", "", e.message)]);
      throw e;
    }
  }
  if (!wanted || typeof wanted !== "object") throw badRequest("the body of the request was in an unknown format");
  const replicas = (wanted["spec"] as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || replicas < 0) {
    throw invalid({ group: "autoscaling", kind: "Scale" }, name, [invalidValue("spec.replicas", replicas ?? null, "must be greater than or equal to 0")]);
  }
  const out = ctx.semantics.update(t, r.path.namespace, name, withScale(current, { ...wanted, metadata: wanted.metadata ?? {} }), writeOptions(ctx, r, [], "scale"));
  return sendObject(r, 200, scaleOf(out));
}

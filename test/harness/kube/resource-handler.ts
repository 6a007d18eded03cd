/**
 * Serves resource requests (get, list, watch, create, update, patch, delete, deletecollection and
 * the status/token/proxy subresources, TokenReview) on top of Semantics, in kube-apiserver's
 * wire format (https://kubernetes.io/docs/reference/using-api/api-concepts/).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import type { TokenAuthority, UserInfo } from "./auth.js";
import type { Faults } from "./faults.js";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch.js";
import { forward, parseProxyName, type ProxyBackends } from "./proxy.js";
import type { TypeRegistry } from "./registry.js";
import type { ResourcePath } from "./request-path.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.js";
import type { DeleteOptions, Semantics, WriteOptions } from "./semantics.js";
import {
  ApiError, badRequest, gone, invalid, invalidValue, methodNotAllowed, notFound, pathNotFound, serviceUnavailable, success, unsupportedMediaType,
} from "./status.js";
import type { ObjectStore } from "./store.js";
import { toTable, wantsTable, type PrinterColumn } from "./table.js";
import { decodeProtobufObject, isProtobuf } from "./protobuf.js";
import { tokenRequestResponse, tokenReviewResponse } from "./token-endpoints.js";
import { serveWatch } from "./watch.js";

/** What the resource handler works on. */
export interface KubeContext {
  store: ObjectStore;
  registry: TypeRegistry;
  semantics: Semantics;
  faults: Faults;
  tokens: TokenAuthority;
  backends: ProxyBackends;
  bookmarkIntervalMs: number;
}

/** One resource request, parsed. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  path: ResourcePath;
  type: ResourceType;
  verb: string;
  query: URLSearchParams;
  body: Buffer;
  user: UserInfo;
}

const TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function parseBody(r: ResourceRequest): unknown {
  const ct = r.req.headers["content-type"];
  if (isProtobuf(ct)) {
    try {
      return decodeProtobufObject(r.body);
    } catch (e) {
      throw badRequest(`the body of the request was in an unknown format - ${(e as Error).message}`);
    }
  }
  const text = r.body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return (ct ?? "").includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const kind = r.type.kind;
    throw badRequest(`${kind} in version "${r.type.version}" cannot be handled as a ${kind}: ${(e as Error).message}`);
  }
}

function writeOptions(q: URLSearchParams, warnings: string[], subresource?: string): WriteOptions {
  const fv = q.get("fieldValidation") ?? undefined;
  if (fv !== undefined && !["Strict", "Warn", "Ignore"].includes(fv)) {
    throw badRequest(`fieldValidation must be one of "Strict", "Warn", or "Ignore", got "${fv}"`);
  }
  const dr = q.getAll("dryRun");
  if (dr.some((d) => d !== "All")) throw badRequest(`Invalid dry run value: ${dr.join(",")}`);
  return { dryRun: dr.includes("All"), fieldValidation: fv, warnings, subresource };
}

function warningHeaders(warnings: string[]): Record<string, string> {
  return warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {};
}

function itemForList(t: ResourceType, o: KubeObject): KubeObject {
  if (t.custom) return o;
  const rest: KubeObject = { ...o };
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** Serves one resource request; returns the HTTP status written. @throws ApiError. */
export async function handleResource(ctx: KubeContext, r: ResourceRequest): Promise<number> {
  const { type: t, path: p } = r;
  const sub = p.subresource;
  if (sub !== undefined && sub !== "status" && !(sub === "token" && t.plural === "serviceaccounts") && sub !== "proxy") {
    throw pathNotFound();
  }
  if (sub !== undefined && !t.subresources.includes(sub) && !(sub === "status" && ctx.registry.customInfo(t)?.statusSubresource)) {
    throw pathNotFound();
  }
  if (sub === "proxy") return proxy(ctx, r);
  if (sub === "token") return tokenRequest(ctx, r);
  if (t.group === "authentication.k8s.io" && t.plural === "tokenreviews") return tokenReview(ctx, r);
  if (t.namespaced && p.namespace === undefined && !["list", "watch"].includes(r.verb)) throw pathNotFound();
  switch (r.verb) {
    case "get":
      return sendObject(r, 200, ctx.semantics.get(t, p.namespace, p.name ?? ""), [], ctx.registry.customInfo(t)?.columns);
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

function sendObject(r: ResourceRequest, status: number, obj: KubeObject, warnings: string[] = [], columns?: PrinterColumn[]): number {
  if (wantsTable(r.req.headers.accept) && (r.verb === "get")) {
    sendJson(r.res, status, toTable(r.type, [obj], { resourceVersion: obj.metadata.resourceVersion }, r.query.get("includeObject") ?? undefined, columns), warningHeaders(warnings), TABLE_TYPE);
    return status;
  }
  sendJson(r.res, status, obj, warningHeaders(warnings));
  return status;
}

function selectors(t: ResourceType, q: URLSearchParams, name?: string): (o: KubeObject) => boolean {
  try {
    const label = parseLabelSelector(q.get("labelSelector") ?? undefined);
    let fs = q.get("fieldSelector") ?? undefined;
    if (name !== undefined) fs = fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`;
    const field = parseFieldSelector(fs, t.kind, t.custom);
    return (o) => label(o) && field(o);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

function list(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const match = selectors(t, r.query);
  const rv = ctx.store.currentRV();
  let items = ctx.semantics.list(t, r.path.namespace).filter(match);
  const limit = Number(r.query.get("limit") ?? "0");
  const cont = r.query.get("continue");
  if (cont) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(cont, "base64").toString("utf8")) as ContinueToken;
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data at input byte 0");
    }
    const expired = ctx.store.eventsSince(ctx.semantics.storageKey(t), token.rv);
    if ("expired" in expired) {
      throw new ApiError(410, {
        ...gone(token.rv, expired.expired).body,
        message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
      });
    }
    items = items.filter((o) => keyOf(o) > token.start);
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const rest = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    const token: ContinueToken = { rv, start: last ? keyOf(last) : "" };
    metadata["continue"] = Buffer.from(JSON.stringify(token)).toString("base64");
    metadata["remainingItemCount"] = rest;
  }
  if (wantsTable(r.req.headers.accept)) {
    const columns = ctx.registry.customInfo(t)?.columns;
    sendJson(r.res, 200, toTable(t, items, metadata as { resourceVersion?: string; continue?: string }, r.query.get("includeObject") ?? undefined, columns), {}, TABLE_TYPE);
    return 200;
  }
  const body = { kind: t.listKind, apiVersion: apiVersionOf(t), metadata, items: items.map((o) => itemForList(t, o)) };
  sendJson(r.res, 200, body);
  return 200;
}

function keyOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ""}` : o.metadata.name ?? "";
}

function watch(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const match = selectors(t, r.query, r.path.name);
  const table = wantsTable(r.req.headers.accept);
  const columns = ctx.registry.customInfo(t)?.columns;
  const includeObject = r.query.get("includeObject") ?? undefined;
  const timeout = r.query.get("timeoutSeconds");
  let first = true;
  serveWatch(r.req, r.res, {
    store: ctx.store,
    faults: ctx.faults,
    resource: ctx.semantics.storageKey(t),
    namespace: t.namespaced ? r.path.namespace : undefined,
    matches: match,
    initial: () => ctx.semantics.list(t, r.path.namespace),
    resourceVersion: r.query.get("resourceVersion") ?? undefined,
    allowBookmarks: r.query.get("allowWatchBookmarks") === "true" || r.query.get("allowWatchBookmarks") === "1",
    sendInitialEvents: r.query.get("sendInitialEvents") === "true",
    timeoutSeconds: timeout === null ? undefined : Number(timeout),
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    contentType: table ? TABLE_TYPE : "application/json",
    apiVersion: apiVersionOf(t),
    kind: t.kind,
    shareKey: table ? undefined : apiVersionOf(t),
    present: (o) => {
      const v = ctx.semantics.asVersion(t, o);
      if (!table) return v;
      const tbl = toTable(t, [v], { resourceVersion: v.metadata.resourceVersion }, includeObject, columns);
      if (!first) tbl["columnDefinitions"] = null;
      first = false;
      return tbl;
    },
  });
  return 200;
}

function create(ctx: KubeContext, r: ResourceRequest): number {
  if (r.path.name !== undefined) throw methodNotAllowed("create", r.type);
  const warnings: string[] = [];
  const opts = writeOptions(r.query, warnings);
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
  const opts = writeOptions(r.query, warnings, r.path.subresource);
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
  const opts = writeOptions(r.query, warnings, r.path.subresource);
  const accepted = t.custom ? PATCH_TYPES : [...PATCH_TYPES.slice(0, 2), "application/strategic-merge-patch+json", PATCH_TYPES[2] ?? ""];
  if (!accepted.includes(ct)) throw unsupportedMediaType(ct, `${apiVersionOf(t)}, Kind=${t.kind}`, accepted);
  let patchBody: unknown;
  try {
    patchBody = ct === "application/apply-patch+yaml" ? parseYaml(r.body.toString("utf8")) : JSON.parse(r.body.toString("utf8"));
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  const current = ctx.semantics.find(t, r.path.namespace, name);
  if (!current) {
    if (ct === "application/apply-patch+yaml" && r.path.subresource === undefined) {
      // Server-side apply of a new object creates it (field ownership is not tracked here).
      const obj = ctx.semantics.create(t, r.path.namespace, patchBody as KubeObject, opts);
      return sendObject(r, 201, obj, warnings);
    }
    throw notFound(t, name);
  }
  let patched: unknown;
  try {
    if (ct === "application/json-patch+json") patched = jsonPatch(current, patchBody);
    else if (ct === "application/strategic-merge-patch+json") patched = strategicMergePatch(current, patchBody);
    else {
      if (patchBody === null || typeof patchBody !== "object" || Array.isArray(patchBody)) throw new PatchError("patch must be a JSON object");
      patched = mergePatch(current, patchBody);
    }
  } catch (e) {
    if (e instanceof PatchError) throw invalid(t, name, [invalidValue("patch", "", e.message)]);
    throw e;
  }
  const obj = patched as KubeObject;
  if (!obj || typeof obj !== "object" || typeof obj.metadata !== "object") throw badRequest("the patched object is not a Kubernetes object");
  if (obj.metadata.resourceVersion === undefined) obj.metadata = { ...obj.metadata, resourceVersion: current.metadata.resourceVersion };
  const out = ctx.semantics.update(t, r.path.namespace, name, obj, opts);
  return sendObject(r, 200, out, warnings);
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
  const match = selectors(t, r.query);
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

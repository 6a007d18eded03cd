/**
 * list and watch of a collection (https://kubernetes.io/docs/reference/using-api/api-concepts/#collections,
 * #efficient-detection-of-changes): label/field selectors, limit/continue (410 once the
 * continue token's resourceVersion is compacted), Table answers, watch streams.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import { itemForList, sendJson, TABLE_TYPE, type KubeContext, type ResourceRequest } from "./http-io.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.js";
import { ApiError, badRequest, gone } from "./status.js";
import { toTable, wantsTable } from "./table.js";
import { serveWatch } from "./watch.js";

interface ContinueToken {
  rv: number;
  start: string;
}

/**
 * The request's labelSelector and fieldSelector (plus metadata.name for a watch on one object).
 * @throws ApiError 400 for a malformed selector.
 */
export function selectors(t: ResourceType, q: URLSearchParams, name?: string, selectable: string[] = []): (o: KubeObject) => boolean {
  try {
    const label = parseLabelSelector(q.get("labelSelector") ?? undefined);
    let fs = q.get("fieldSelector") ?? undefined;
    if (name !== undefined) fs = fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`;
    const field = parseFieldSelector(fs, t.kind, t.custom, selectable);
    return (o) => label(o) && field(o);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

/** GET on a collection. @throws ApiError 400/410. */
export function list(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const match = selectors(t, r.query, undefined, ctx.registry.customInfo(t)?.selectableFields);
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
    sendJson(r.res, 200, toTable(t, items, metadata as { resourceVersion?: string; continue?: string }, r.query.get("includeObject") ?? undefined, columns, ctx.now()), {}, TABLE_TYPE);
    return 200;
  }
  const body = { kind: t.listKind, apiVersion: apiVersionOf(t), metadata, items: items.map((o) => itemForList(t, o)) };
  sendJson(r.res, 200, body);
  return 200;
}

function keyOf(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ""}` : o.metadata.name ?? "";
}

/** GET ?watch on a collection (or one object). @throws ApiError 400. */
export function watch(ctx: KubeContext, r: ResourceRequest): number {
  const t = r.type;
  const match = selectors(t, r.query, r.path.name, ctx.registry.customInfo(t)?.selectableFields);
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
      const tbl = toTable(t, [v], { resourceVersion: v.metadata.resourceVersion }, includeObject, columns, ctx.now());
      if (!first) tbl["columnDefinitions"] = null;
      first = false;
      return tbl;
    },
  });
  return 200;
}

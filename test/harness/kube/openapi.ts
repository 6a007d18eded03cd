/**
 * OpenAPI documents of the Kubernetes test server. kubectl reads OpenAPI v3 before `apply`,
 * `create -f` and `replace` (kubectl-requests.md §3.1): the root `/openapi/v3` lists one
 * `serverRelativeURL` per group-version; in each group-version document kubectl looks for the
 * `patch` operation tagged with the object's `x-kubernetes-group-version-kind` and a
 * `fieldValidation` query parameter (then it leaves validation to the server), and for the
 * component schema with that GVK, whose patch extensions drive client-side apply's strategic
 * merge patch of built-ins. Custom resources' patch operations offer no strategic merge patch,
 * so kubectl sends them JSON merge patches, as with a real server.
 *
 * `/openapi/v2` is an empty Swagger document (openapi-v2.ts): kubectl only asks for it when
 * v3 cannot answer, and then treats kinds it does not describe leniently.
 */
import { createHash } from "node:crypto";
import { SERVER_VERSION, type HarnessResponse } from "./discovery.js";
import { openapiV2Response } from "./openapi-v2.js";
import { cleanPath } from "./media-types.js";
import { BUILTIN_SCHEMAS, builtinSchemaName, ref, type Schema } from "./openapi-schemas.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import { pathNotFound } from "./status.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const JSON_TYPE = "application/json";

function queryParam(name: string, description: string): Schema {
  return { name, in: "query", description, schema: { type: "string", uniqueItems: true } };
}
const PARAM = {
  dryRun: queryParam("dryRun", "When present, indicates that modifications should not be persisted."),
  fieldManager: queryParam("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  fieldValidation: queryParam(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.",
  ),
  labelSelector: queryParam("labelSelector", "A selector to restrict the list of returned objects by their labels."),
  fieldSelector: queryParam("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
  resourceVersion: queryParam("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  watch: { name: "watch", in: "query", description: "Watch for changes to the described resources.", schema: { type: "boolean", uniqueItems: true } },
  limit: { name: "limit", in: "query", description: "limit is a maximum number of responses to return for a list call.", schema: { type: "integer", uniqueItems: true } },
  force: { name: "force", in: "query", description: "Force is going to \"force\" Apply requests.", schema: { type: "boolean", uniqueItems: true } },
};
function pathParam(name: string): Schema {
  return { name, in: "path", description: `${name} of the object`, required: true, schema: { type: "string", uniqueItems: true } };
}

/** Component name of a custom resource kind: the group reversed, as apiextensions-apiserver names it. */
function customSchemaName(t: ResourceType): string {
  return `${t.group.split(".").reverse().join(".")}.${t.version}.${t.kind}`;
}

function gvk(t: ResourceType, kind = t.kind): Schema {
  return { group: t.group, version: t.version, kind };
}

/** The schema of a custom resource: its CRD schema plus apiVersion, kind and metadata. */
function customSchema(t: ResourceType, crdSchema: unknown): Schema {
  const base: Schema =
    crdSchema !== null && typeof crdSchema === "object" && !Array.isArray(crdSchema)
      ? (structuredClone(crdSchema) as Schema)
      : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const props = (base["properties"] as Record<string, Schema> | undefined) ?? {};
  base["type"] = "object";
  base["properties"] = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: ref(`${META}.ObjectMeta`), ...props };
  base["x-kubernetes-group-version-kind"] = [gvk(t)];
  return base;
}

function listSchema(t: ResourceType, itemSchema: string): Schema {
  return {
    type: "object",
    required: ["items"],
    properties: { apiVersion: { type: "string" }, items: { type: "array", items: ref(itemSchema) }, kind: { type: "string" }, metadata: ref(`${META}.ListMeta`) },
    "x-kubernetes-group-version-kind": [gvk(t, t.listKind)],
  };
}

function operation(t: ResourceType, action: string, responseSchema: string, params: Schema[], body?: Record<string, Schema>): Schema {
  const op: Schema = {
    tags: [t.group === "" ? "core_v1" : `${t.group.replace(/\./g, "")}_${t.version}`],
    description: `${action} ${t.kind}`,
    operationId: `${action}${t.kind}`,
    parameters: params,
    responses: { "200": { description: "OK", content: { [JSON_TYPE]: { schema: ref(responseSchema) } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk(t),
  };
  if (body) op["requestBody"] = { content: body, required: true };
  return op;
}

function pathsOf(t: ResourceType, schemaName: string, listName: string): Record<string, Schema> {
  const prefix = t.group === "" ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  const collection = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}` : `${prefix}/${t.plural}`;
  const item = `${collection}/{name}`;
  const has = (verb: string) => t.verbs.includes(verb);
  const write = [PARAM.dryRun, PARAM.fieldManager, PARAM.fieldValidation];
  const json = { [JSON_TYPE]: { schema: ref(schemaName) } };
  const patchTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];
  if (!t.custom) patchTypes.push("application/strategic-merge-patch+json");
  const patchBody = Object.fromEntries(patchTypes.map((ct) => [ct, { schema: ref(`${META}.Patch`) }]));
  const scope = t.namespaced ? [pathParam("namespace")] : [];
  const out: Record<string, Schema> = {};

  const coll: Schema = { parameters: scope };
  if (has("list")) coll["get"] = operation(t, "list", listName, [PARAM.labelSelector, PARAM.fieldSelector, PARAM.limit, PARAM.resourceVersion, PARAM.watch]);
  if (has("create")) coll["post"] = operation(t, "post", schemaName, write, json);
  if (has("deletecollection")) coll["delete"] = operation(t, "deletecollection", `${META}.Status`, [PARAM.labelSelector, PARAM.fieldSelector, PARAM.dryRun]);
  if (Object.keys(coll).length > 1) out[collection] = coll;

  const one: Schema = { parameters: [pathParam("name"), ...scope] };
  if (has("get")) one["get"] = operation(t, "get", schemaName, []);
  if (has("update")) one["put"] = operation(t, "put", schemaName, write, json);
  if (has("patch")) one["patch"] = operation(t, "patch", schemaName, [...write, PARAM.force], patchBody);
  if (has("delete")) one["delete"] = operation(t, "delete", `${META}.Status`, [PARAM.dryRun]);
  if (Object.keys(one).length > 1) out[item] = one;

  if (t.subresources.includes("status")) {
    out[`${item}/status`] = {
      parameters: [pathParam("name"), ...scope],
      get: operation(t, "get", schemaName, []),
      put: operation(t, "put", schemaName, write, json),
      patch: operation(t, "patch", schemaName, [...write, PARAM.force], patchBody),
    };
  }
  if (t.namespaced && has("list")) out[`${prefix}/${t.plural}`] = { get: operation(t, "list", listName, [PARAM.labelSelector, PARAM.fieldSelector, PARAM.limit, PARAM.resourceVersion, PARAM.watch]) };
  return out;
}

/** Adds `name` and every schema it references (transitively) to `into`. */
function addWithRefs(name: string, library: Record<string, Schema>, into: Record<string, Schema>): void {
  const pending = [name];
  while (pending.length > 0) {
    const n = pending.pop() as string;
    const schema = library[n];
    if (schema === undefined || into[n] !== undefined) continue;
    into[n] = schema;
    for (const m of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) pending.push(m[1] as string);
  }
}

/** The OpenAPI v3 document of one group-version. */
function groupVersionDocument(group: string, version: string, types: readonly ResourceType[], schemaOf: (t: ResourceType) => unknown): Schema {
  const library: Record<string, Schema> = { ...BUILTIN_SCHEMAS };
  const schemas: Record<string, Schema> = {};
  let paths: Record<string, Schema> = {};
  for (const t of types) {
    if (t.group !== group || t.version !== version) continue;
    let name = t.custom ? customSchemaName(t) : builtinSchemaName(t.group, t.version, t.kind);
    if (name === null) {
      name = `io.k8s.api.${t.group === "" ? "core" : t.group.split(".")[0]}.${t.version}.${t.kind}`;
      library[name] = customSchema(t, undefined);
    } else if (t.custom) {
      library[name] = customSchema(t, schemaOf(t));
    }
    const listName = `${name}List`;
    library[listName] = listSchema(t, name);
    addWithRefs(name, library, schemas);
    addWithRefs(listName, library, schemas);
    addWithRefs(`${META}.Status`, library, schemas);
    addWithRefs(`${META}.Patch`, library, schemas);
    paths = { ...paths, ...pathsOf(t, name, listName) };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.4" },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" } } },
  };
}

function groupVersions(types: readonly ResourceType[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of types) seen.set(apiVersionOf(t), { group: t.group, version: t.version });
  return [...seen.values()];
}

function docKey(gv: { group: string; version: string }): string {
  return gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function hashOf(doc: unknown): string {
  return createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
}

function notFound(): HarnessResponse {
  return { status: 404, contentType: JSON_TYPE, body: pathNotFound().body };
}

/**
 * Answers /openapi/v2 (protobuf or JSON, by Accept) and /openapi/v3[/<api/v1|apis/group/version>];
 * `schemaOf` gives the
 * openAPIV3Schema of a custom resource version. The root's `?hash=` changes whenever a
 * group-version document does, as kube-apiserver's does. Returns null for other paths; never throws
 * (unless `schemaOf` does).
 */
export function openapiResponse(
  path: string,
  accept: string | undefined,
  types: readonly ResourceType[],
  schemaOf: (t: ResourceType) => unknown,
): HarnessResponse | null {
  const p = cleanPath(path);
  if (p === "/openapi/v2") return openapiV2Response(accept, SERVER_VERSION.gitVersion);
  if (p === "/openapi/v3") {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of groupVersions(types)) {
      const key = docKey(gv);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(groupVersionDocument(gv.group, gv.version, types, schemaOf))}` };
    }
    return { status: 200, contentType: JSON_TYPE, body: { paths } };
  }
  if (!p.startsWith("/openapi/v3/")) return p.startsWith("/openapi/") || p === "/openapi" ? notFound() : null;
  const key = p.slice("/openapi/v3/".length);
  const gv = groupVersions(types).find((g) => docKey(g) === key);
  if (gv === undefined) return notFound();
  return { status: 200, contentType: JSON_TYPE, body: groupVersionDocument(gv.group, gv.version, types, schemaOf) };
}
